"""Page model of the data-sharing catalog: search box, facets that filter, sorting, paging.

Query parameters arrive as raw strings (facets may repeat: ``?theme=ECON&theme=GOVE``); an
unusable value becomes a bilingual notice and is ignored, never an error page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.exchange import SearchPage
from dyrd.exchange import service as exchange
from dyrd.exchange.compute.search import Filter, Sort, SortField
from dyrd.exchange.schemas import FacetItem
from dyrd.exchange.types import CatalogEntry, ResourceKind, SharingClass, Theme
from dyrd.web.common import Notice, clip, local_date, notice
from dyrd.web.i18n import Lang, t

PATH = "/catalog"
PAGE_SIZE = 10
MAX_QUERY = 200
"""Longest search text used (the API allows 500; nobody types more than a sentence here)."""
MAX_VALUE = 100
FACETS = ("sharing_class", "theme", "owner", "jurisdiction", "kind", "format", "keyword")
"""Facet panels in the order the page shows them."""
FACET_SHOWN = 8
"""Values of a facet listed before the rest fold into a <details>."""
SORTS: dict[str, Sort] = {
    "relevance": Sort(SortField.RELEVANCE, descending=True),
    "title": Sort(SortField.TITLE, descending=False),
    "modified": Sort(SortField.MODIFIED, descending=True),
}
DEFAULT_SORT = "relevance"
REGION_CODE = "CN-YRD"


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet: label, count, the link that adds (or removes) it."""

    value: str
    label: str
    count: int
    href: str
    active: bool


@dataclass(frozen=True, slots=True)
class FacetGroup:
    """One facet panel: the first values, the rest folded."""

    key: str
    label: str
    shown: tuple[FacetValue, ...]
    folded: tuple[FacetValue, ...]


@dataclass(frozen=True, slots=True)
class ActiveFilter:
    """A chosen facet value and the link that drops it."""

    facet: str
    label: str
    href: str


@dataclass(frozen=True, slots=True)
class Sharing:
    """A sharing class as a badge: its code (the colour) and its label."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class ResultItem:
    """One search hit as the result list shows it."""

    id: str
    name: str
    href: str
    title: str
    title_other: str
    excerpt: str
    owner: str
    sharing: Sharing
    themes: tuple[str, ...]
    kind: str
    formats: tuple[str, ...]
    modified: str
    version: int
    is_sample: bool


@dataclass(frozen=True, slots=True)
class SortLink:
    """A choice of the sort control."""

    key: str
    label: str
    href: str
    active: bool


@dataclass(frozen=True, slots=True)
class PageLink:
    """A page number of the pager."""

    number: int
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """Everything the catalog page shows."""

    notices: tuple[Notice, ...]
    query: str
    sort: str
    hidden: tuple[tuple[str, str], ...]
    facets: tuple[FacetGroup, ...]
    active: tuple[ActiveFilter, ...]
    clear_href: str
    sorts: tuple[SortLink, ...]
    results: tuple[ResultItem, ...]
    total: int
    catalog_size: int
    first: int
    last: int
    pages: tuple[PageLink, ...]
    prev_href: str | None
    next_href: str | None


@dataclass(frozen=True, slots=True)
class _State:
    """The request as understood: text, chosen facet values, sort key, page number."""

    query: str
    filters: Mapping[str, tuple[str, ...]]
    sort: str
    page: int

    def url(
        self,
        *,
        toggle: tuple[str, str] | None = None,
        drop_all: bool = False,
        sort: str | None = None,
        page: int = 1,
    ) -> str:
        """The catalog URL of this state with one change; a new filter or sort starts at page 1."""
        filters = {} if drop_all else {k: list(v) for k, v in self.filters.items()}
        if toggle is not None:
            key, value = toggle
            values = filters.setdefault(key, [])
            if value in values:
                values.remove(value)
            else:
                values.append(value)
        pairs: list[tuple[str, str]] = []
        if self.query:
            pairs.append(("q", self.query))
        for key in FACETS:
            pairs.extend((key, v) for v in filters.get(key, ()))
        chosen = sort or self.sort
        if chosen != DEFAULT_SORT:
            pairs.append(("sort", chosen))
        if page > 1:
            pairs.append(("page", str(page)))
        return PATH + ("?" + urlencode(pairs) if pairs else "")


def sharing(code: str, lang: Lang) -> Sharing:
    """The badge of a sharing class."""
    return Sharing(code, t(f"sharing.{code}", lang))


def theme_label(code: str, lang: Lang) -> str:
    """The EU data-theme label of ``code`` in ``lang`` (the code itself if unknown)."""
    try:
        theme = Theme(code)
    except ValueError:
        return code
    return theme.label_zh if lang == "zh" else theme.label_en


@dataclass(frozen=True, slots=True)
class Names:
    """Display names of owning members and jurisdictions, in both languages."""

    owners: Mapping[str, tuple[str, str]]
    jurisdictions: Mapping[str, tuple[str, str]]

    def owner(self, member: str, lang: Lang) -> str:
        """The owner's name in ``lang``; the member id when nobody named it."""
        names = self.owners.get(member)
        return (names[0] if lang == "zh" else names[1]) if names else member

    def jurisdiction(self, code: str, lang: Lang) -> str:
        """A province (or the region) by name; the code when unknown."""
        names = self.jurisdictions.get(code)
        return (names[0] if lang == "zh" else names[1]) if names else code


