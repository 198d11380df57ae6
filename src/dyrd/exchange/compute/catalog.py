"""Rules of a catalog entry's metadata that span several fields, and derived values."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from dyrd.core.types import REGION_MEMBER_ID
from dyrd.exchange.compute.search import SearchDoc
from dyrd.exchange.types import CatalogEntry, Problem, ResourceKind, SharingClass, Theme

OWNER_PATTERN = r"^CN-YRD(/GOV/[1-9][0-9]{5}(/[A-Z][A-Z0-9]{1,15})?)?$"
"""Member identifiers as the trust domain defines them (kept as text: exchange stores no FK)."""
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,99}$"
"""CKAN's rule for dataset names: 2-100 lower-case letters, digits, '-' and '_'."""

_OWNER = re.compile(OWNER_PATTERN)
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def is_member_id(value: str) -> bool:
    """True when ``value`` looks like a member identifier."""
    return bool(_OWNER.fullmatch(value))


def jurisdiction_of(member_id: str) -> str:
    """The province-level GB/T 2260 code of a member (the region's id for the region itself)."""
    parts = member_id.split("/")
    if len(parts) < 3:
        return REGION_MEMBER_ID
    return parts[2][:2] + "0000"


def org_name(member_id: str) -> str:
    """The CKAN organization name of a member: its id lower-cased with '/' as '-'."""
    return member_id.lower().replace("/", "-")


def slugify(text: str, fallback: str) -> str:
    """A CKAN-style name from English text; ``fallback`` when nothing usable remains."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")[:80].strip("-")
    return slug if len(slug) >= 2 else fallback


def normalise(kind: ResourceKind, meta: Mapping[str, Any]) -> dict[str, Any]:
    """Trim text, and drop values that do not apply (refusal reason, kind-specific fields)."""
    out = {k: v.strip() if isinstance(v, str) else v for k, v in meta.items()}
    if out.get("sharing_class") != SharingClass.NOT_SHARED.value:
        out["not_shared_reason"] = None
    if kind is ResourceKind.TABLE:
        out["service_base_url"] = None
        out["service_openapi_url"] = None
    else:
        out["columns"] = []
    return out


def check_metadata(kind: ResourceKind, meta: Mapping[str, Any]) -> list[Problem]:
    """Problems that no single field shows: required-when rules and orderings."""
    problems: list[Problem] = []
    if (
        meta.get("sharing_class") == SharingClass.NOT_SHARED.value
        and not (meta.get("not_shared_reason") or "").strip()
    ):
        problems.append(
            Problem(
                "not_shared_reason",
                "A resource that is not shared must state the legal or policy reason.",
                "不予共享的资源必须说明法律或政策依据。",
            )
        )
    if kind is ResourceKind.TABLE:
        columns = meta.get("columns") or []
        if not columns:
            problems.append(
                Problem("columns", "A table declares at least one column.", "数据表至少声明一列。")
            )
        names = [c["name"] for c in columns]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(
                Problem("columns", f"Column {name!r} is declared twice.", f"列 {name} 被重复声明。")
            )
    elif not meta.get("service_base_url"):
        problems.append(
            Problem(
                "service_base_url",
                "A service needs its base URL.",
                "接口服务必须提供基础地址。",
            )
        )
    start, end = meta.get("temporal_start"), meta.get("temporal_end")
    if start and end and start > end:
        problems.append(
            Problem(
                "temporal_end",
                f"Temporal coverage ends ({end}) before it starts ({start}).",
                f"时间范围的结束日期 {end} 早于开始日期 {start}。",
            )
        )
    return problems


def search_doc(entry: CatalogEntry) -> SearchDoc:
    """What the search index holds for an entry: text fields and facet values."""
    m = entry.metadata
    columns = entry.columns
    text = " ".join(
        filter(
            None,
            [
                m.get("description_zh"),
                m.get("description_en"),
                m.get("department"),
                m.get("owner_name_zh"),
                m.get("owner_name_en"),
                *(f"{c.name} {c.description_zh} {c.description_en}" for c in columns),
            ],
        )
    )
    themes = entry.themes
    return SearchDoc(
        id=entry.id,
        name=entry.name,
        fields={
            "title": f"{m.get('title_zh') or ''} {m.get('title_en') or ''}",
            "name": entry.name.replace("-", " ").replace("_", " "),
            "keywords": " ".join(entry.keywords),
            "themes": " ".join(f"{t.label_zh} {t.label_en}" for t in themes),
            "text": text,
        },
        facets={
            "organization": (org_name(entry.owner_member),),
            "owner": (entry.owner_member,),
            "jurisdiction": (entry.jurisdiction,),
            "theme": tuple(dict.fromkeys(t.value for t in themes)),
            "sharing_class": (entry.sharing_class.value,),
            "keyword": tuple(dict.fromkeys(entry.keywords)),
            "format": tuple(dict.fromkeys(entry.formats)),
            "kind": (entry.kind.value,),
            "is_sample": ("true" if entry.is_sample else "false",),
            "licence": (m["licence"],) if m.get("licence") else (),
            "name": (entry.name,),
            "id": (entry.id,),
        },
        title_key=(m.get("title_en") or m.get("title_zh") or "").casefold(),
        modified=entry.modified_at,
    )


THEME_BY_URI = {t.uri: t for t in Theme}
"""Themes by concept IRI, so callers may send either the code or the IRI."""
