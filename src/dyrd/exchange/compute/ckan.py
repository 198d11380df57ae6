"""The CKAN Action API subset: parsing package_search parameters and shaping CKAN dicts.

Field names follow CKAN 2.11 (``ckan/logic/action/get.py`` and the package dictization): a
dataset is a *package* with ``name``, ``title``, ``notes``, ``organization``, ``tags``,
``groups``, ``resources``, ``extras`` and ``metadata_modified``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dyrd.exchange.compute.catalog import THEME_BY_URI, org_name
from dyrd.exchange.compute.search import SearchResult, Sort, SortField
from dyrd.exchange.types import LICENCES, CatalogEntry, ResourceKind, Theme

ROWS_DEFAULT = 10
ROWS_MAX = 1000
"""CKAN's ``ckan.search.rows_max`` default."""
FACET_LIMIT_DEFAULT = 50
"""CKAN's ``search.facets.limit`` default."""

FACET_FIELDS: Mapping[str, str] = {
    "organization": "organization",
    "owner_org": "organization",
    "tags": "keyword",
    "groups": "theme",
    "theme": "theme",
    "res_format": "format",
    "license_id": "licence",
    "sharing_class": "sharing_class",
    "jurisdiction": "jurisdiction",
    "kind": "kind",
    "is_sample": "is_sample",
    "name": "name",
    "id": "id",
}
"""CKAN field names accepted in ``fq`` and ``facet.field``, mapped to our facet names."""

_CLAUSE = re.compile(
    r'(?P<sign>[+-]?)(?P<field>[A-Za-z_.]+):(?:"(?P<quoted>[^"]*)"|\((?P<group>[^)]*)\)'
    r"|\[(?P<range>[^\]]*)\]|(?P<bare>[^\s]+))"
)
_SORT_FIELDS = {
    "score": SortField.RELEVANCE,
    "relevance": SortField.RELEVANCE,
    "metadata_modified": SortField.MODIFIED,
    "modified": SortField.MODIFIED,
    "title": SortField.TITLE,
    "title_string": SortField.TITLE,
    "name": SortField.NAME,
}