def names(session: Session, declared: Iterable[tuple[str, str | None, str | None]]) -> Names:
    """Owner names as the entries declare them (member, zh, en), else the trust directory's."""
    members = trust.list_members(session)
    owners = {m.id: (m.name_zh, m.name_en) for m in members}
    for member, zh, en in declared:
        if zh or en:
            owners[member] = (zh or en or member, en or zh or member)
    jurisdictions = {
        m.jurisdiction_code: (m.name_zh, m.name_en)
        for m in members
        if m.kind == trust.MemberKind.JURISDICTION and m.jurisdiction_code
    }
    jurisdictions[REGION_CODE] = (t("region.name", "zh"), t("region.name", "en"))
    return Names(owners, jurisdictions)


def _valid(key: str, value: str) -> bool:
    if not value or len(value) > MAX_VALUE:
        return False
    if key == "theme":
        return value in Theme.__members__
    if key == "sharing_class":
        return value in {s.value for s in SharingClass}
    if key == "kind":
        return value in {k.value for k in ResourceKind}
    if key == "format":
        return value in ("CSV", "JSON", "API")
    return True


def _facet_name(key: str) -> Callable[[Lang], str]:
    """The facet's name, in whichever language a notice is written."""
    return lambda lang: t(f"facet.{key}", lang)


def _resolve(params: Mapping[str, Sequence[str]], notices: list[Notice]) -> _State:
    raw_q = " ".join((params.get("q") or [""])[0].split())
    if len(raw_q) > MAX_QUERY:
        notices.append(notice("notice.long_query", n=MAX_QUERY))
        raw_q = raw_q[:MAX_QUERY]
    filters: dict[str, tuple[str, ...]] = {}
    for key in FACETS:
        kept: list[str] = []
        for given in params.get(key, []):
            value = given.strip().upper() if key == "format" else given.strip()
            if _valid(key, value):
                if value not in kept:
                    kept.append(value)
            elif value:
                notices.append(
                    notice(
                        "notice.bad_facet",
                        given=clip(value),
                        facet=_facet_name(key),
                    )
                )
        if kept:
            filters[key] = tuple(kept)
    sort = (params.get("sort") or [""])[0] or DEFAULT_SORT
    if sort not in SORTS:
        notices.append(notice("notice.bad_catalog_sort", given=clip(sort)))
        sort = DEFAULT_SORT
    raw_page = (params.get("page") or [""])[0]
    page = 1
    if raw_page:
        page = int(raw_page) if raw_page.isdigit() and len(raw_page) < 7 else 0
        if page < 1:
            notices.append(notice("notice.bad_page", given=clip(raw_page), fallback=1))
            page = 1
    return _State(raw_q, filters, sort, page)


def _facet_label(key: str, value: str, lang: Lang, who: Names) -> str:
    if key == "owner":
        return who.owner(value, lang)
    if key == "jurisdiction":
        return who.jurisdiction(value, lang)
    if key == "theme":
        return theme_label(value, lang)
    if key in ("sharing_class", "kind"):
        return t(f"{'sharing' if key == 'sharing_class' else 'kind'}.{value}", lang)
    return value


