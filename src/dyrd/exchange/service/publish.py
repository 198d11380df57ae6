"""Publishing use cases: the CKAN Action API subset, DCAT-AP 3 export, organisations, samples."""

from __future__ import annotations

import json
from importlib import metadata, resources
from typing import Any

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.exchange.compute import ckan
from dyrd.exchange.compute.catalog import org_name
from dyrd.exchange.compute.dcat import CatalogInfo, catalog_graph, serialise
from dyrd.exchange.compute.search import Filter, search
from dyrd.exchange.errors import ResourceNotFound, SearchQueryInvalid
from dyrd.exchange.repository import ExchangeRepository
from dyrd.exchange.schemas import (
    OrganizationRead,
    ResourceCreate,
    ResourceUpdate,
    SampleLoadReport,
)
from dyrd.exchange.service.catalog import create_as, update_as
from dyrd.exchange.service.catalog_records import current, entry, load, validation_error
from dyrd.exchange.service.catalog_search import SearchIndexCache, catalog_entries
from dyrd.exchange.types import METADATA_FIELDS, CatalogEntry

CATALOG_INFO = {
    "title_zh": "数字长三角 政务数据资源目录",
    "title_en": "Digital YRD government data catalog",
    "description_zh": (
        "长三角区域（上海、江苏、浙江、安徽）各成员单位登记的政务数据资源及其共享属性。"
    ),
    "description_en": (
        "Government data resources registered by the members of the Yangtze River Delta region "
        "(Shanghai, Jiangsu, Zhejiang, Anhui), with their sharing classes."
    ),
    "publisher_zh": "数字长三角平台",
    "publisher_en": "Digital YRD platform",
}


def _query_error(exc: ckan.CkanQueryError) -> SearchQueryInvalid:
    err = validation_error(exc.param, exc.message, exc.message_zh)
    return SearchQueryInvalid(
        exc.message, exc.message_zh, hint="See the package_search parameters.", errors=err.errors
    )


def package_search(
    session: Session, params: dict[str, Any], *, base_url: str, cache: SearchIndexCache
) -> dict[str, Any]:
    """CKAN ``package_search``: q, fq/fq_list, rows, start, sort, facet.field, facet.limit."""
    try:
        query = ckan.parse_package_search(params)
    except ckan.CkanQueryError as exc:
        raise _query_error(exc) from exc
    view = cache.get(session)
    wanted = tuple(dict.fromkeys(ckan.FACET_FIELDS[f] for f in query.facet_fields))
    result = search(
        view.index,
        query.text,
        filters=Filter(
            include=query.filters,
            exclude=query.exclude,
            modified_from=query.modified_from,
            modified_to=query.modified_to,
        ),
        sort=query.sort,
        offset=query.offset,
        limit=query.limit,
        facet_fields=wanted,
        facet_limit=query.facet_limit if query.facet_limit >= 0 else 10**9,
    )
    return ckan.search_dict(result, query, view.entries, view.ckan_labels, base_url=base_url)


def package_autocomplete(
    session: Session, params: dict[str, Any], *, cache: SearchIndexCache
) -> list[dict[str, str]]:
    """CKAN ``package_autocomplete``: active entries whose name or title contains ``q``."""
    view = cache.get(session)
    try:
        return ckan.package_autocomplete(list(view.entries.values()), params)
    except ckan.CkanQueryError as exc:
        raise _query_error(exc) from exc


def status_show(*, base_url: str) -> dict[str, Any]:
    """CKAN ``status_show``: what this site is and which CKAN API shapes it answers in."""
    try:
        version = metadata.version("dyrd")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "unknown"
    return ckan.status_dict(
        site_url=base_url, site_title="数字长三角 Digital YRD", dyrd_version=version
    )


def package_show(session: Session, ref: str, *, base_url: str) -> dict[str, Any]:
    """CKAN ``package_show``: one active entry by id or name."""
    repo = ExchangeRepository(session)
    res = load(repo, ref)
    if res.status != "active":
        raise ResourceNotFound(
            f"Resource {ref!r} was withdrawn.",
            f"数据资源 {ref} 已撤回。",
            hint="Its history is still at GET /api/v1/catalog/resources/{ref}/versions.",
        )
    return ckan.package_dict(entry(res, current(repo, res)), base_url=base_url)