class CkanQueryError(ValueError):
    """A package_search parameter CKAN would reject; ``param`` names it."""

    def __init__(self, param: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.param = param
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class CkanQuery:
    """A parsed package_search request."""

    text: str = ""
    filters: dict[str, set[str]] = field(default_factory=dict)
    exclude: dict[str, set[str]] = field(default_factory=dict)
    modified_from: datetime | None = None
    modified_to: datetime | None = None
    sort: Sort = field(default_factory=Sort)
    sort_text: str = "score desc, metadata_modified desc"
    offset: int = 0
    limit: int = ROWS_DEFAULT
    facet_fields: tuple[str, ...] = ()
    facet_limit: int = FACET_LIMIT_DEFAULT


def _int(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise CkanQueryError(name, f"{name} must be an integer.", f"{name} 必须是整数。") from None
    if not low <= value <= high:
        raise CkanQueryError(
            name,
            f"{name} must be between {low} and {high}.",
            f"{name} 必须在 {low} 到 {high} 之间。",
        )
    return value


def _value(facet: str, raw: str) -> str:
    """A filter value in the form the index stores it."""
    if facet == "organization" and "/" in raw:
        return org_name(raw)
    if facet == "theme":
        theme = THEME_BY_URI.get(raw)
        return theme.value if theme else raw.upper()
    if facet == "format":
        return raw.upper()
    return raw


def _timestamp(text: str, param: str) -> datetime | None:
    text = text.strip()
    if text in ("*", "", "NOW"):
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CkanQueryError(
            param,
            f"Not an ISO 8601 time in a range: {text!r}.",
            f"范围中的时间不是 ISO 8601 格式：{text}。",
        ) from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _apply_clause(query: dict[str, Any], match: re.Match[str], param: str) -> None:
    name = match.group("field")
    if name == "metadata_modified":
        rng = match.group("range")
        if rng is None or " TO " not in rng:
            raise CkanQueryError(
                param,
                "metadata_modified takes a range such as [2024-01-01T00:00:00Z TO *].",
                "metadata_modified 需要范围，例如 [2024-01-01T00:00:00Z TO *]。",
            )
        low, high = rng.split(" TO ", 1)
        query["modified_from"] = _timestamp(low, param)
        query["modified_to"] = _timestamp(high, param)
        return
    facet = FACET_FIELDS.get(name)
    if facet is None:
        known = ", ".join(sorted(FACET_FIELDS))
        raise CkanQueryError(
            param,
            f"Unknown field {name!r} in {param}; known fields: {known}, metadata_modified.",
            f"{param} 中的字段 {name} 不受支持。",
        )
    if match.group("group") is not None:
        values = [v.strip('"') for v in re.split(r"\s+OR\s+", match.group("group").strip()) if v]
    elif match.group("quoted") is not None:
        values = [match.group("quoted")]
    elif match.group("bare") is not None:
        values = [match.group("bare")]
    else:
        raise CkanQueryError(
            param,
            f"Ranges apply only to metadata_modified, not {name}.",
            "只有 metadata_modified 支持范围。",
        )
    target = query["exclude"] if match.group("sign") == "-" else query["filters"]
    target.setdefault(facet, set()).update(_value(facet, v) for v in values)


def _split(text: str, param: str, query: dict[str, Any], *, allow_text: bool) -> str:
    rest: list[str] = []
    pos = 0
    for match in _CLAUSE.finditer(text):
        rest.append(text[pos : match.start()])
        pos = match.end()
        _apply_clause(query, match, param)
    rest.append(text[pos:])
    leftover = " ".join("".join(rest).replace("*:*", " ").split())
    leftover = " ".join(w for w in leftover.split() if w.upper() not in ("AND", "+"))
    if leftover and not allow_text:
        raise CkanQueryError(
            param,
            f"{param} holds text that is not a field:value clause: {leftover!r}.",
            f"{param} 中含有不是 字段:值 形式的内容：{leftover}。",
        )
    return leftover


def _facet_fields(raw: Any) -> tuple[str, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            raise CkanQueryError(
                "facet.field",
                'facet.field must be a JSON list such as ["organization","tags"].',
                'facet.field 必须是 JSON 列表，例如 ["organization","tags"]。',
            ) from None
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise CkanQueryError(
            "facet.field",
            "facet.field must be a list of field names.",
            "facet.field 必须是字段名列表。",
        )
    for name in raw:
        if name not in FACET_FIELDS:
            raise CkanQueryError(
                "facet.field",
                f"Cannot facet on {name!r}; known: {', '.join(sorted(FACET_FIELDS))}.",
                f"不支持按 {name} 分面。",
            )
    return tuple(dict.fromkeys(raw))


def _sort(raw: Any) -> tuple[Sort, str]:
    text = str(raw or "").strip() or "score desc, metadata_modified desc"
    first = text.split(",")[0].split()
    key = first[0] if first else "score"
    direction = first[1].lower() if len(first) > 1 else "asc"
    if key not in _SORT_FIELDS or direction not in ("asc", "desc"):
        raise CkanQueryError(
            "sort",
            f"Cannot sort by {text!r}; use score, metadata_modified, title_string or name "
            "with asc or desc.",
            f"不支持的排序 {text}。",
        )
    return Sort(_SORT_FIELDS[key], direction == "desc"), text


def parse_package_search(params: Mapping[str, Any]) -> CkanQuery:
    """A CkanQuery from package_search parameters (query string or JSON body)."""
    parts: dict[str, Any] = {"filters": {}, "exclude": {}}
    text = _split(str(params.get("q") or ""), "q", parts, allow_text=True)
    fq_list = params.get("fq_list") or []
    if isinstance(fq_list, str):
        fq_list = [fq_list]
    for fq in [str(params.get("fq") or ""), *map(str, fq_list)]:
        _split(fq, "fq", parts, allow_text=False)
    sort, sort_text = _sort(params.get("sort"))
    return CkanQuery(
        text=text,
        filters=parts["filters"],
        exclude=parts["exclude"],
        modified_from=parts.get("modified_from"),
        modified_to=parts.get("modified_to"),
        sort=sort,
        sort_text=sort_text,
        offset=_int(params, "start", 0, 0, 10**9),
        limit=_int(params, "rows", ROWS_DEFAULT, 0, ROWS_MAX),
        facet_fields=_facet_fields(params.get("facet.field")),
        facet_limit=_int(params, "facet.limit", FACET_LIMIT_DEFAULT, -1, 10**6),
    )


def ckan_time(value: datetime) -> str:
    """CKAN's timestamp form: naive UTC ISO 8601 with microseconds."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def organization_dict(
    member_id: str, title_zh: str | None, title_en: str | None, package_count: int | None = None
) -> dict[str, Any]:
    """A CKAN organization for a member (id is the member id, name its CKAN-safe form)."""
    out: dict[str, Any] = {
        "id": member_id,
        "name": org_name(member_id),
        "title": title_zh or member_id,
        "title_translated": {"zh": title_zh or member_id, "en": title_en or member_id},
        "display_name": title_zh or member_id,
        "description": title_en or "",
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def _resources(entry: CatalogEntry, base_url: str) -> list[dict[str, Any]]:
    m = entry.metadata
    common = {"package_id": entry.id, "state": "active", "created": ckan_time(entry.issued_at)}
    if entry.kind is ResourceKind.SERVICE:
        return [
            {
                **common,
                "id": f"{entry.id}-api",
                "name": m["title_zh"],
                "description": m.get("description_en") or "",
                "format": "API",
                "url": m["service_base_url"],
                "openapi_url": m.get("service_openapi_url"),
                "mimetype": "application/json",
                "last_modified": ckan_time(entry.modified_at),
                "position": 0,
            }
        ]
    if entry.data is None:
        return []
    data_url = f"{base_url}api/v1/catalog/resources/{entry.id}/data"
    return [
        {
            **common,
            "id": f"{entry.id}-{fmt.lower()}",
            "name": f"{m['title_zh']} ({fmt})",
            "description": f"Data version {entry.data.version}, {entry.data.row_count} rows.",
            "format": fmt,
            "url": url,
            "mimetype": mime,
            "last_modified": ckan_time(entry.data.uploaded_at),
            "hash": f"sha256:{entry.data.sha256}",
            "position": pos,
        }
        for pos, (fmt, url, mime) in enumerate(
            [
                ("CSV", f"{data_url}.csv", "text/csv"),
                ("JSON", data_url, "application/json"),
            ]
        )
    ]


def package_dict(entry: CatalogEntry, *, base_url: str) -> dict[str, Any]:
    """A CKAN package dict for one entry; ``base_url`` ends with '/'."""
    m = entry.metadata
    lic = LICENCES.get(m.get("licence") or "")
    org = organization_dict(entry.owner_member, m.get("owner_name_zh"), m.get("owner_name_en"))
    tags = [
        {"name": k, "display_name": k, "state": "active", "vocabulary_id": None}
        for k in entry.keywords
    ]
    groups = [
        {
            "id": t.uri,
            "name": t.value.lower(),
            "title": t.label_zh,
            "display_name": t.label_zh,
            "description": t.label_en,
        }
        for t in entry.themes
    ]
    resources = _resources(entry, base_url)
    extras = {
        "sharing_class": entry.sharing_class.value,
        "sharing_class_zh": entry.sharing_class.label_zh,
        "not_shared_reason": m.get("not_shared_reason"),
        "kind": entry.kind.value,
        "jurisdiction": entry.jurisdiction,
        "department": m.get("department"),
        "frequency": m.get("frequency"),
        "spatial_codes": json.dumps(m.get("spatial") or []),
        "temporal_start": m.get("temporal_start"),
        "temporal_end": m.get("temporal_end"),
        "theme": json.dumps([t.uri for t in entry.themes]),
        "is_sample": "true" if entry.is_sample else "false",
        "dyrd_version": str(entry.version),
    }
    return {
        "id": entry.id,
        "name": entry.name,
        "title": m["title_zh"],
        "title_translated": {"zh": m["title_zh"], "en": m.get("title_en") or ""},
        "notes": m["description_zh"],
        "notes_translated": {"zh": m["description_zh"], "en": m.get("description_en") or ""},
        "type": "dataset",
        "state": "active",
        "private": False,
        "url": f"{base_url}api/v1/catalog/resources/{entry.id}",
        "version": str(entry.version),
        "author": m.get("owner_name_zh"),
        "author_email": None,
        "maintainer": m.get("contact_name"),
        "maintainer_email": m.get("contact_email"),
        "license_id": lic.code if lic else None,
        "license_title": lic.title_en if lic else None,
        "license_url": lic.uri if lic else None,
        "metadata_created": ckan_time(entry.issued_at),
        "metadata_modified": ckan_time(entry.modified_at),
        "owner_org": entry.owner_member,
        "organization": org,
        "tags": tags,
        "num_tags": len(tags),
        "groups": groups,
        "resources": resources,
        "num_resources": len(resources),
        "extras": [{"key": k, "value": v} for k, v in extras.items() if v is not None],
        "sharing_class": entry.sharing_class.value,
        "is_sample": entry.is_sample,
    }


def facet_labels(entries: Sequence[CatalogEntry]) -> dict[str, dict[str, str]]:
    """Display names of facet values (organisation titles, theme and sharing-class labels)."""
    labels: dict[str, dict[str, str]] = {
        "theme": {t.value: t.label_zh for t in Theme},
        "licence": {code: lic.title_zh for code, lic in LICENCES.items()},
        "organization": {},
        "sharing_class": {},
    }
    for e in entries:
        labels["organization"][org_name(e.owner_member)] = (
            e.metadata.get("owner_name_zh") or e.owner_member
        )
        labels["sharing_class"][e.sharing_class.value] = e.sharing_class.label_zh
    return labels


def search_dict(
    result: SearchResult,
    query: CkanQuery,
    entries: Mapping[str, CatalogEntry],
    labels: Mapping[str, Mapping[str, str]],
    *,
    base_url: str,
) -> dict[str, Any]:
    """The ``result`` of package_search: count, results, facets and search_facets."""
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for ckan_name in query.facet_fields:
        ours = FACET_FIELDS[ckan_name]
        items = result.facets.get(ours, [])
        facets[ckan_name] = dict(items)
        search_facets[ckan_name] = {
            "title": ckan_name,
            "items": [
                {"name": v, "display_name": labels.get(ours, {}).get(v, v), "count": n}
                for v, n in items
            ],
        }
    return {
        "count": result.total,
        "sort": query.sort_text,
        "results": [package_dict(entries[h.doc.id], base_url=base_url) for h in result.hits],
        "facets": facets,
        "search_facets": search_facets,
    }


AUTOCOMPLETE_LIMIT_DEFAULT = 10
"""CKAN's ``package_autocomplete`` default ``limit``."""

MAX_AUTOCOMPLETE_QUERY = 200
"""Longest autocomplete query accepted (a bound on input, not a CKAN figure)."""

CKAN_API_VERSION = "2.11.0"
"""The CKAN release whose Action API shapes this subset follows (see the module docstring)."""


def package_autocomplete(
    entries: Sequence[CatalogEntry], params: Mapping[str, Any]
) -> list[dict[str, str]]:
    """CKAN ``package_autocomplete``: datasets whose name or title contains ``q``.

    Each item is CKAN's ``{name, title, match_field, match_displayed}``: ``match_field`` is
    ``name`` when the name contains the query, else ``title`` (Chinese or English title), shown
    as ``title (name)``. Name matches come first, prefixes before other positions, then by name.
    """
    raw = params.get("q")
    if raw is None or not str(raw).strip():
        raise CkanQueryError("q", "Missing value: q.", "缺少参数 q。")
    q = str(raw).strip()
    if len(q) > MAX_AUTOCOMPLETE_QUERY:
        raise CkanQueryError(
            "q",
            f"q is at most {MAX_AUTOCOMPLETE_QUERY} characters.",
            f"q 最多 {MAX_AUTOCOMPLETE_QUERY} 个字符。",
        )
    limit = _int(params, "limit", AUTOCOMPLETE_LIMIT_DEFAULT, 1, ROWS_MAX)
    needle = q.casefold()
    ranked: list[tuple[tuple[int, int, str], dict[str, str]]] = []
    for e in entries:
        title = str(e.metadata.get("title_zh") or "")
        title_en = str(e.metadata.get("title_en") or "")
        name = e.name.casefold()
        if needle in name:
            rank = (0, 0 if name.startswith(needle) else 1, e.name)
            item = {"match_field": "name", "match_displayed": e.name}
        elif needle in title.casefold() or needle in title_en.casefold():
            rank = (1, 0 if title.casefold().startswith(needle) else 1, e.name)
            item = {"match_field": "title", "match_displayed": f"{title} ({e.name})"}
        else:
            continue
        ranked.append((rank, {"name": e.name, "title": title, **item}))
    ranked.sort(key=lambda pair: pair[0])
    return [item for _, item in ranked[:limit]]


def status_dict(*, site_url: str, site_title: str, dyrd_version: str) -> dict[str, Any]:
    """CKAN ``status_show``: the site's title, URL, API version, default locale, extensions.

    ``extensions`` is empty: no CKAN plugin runs here, and naming one (``dcat``) would send
    harvesters to ckanext-dcat's URLs; the DCAT-AP export lives at /api/v1/catalog/dcat.ttl.
    """
    return {
        "site_title": site_title,
        "site_description": "长三角区域公共数据共享目录 / Yangtze River Delta public-data catalog",
        "site_url": site_url.rstrip("/"),
        "ckan_version": CKAN_API_VERSION,
        "error_emails_to": None,
        "locale_default": "zh_Hans_CN",
        "extensions": [],
        "dyrd_version": dyrd_version,
    }