def _facets(
    state: _State, counts: Mapping[str, Sequence[FacetItem]], lang: Lang, who: Names
) -> tuple[FacetGroup, ...]:
    groups: list[FacetGroup] = []
    for key in FACETS:
        chosen = state.filters.get(key, ())
        found = {f.value: f.count for f in counts.get(key, ())}
        # A chosen value stays listed (with its count, 0 if nothing matches) so it can be dropped.
        order = [*chosen, *(v for v in found if v not in chosen)]
        values = [
            FacetValue(
                value=v,
                label=_facet_label(key, v, lang, who),
                count=found.get(v, 0),
                href=state.url(toggle=(key, v)),
                active=v in chosen,
            )
            for v in order
        ]
        if not values:
            continue
        cut = max(FACET_SHOWN, len(chosen))
        groups.append(
            FacetGroup(key, t(f"facet.{key}", lang), tuple(values[:cut]), tuple(values[cut:]))
        )
    return tuple(groups)


def _excerpt(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _item(e: CatalogEntry, lang: Lang, who: Names) -> ResultItem:
    m = e.metadata
    zh, en = m["title_zh"], m.get("title_en") or ""
    title, other = (zh, en) if lang == "zh" or not en else (en, zh)
    desc = (m.get("description_en") if lang == "en" else None) or m["description_zh"]
    return ResultItem(
        id=e.id,
        name=e.name,
        href=f"{PATH}/{e.name}",
        title=title,
        title_other=other,
        excerpt=_excerpt(desc),
        owner=who.owner(e.owner_member, lang),
        sharing=sharing(e.sharing_class.value, lang),
        themes=tuple(theme_label(th.value, lang) for th in e.themes),
        kind=t(f"kind.{e.kind.value}", lang),
        formats=tuple(e.formats),
        modified=local_date(e.modified_at),
        version=e.version,
        is_sample=e.is_sample,
    )


def _pages(state: _State, pages: int) -> tuple[PageLink, ...]:
    """Page links: the first, the last and two either side of the current one."""
    wanted = {1, pages, *range(state.page - 2, state.page + 3)}
    return tuple(
        PageLink(n, state.url(page=n), n == state.page) for n in sorted(wanted) if 1 <= n <= pages
    )


def catalog_page(
    session: Session,
    params: Mapping[str, Sequence[str]],
    *,
    lang: Lang,
    cache: exchange.SearchIndexCache,
) -> CatalogPage:
    """Search the catalog as the query parameters ask and lay out one page of results."""
    notices: list[Notice] = []
    state = _resolve(params, notices)
    view = cache.get(session)
    who = names(
        session,
        (
            (e.owner_member, e.metadata.get("owner_name_zh"), e.metadata.get("owner_name_en"))
            for e in view.entries.values()
        ),
    )
    flt = Filter(include={k: set(v) for k, v in state.filters.items()})

    def run(page: int) -> SearchPage:
        return exchange.search_catalog(
            session,
            query=state.query,
            filters=flt,
            sort=SORTS[state.sort],
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
            cache=cache,
        )

    result = run(state.page)
    pages = max(1, -(-result.total // PAGE_SIZE))
    if state.page > pages:
        notices.append(notice("notice.bad_page", given=state.page, fallback=pages))
        state = _State(state.query, state.filters, state.sort, pages)
        result = run(pages)
    items = tuple(_item(view.entries[hit.id], lang, who) for hit in result.items)
    active = tuple(
        ActiveFilter(
            facet=t(f"facet.{key}", lang),
            label=_facet_label(key, v, lang, who),
            href=state.url(toggle=(key, v)),
        )
        for key in FACETS
        for v in state.filters.get(key, ())
    )
    sorts = tuple(
        SortLink(key, t(f"catalog.sort.{key}", lang), state.url(sort=key), key == state.sort)
        for key in SORTS
    )
    first = (state.page - 1) * PAGE_SIZE + 1 if items else 0
    return CatalogPage(
        notices=tuple(notices),
        query=state.query,
        sort=state.sort,
        hidden=tuple((k, v) for k in FACETS for v in state.filters.get(k, ())),
        facets=_facets(state, result.facets, lang, who),
        active=active,
        clear_href=_State(state.query, {}, state.sort, 1).url(),
        sorts=sorts,
        results=items,
        total=result.total,
        catalog_size=len(view.entries),
        first=first,
        last=first + len(items) - 1 if items else 0,
        pages=_pages(state, pages) if pages > 1 else (),
        prev_href=state.url(page=state.page - 1) if state.page > 1 else None,
        next_href=state.url(page=state.page + 1) if state.page < pages else None,
    )