def _organizations(entries: list[CatalogEntry]) -> dict[str, OrganizationRead]:
    orgs: dict[str, OrganizationRead] = {}
    for e in sorted(entries, key=lambda x: x.owner_member):
        org = orgs.get(e.owner_member)
        if org is None:
            orgs[e.owner_member] = OrganizationRead(
                member_id=e.owner_member,
                name=org_name(e.owner_member),
                title_zh=e.metadata.get("owner_name_zh") or e.owner_member,
                title_en=e.metadata.get("owner_name_en") or e.owner_member,
                jurisdiction=e.jurisdiction,
                package_count=1,
            )
        else:
            org.package_count += 1
    return orgs


def list_organizations(session: Session) -> list[OrganizationRead]:
    """Members that own active entries, with their entry counts."""
    return list(_organizations(catalog_entries(session)).values())


def get_organization(session: Session, ref: str) -> OrganizationRead:
    """One owning member, by member id or CKAN name."""
    for org in list_organizations(session):
        if ref in (org.member_id, org.name):
            return org
    raise ResourceNotFound(
        f"No organization {ref!r} owns catalog entries.",
        f"没有名为 {ref} 的数据提供单位。",
        hint="List them with GET /api/3/action/organization_list.",
    )


def _ckan_org(org: OrganizationRead) -> dict[str, Any]:
    return ckan.organization_dict(org.member_id, org.title_zh, org.title_en, org.package_count)


def organization_list(
    session: Session, *, all_fields: bool, sort: str, limit: int | None, offset: int
) -> list[Any]:
    """CKAN ``organization_list``: names, or dicts with ``all_fields``."""
    orgs = list_organizations(session)
    key, _, direction = (sort or "name asc").partition(" ")
    if key not in ("name", "title", "package_count"):
        raise validation_error(
            "sort",
            "sort must be name, title or package_count.",
            "sort 必须是 name、title 或 package_count。",
        )
    orgs.sort(
        key=lambda o: (
            o.package_count
            if key == "package_count"
            else getattr(o, "name" if key == "name" else "title_zh")
        ),
        reverse=direction.strip().lower() == "desc",
    )
    page = orgs[offset : None if limit is None else offset + limit]
    return [_ckan_org(o) for o in page] if all_fields else [o.name for o in page]


def organization_show(
    session: Session, ref: str, *, base_url: str, include_datasets: bool
) -> dict[str, Any]:
    """CKAN ``organization_show``, optionally with the organization's packages."""
    org = get_organization(session, ref)
    out = _ckan_org(org)
    if include_datasets:
        out["packages"] = [
            ckan.package_dict(e, base_url=base_url)
            for e in catalog_entries(session)
            if e.owner_member == org.member_id
        ]
    return out


def export_dcat(session: Session, *, fmt: str, base_url: str, clock: Clock) -> str:
    """The whole active catalog as DCAT-AP 3 Turtle (``ttl``) or JSON-LD (``jsonld``)."""
    entries = catalog_entries(session)
    modified = max((e.modified_at for e in entries), default=None) or clock()
    info = CatalogInfo(publisher_id=REGION_MEMBER_ID, modified=modified, **CATALOG_INFO)
    return serialise(catalog_graph(entries, info, base_url=base_url), fmt)


def _read_samples() -> list[dict[str, Any]]:
    text = resources.files("dyrd.exchange").joinpath("data", "samples.json").read_text("utf-8")
    data: list[dict[str, Any]] = json.loads(text)
    return data


def load_samples(session: Session, *, clock: Clock) -> SampleLoadReport:
    """Create or refresh the bundled sample entries (idempotent: unchanged ones get no version)."""
    repo = ExchangeRepository(session)
    created = updated = unchanged = 0
    actor = Actor.system()
    for spec in _read_samples():
        res = repo.resource(spec["name"])
        if res is None:
            create_as(session, ResourceCreate.model_validate(spec), actor=actor, clock=clock)
            created += 1
            continue
        if res.status != "active":  # a withdrawn sample stays withdrawn
            unchanged += 1
            continue
        fields = {k: v for k, v in spec.items() if k in METADATA_FIELDS}
        upd = ResourceUpdate.model_validate(
            {**fields, "change_summary": "Sample entry refreshed from the bundled file."}
        )
        _, changed = update_as(session, res.id, upd, actor=actor, clock=clock)
        if changed:
            updated += 1
        else:
            unchanged += 1
    return SampleLoadReport(created=created, updated=updated, unchanged=unchanged)
