"""HTTP routes of the exchange domain: the catalog under /api/v1/catalog.

Reads of catalog metadata are public within the platform; writes need the data-steward role of
the owning member; reading rows needs membership of the owner, or any sign-in for data that is
shared unconditionally. The CKAN action API (/api/3/action) is in ``ckan_api``; the dependencies
both share are in ``api_deps``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import StringConstraints

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.pagination import MAX_PAGE_SIZE
from dyrd.exchange import access_api, ckan_api, service
from dyrd.exchange.api_deps import CacheDep, OptionalPrincipalDep, base_url
from dyrd.exchange.compute.catalog import OWNER_PATTERN
from dyrd.exchange.compute.search import Filter, Sort, SortField
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.schemas import (
    DataPage,
    OrganizationRead,
    QualityRead,
    ResourceCreate,
    ResourceRead,
    ResourceUpdate,
    SearchPage,
    ValidationReport,
    VersionDiff,
    VersionRead,
    VersionSummary,
)
from dyrd.exchange.types import LICENCES, Frequency, ResourceKind, SharingClass, Theme


class TurtleResponse(PlainTextResponse):
    """RDF Turtle."""

    media_type = "text/turtle"


class JsonLdResponse(PlainTextResponse):
    """JSON-LD (kept as serialised by rdflib, not re-encoded)."""

    media_type = "application/ld+json"


class CsvResponse(PlainTextResponse):
    """CSV with a header row."""

    media_type = "text/csv"


router = APIRouter()
catalog = APIRouter(prefix="/api/v1/catalog", tags=["catalog"])

Ref = Annotated[str, Path(min_length=1, max_length=100, description="Resource id (UUID) or name")]


# ---------------------------------------------------------------------------------------------
# /api/v1/catalog


@catalog.get("/resources", response_model=SearchPage)
def search_resources(
    *,
    session: SessionDep,
    cache: CacheDep,
    q: Annotated[str, Query(max_length=500, description="Text, e.g. 企业 信用 or credit")] = "",
    owner: Annotated[
        list[Annotated[str, StringConstraints(pattern=OWNER_PATTERN)]] | None,
        Query(max_length=50, description="Owning member id(s), e.g. CN-YRD/GOV/330000/SCJGJ"),
    ] = None,
    jurisdiction: Annotated[
        list[Annotated[str, StringConstraints(pattern=r"^(\d{6}|CN-YRD)$")]] | None,
        Query(max_length=50, description="Province code(s), e.g. 330000"),
    ] = None,
    theme: Annotated[list[Theme] | None, Query(max_length=13)] = None,
    sharing_class: Annotated[list[SharingClass] | None, Query(max_length=3)] = None,
    keyword: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    format: Annotated[  # the facet's public name
        list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,16}$")]] | None,
        Query(max_length=10, description="CSV, JSON or API"),
    ] = None,
    kind: Annotated[list[ResourceKind] | None, Query(max_length=2)] = None,
    sort: SortField = SortField.RELEVANCE,
    order: Annotated[str | None, Query(pattern="^(asc|desc)$")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> SearchPage:
    """Search the catalog (Chinese and English), filter by facets, sort and page."""
    include = {
        "owner": owner,
        "jurisdiction": jurisdiction,
        "theme": [t.value for t in theme or []],
        "sharing_class": [s.value for s in sharing_class or []],
        "keyword": [keyword] if keyword else None,
        "format": [f.upper() for f in format or []],
        "kind": [k.value for k in kind or []],
    }
    descending = order == "desc" if order else sort in (SortField.RELEVANCE, SortField.MODIFIED)
    return service.search_catalog(
        session,
        query=q,
        filters=Filter(include={k: set(v) for k, v in include.items() if v}),
        sort=Sort(sort, descending),
        offset=offset,
        limit=limit,
        cache=cache,
    )


@catalog.post("/resources", response_model=ResourceRead, status_code=201)
def create_resource(
    *,
    body: ResourceCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    response: Response,
) -> ResourceRead:
    """Register a table or service; needs the data_steward role of the owning member."""
    created = service.create_resource(session, body, principal=principal, clock=clock)
    response.headers["Location"] = f"/api/v1/catalog/resources/{created.id}"
    return created


@catalog.get("/resources/{ref}", response_model=ResourceRead)
def get_resource(ref: Ref, session: SessionDep) -> ResourceRead:
    """One resource at its current version."""
    return service.get_resource(session, ref)


@catalog.patch("/resources/{ref}", response_model=ResourceRead)
def update_resource(
    *,
    ref: Ref,
    body: ResourceUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    drop_data: Annotated[
        bool, Query(description="Allow a column change that the stored data does not fit")
    ] = False,
) -> ResourceRead:
    """Change metadata; writes a new version when anything changed."""
    read, _ = service.update_resource(
        session, ref, body, principal=principal, clock=clock, drop_data=drop_data
    )
    return read


@catalog.delete("/resources/{ref}", response_model=ResourceRead)
def withdraw_resource(
    *,
    ref: Ref,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    reason: Annotated[str, Query(max_length=1000)] = "",
) -> ResourceRead:
    """Withdraw a resource from the catalog; its versions stay readable."""
    return service.withdraw_resource(session, ref, principal=principal, clock=clock, reason=reason)


@catalog.get("/resources/{ref}/versions", response_model=list[VersionSummary])
def versions(ref: Ref, session: SessionDep) -> list[VersionSummary]:
    """The resource's history, oldest first."""
    return service.list_versions(session, ref)


@catalog.get("/resources/{ref}/versions/{number}", response_model=VersionRead)
def version(ref: Ref, number: Annotated[int, Path(ge=1)], session: SessionDep) -> VersionRead:
    """One version: metadata as it was, the diff from the previous version, data and quality."""
    return service.get_version(session, ref, number)


