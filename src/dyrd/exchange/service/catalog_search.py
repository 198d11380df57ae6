"""Catalog search: a ranked, filtered, faceted index of the active entries, cached per process.

The index is rebuilt on the first search after any catalog change (the repository's catalog
fingerprint); ``compute.search`` does the ranking and the facet counts.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from dyrd.exchange.compute import catalog as rules
from dyrd.exchange.compute.ckan import facet_labels
from dyrd.exchange.compute.search import Filter, SearchIndex, Sort, search
from dyrd.exchange.repository import ExchangeRepository
from dyrd.exchange.schemas import (
    FacetItem,
    ResourceSummary,
    SearchPage,
)
from dyrd.exchange.service.catalog_records import (
    entry,
)
from dyrd.exchange.types import (
    CatalogEntry,
    Theme,
)

SEARCH_FACETS = ("owner", "jurisdiction", "theme", "sharing_class", "keyword", "format", "kind")


@dataclass(frozen=True, slots=True)
class CatalogView:
    """The searchable catalog at one state: index, entries by id, facet display labels."""

    index: SearchIndex
    entries: dict[str, CatalogEntry]
    labels: dict[str, dict[str, str]]
    ckan_labels: dict[str, dict[str, str]]


def _labels(entries: Sequence[CatalogEntry]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {"theme": {t.value: t.label_zh for t in Theme}}
    owner = labels.setdefault("owner", {})
    sharing = labels.setdefault("sharing_class", {})
    for e in entries:
        owner[e.owner_member] = e.metadata.get("owner_name_zh") or e.owner_member
        sharing[e.sharing_class.value] = e.sharing_class.label_zh
    return labels


def _view(entries: list[CatalogEntry]) -> CatalogView:
    return CatalogView(
        index=SearchIndex(rules.search_doc(e) for e in entries),
        entries={e.id: e for e in entries},
        labels=_labels(entries),
        ckan_labels=facet_labels(entries),
    )


class SearchIndexCache:
    """The last built catalog view and the catalog fingerprint it was built at.

    One per process (the app holds it); rebuilt on the first search after any catalog change.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, str] | None = None
        self._view = _view([])

    def get(self, session: Session) -> CatalogView:
        """The view of the catalog as ``session`` sees it."""
        repo = ExchangeRepository(session)
        key = repo.fingerprint()
        with self._lock:
            if key != self._key:
                self._view = _view([entry(r, v) for r, v in repo.active_with_versions()])
                self._key = key
            return self._view


def catalog_entries(session: Session) -> list[CatalogEntry]:
    """Every active entry at its current version."""
    return [entry(r, v) for r, v in ExchangeRepository(session).active_with_versions()]


def search_catalog(
    session: Session,
    *,
    query: str = "",
    filters: Filter | None = None,
    sort: Sort | None = None,
    offset: int = 0,
    limit: int = 20,
    cache: SearchIndexCache | None = None,
) -> SearchPage:
    """Ranked, filtered, paged search with facet counts over every match."""
    view = (cache or SearchIndexCache()).get(session)
    entries, labels = view.entries, view.labels
    result = search(
        view.index,
        query,
        filters=filters,
        sort=sort,
        offset=offset,
        limit=limit,
        facet_fields=SEARCH_FACETS,
    )
    items = []
    for hit in result.hits:
        e = entries[hit.doc.id]
        m = e.metadata
        items.append(
            ResourceSummary(
                id=e.id,
                name=e.name,
                kind=e.kind,
                title_zh=m["title_zh"],
                title_en=m.get("title_en") or "",
                owner_member=e.owner_member,
                owner_name_zh=m.get("owner_name_zh"),
                jurisdiction=e.jurisdiction,
                sharing_class=e.sharing_class,
                themes=e.themes,
                keywords=e.keywords,
                formats=e.formats,
                version=e.version,
                modified_at=e.modified_at,
                is_sample=e.is_sample,
                score=round(hit.score, 6),
            )
        )
    facets = {
        name: [FacetItem(value=v, label=labels.get(name, {}).get(v, v), count=n) for v, n in vals]
        for name, vals in result.facets.items()
    }
    return SearchPage(items=items, total=result.total, limit=limit, offset=offset, facets=facets)