@catalog.get("/resources/{ref}/diff", response_model=VersionDiff)
def diff(
    *,
    ref: Ref,
    session: SessionDep,
    principal: OptionalPrincipalDep,
    from_version: Annotated[int, Query(alias="from", ge=1)],
    to_version: Annotated[int, Query(alias="to", ge=1)],
) -> VersionDiff:
    """Changes between any two versions; row-level changes for callers who may read the data."""
    rows = service.data_entry_allowed(session, ref, principal)
    return service.diff_versions(session, ref, from_version, to_version, include_rows=rows)


def _upload_format(file: UploadFile, content: bytes, fmt: FileFormat | None) -> FileFormat:
    if fmt is not None:
        return fmt
    name = (file.filename or "").lower()
    if name.endswith((".parquet", ".pq")) or content[:4] == b"PAR1":
        return FileFormat.PARQUET
    return FileFormat.CSV


def _read_upload(file: UploadFile) -> bytes:
    # One byte past the limit is enough for the service to refuse with the sizes in the message.
    return file.file.read(service.MAX_UPLOAD_BYTES + 1)


FileParam = Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or Parquet")]
FormatParam = Annotated[
    FileFormat | None, Query(description="csv or parquet; guessed from the file when omitted")
]


@catalog.post("/resources/{ref}/data", response_model=VersionRead, status_code=201)
def upload(
    *,
    ref: Ref,
    file: FileParam,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    response: Response,
    format: FormatParam = None,  # public parameter name
    summary: Annotated[str | None, Form(max_length=1000)] = None,
) -> VersionRead:
    """Upload a table's data: checked cell by cell; stored as a new version only if all pass.

    Problems come back as 422 with one entry per cell (``row N, column C``; rows count from 1
    after the header). Identical content again returns the current version with 200.
    """
    content = _read_upload(file)
    ver, created = service.upload_data(
        session,
        ref,
        content=content,
        fmt=_upload_format(file, content, format),
        principal=principal,
        clock=clock,
        summary=summary,
    )
    if not created:
        response.status_code = 200
    return ver


@catalog.post("/resources/{ref}/data/check", response_model=ValidationReport)
def check(
    *,
    ref: Ref,
    file: FileParam,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    format: FormatParam = None,  # public parameter name
) -> ValidationReport:
    """Check a file against the declared columns and report its quality; stores nothing."""
    content = _read_upload(file)
    return service.check_data(
        session, ref, content=content, fmt=_upload_format(file, content, format), clock=clock
    )


@catalog.get("/resources/{ref}/data", response_model=DataPage)
def data(
    *,
    ref: Ref,
    session: SessionDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> DataPage:
    """Rows of a table at a version (default: current)."""
    return service.read_data(
        session, ref, principal=principal, version=version, limit=limit, offset=offset
    )


@catalog.get("/resources/{ref}/data.csv", response_class=CsvResponse)
def data_csv(
    *,
    ref: Ref,
    session: SessionDep,
    principal: PrincipalDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> CsvResponse:
    """All rows of a table at a version as CSV."""
    return CsvResponse(service.data_csv(session, ref, principal=principal, version=version))


@catalog.get("/resources/{ref}/quality", response_model=QualityRead)
def quality(
    *,
    ref: Ref,
    session: SessionDep,
    clock: ClockDep,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> QualityRead:
    """Completeness, validity, uniqueness per column and freshness against the frequency."""
    return service.quality(session, ref, clock=clock, version=version)


@catalog.get("/organizations", response_model=list[OrganizationRead])
def organizations(session: SessionDep) -> list[OrganizationRead]:
    """Members that own catalog entries."""
    return service.list_organizations(session)


@catalog.get("/organizations/{name}", response_model=OrganizationRead)
def organization(
    name: Annotated[str, Path(max_length=140)], session: SessionDep
) -> OrganizationRead:
    """One owning member, by member id or CKAN organization name."""
    return service.get_organization(session, name)


@catalog.get("/vocabularies")
def vocabularies() -> dict[str, Any]:
    """Controlled values: themes, frequencies, sharing classes, licences."""
    return {
        "themes": [
            {"code": t.value, "uri": t.uri, "label_zh": t.label_zh, "label_en": t.label_en}
            for t in Theme
        ],
        "frequencies": [{"code": f.value, "uri": f.uri, "label_zh": f.label_zh} for f in Frequency],
        "sharing_classes": [{"code": s.value, "label_zh": s.label_zh} for s in SharingClass],
        "licences": [
            {"code": lic.code, "uri": lic.uri, "title_zh": lic.title_zh, "title_en": lic.title_en}
            for lic in LICENCES.values()
        ],
    }


@catalog.get("/dcat.ttl", response_class=TurtleResponse)
def dcat_turtle(request: Request, session: SessionDep, clock: ClockDep) -> TurtleResponse:
    """The whole catalog as DCAT-AP 3.0.1 Turtle."""
    text = service.export_dcat(session, fmt="ttl", base_url=base_url(request), clock=clock)
    return TurtleResponse(text)


@catalog.get(
    "/dcat.jsonld",
    response_class=JsonLdResponse,
    responses={
        200: {
            "description": "JSON-LD document with an @context and an @graph",
            "content": {"application/ld+json": {"schema": {"type": "object"}}},
        }
    },
)
def dcat_jsonld(request: Request, session: SessionDep, clock: ClockDep) -> JsonLdResponse:
    """The whole catalog as DCAT-AP 3.0.1 JSON-LD."""
    text = service.export_dcat(session, fmt="jsonld", base_url=base_url(request), clock=clock)
    return JsonLdResponse(text)


router.include_router(catalog)
router.include_router(ckan_api.router)
router.include_router(access_api.router)
