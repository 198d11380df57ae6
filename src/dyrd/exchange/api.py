"""HTTP routes of the exchange domain: the catalog under /api/v1/catalog, CKAN under /api/3/action.

Reads of catalog metadata are public within the platform; writes need the data-steward role of
the owning member; reading rows needs membership of the owner, or any sign-in for data that is
shared unconditionally.

CKAN compatibility, one deliberate difference: CKAN "aims to always return 200 OK" and signals
errors only with ``success: false``. Here every error also has a 4xx status (404 Not Found Error,
400 Search Query Error / Bad Request, 422 Validation Error, 401/403 Authorization Error), with
CKAN's body shape ``{"help", "success": false, "error": {"__type", "message", ...}}`` so ckanapi
and harvesters that read ``error.__type`` keep working, and plain HTTP clients see the failure.
The same body also carries the RFC 9457 members (``type``, ``title``, ``status``, ``detail``)
and is sent as ``application/problem+json``, like every other error of the platform.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import StringConstraints
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dyrd.core.auth import Principal
from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep, get_principal
from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    DyrdError,
    FieldError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)
from dyrd.core.pagination import MAX_PAGE_SIZE
from dyrd.exchange import access_api, service
from dyrd.exchange.compute.catalog import OWNER_PATTERN
from dyrd.exchange.compute.search import Filter, Sort, SortField
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.errors import SearchQueryInvalid
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
ckan = APIRouter(prefix="/api/3/action", tags=["ckan"])

Ref = Annotated[str, Path(min_length=1, max_length=100, description="Resource id (UUID) or name")]
_bearer = HTTPBearer(auto_error=False)


def search_cache(request: Request) -> service.SearchIndexCache:
    """The app's search index cache, created on first use."""
    cache: service.SearchIndexCache | None = getattr(
        request.app.state, "catalog_search_cache", None
    )
    if cache is None:
        cache = service.SearchIndexCache()
        request.app.state.catalog_search_cache = cache
    return cache


CacheDep = Annotated[service.SearchIndexCache, Depends(search_cache)]


def optional_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """The caller when a bearer token is sent (401 if it is invalid), else None."""
    if credentials is None:
        return None
    return get_principal(request, session, credentials)


OptionalPrincipalDep = Annotated[Principal | None, Depends(optional_principal)]


def _base(request: Request) -> str:
    return str(request.base_url)


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
    text = service.export_dcat(session, fmt="ttl", base_url=_base(request), clock=clock)
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
    text = service.export_dcat(session, fmt="jsonld", base_url=_base(request), clock=clock)
    return JsonLdResponse(text)


# ---------------------------------------------------------------------------------------------
# /api/3/action: the CKAN subset

_CKAN_TYPES: tuple[tuple[type[DyrdError], int, str], ...] = (
    (SearchQueryInvalid, 400, "Search Query Error"),
    (NotFoundError, 404, "Not Found Error"),
    (ValidationFailed, 422, "Validation Error"),
    (AuthenticationRequired, 401, "Authorization Error"),
    (PermissionDenied, 403, "Authorization Error"),
    (ConfigurationError, 503, "Internal Server Error"),
)


def _help(request: Request, action: str) -> str:
    return f"{_base(request)}api/3/action/help_show?name={action}"


def _ok(request: Request, action: str, result: Any) -> JSONResponse:
    return JSONResponse({"help": _help(request, action), "success": True, "result": result})


def ckan_error(request: Request, action: str, exc: DyrdError) -> JSONResponse:
    """CKAN's error envelope with a 4xx status, also carrying the RFC 9457 problem members.

    CKAN clients read ``success`` and ``error.__type``; platform clients read ``type``,
    ``status`` and ``detail`` like every other error of the API (see the module docstring).
    """
    status, kind = 400, "Bad Request"
    for cls, code, name in _CKAN_TYPES:
        if isinstance(exc, cls):
            status, kind = code, name
            break
    error: dict[str, Any] = {"__type": kind, "message": f"{kind}: {exc.message}"}
    for item in exc.errors:
        error.setdefault(item.location, []).append(item.message)
    body: dict[str, Any] = {
        "help": _help(request, action),
        "success": False,
        "error": error,
        "type": f"urn:dyrd:problem:{exc.code}",
        "title": exc.title,
        "status": status,
        "detail": exc.message,
        "title_zh": exc.title_zh,
        "detail_zh": exc.message_zh,
    }
    if exc.hint:
        body["hint"] = exc.hint
    if exc.errors:
        body["errors"] = [e.as_dict() for e in exc.errors]
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


async def _params(request: Request) -> dict[str, Any]:
    """Action parameters from the query string (GET) or a JSON/form body (POST), like CKAN."""
    params: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if key == "fq_list" else values[-1]
    if request.method == "POST":
        body = await request.body()
        if body.strip():
            if request.headers.get("content-type", "").startswith("application/x-www-form"):
                form = await request.form()
                params.update({k: v for k, v in form.items() if isinstance(v, str)})
            else:
                try:
                    data = json.loads(body)
                except json.JSONDecodeError:
                    raise ValidationFailed(
                        "The request body is not valid JSON.", "请求体不是合法的 JSON。"
                    ) from None
                if not isinstance(data, dict):
                    raise ValidationFailed(
                        "The request body must be a JSON object.", "请求体必须是 JSON 对象。"
                    )
                params.update(data)
    return params


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1", "yes")


def _required(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if value in (None, ""):
        raise ValidationFailed(
            f"Missing value: {name}.",
            f"缺少参数 {name}。",
            errors=[FieldError(name, "Missing value", "缺少值")],
        )
    return str(value)


def _optional_int(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{name} must be an integer.", f"{name} 必须是整数。") from None
    if number < 0:
        raise ValidationFailed(f"{name} must not be negative.", f"{name} 不能为负数。")
    return number


_ACTIONS: dict[str, str] = {
    "package_search": (
        "Search datasets. Parameters: q, fq, fq_list, rows (<=1000), start, sort "
        "(score | metadata_modified | title_string | name, asc/desc), facet.field (JSON list), "
        "facet.limit."
    ),
    "package_show": "One dataset by id or name. Parameters: id.",
    "organization_list": "Owning members. Parameters: all_fields, sort, limit, offset.",
    "organization_show": "One owning member. Parameters: id, include_datasets.",
    "package_autocomplete": "Datasets whose name or title contains q. Parameters: q, limit.",
    "status_show": "The site: title, URL, CKAN API version, default locale. No parameters.",
}


async def _handle(
    action: str, request: Request, session: Session, cache: service.SearchIndexCache
) -> JSONResponse:
    try:
        params = await _params(request)
        result = await run_in_threadpool(_run_action, action, params, request, session, cache)
    except DyrdError as exc:
        return ckan_error(request, action, exc)
    return _ok(request, action, result)


def _register(action: str, description: str) -> None:
    async def endpoint(request: Request, session: SessionDep, cache: CacheDep) -> JSONResponse:
        return await _handle(action, request, session, cache)

    for method in ("GET", "POST"):
        ckan.add_api_route(
            f"/{action}",
            endpoint,
            methods=[method],
            operation_id=f"ckan_{action}_{method.lower()}",
            summary=f"CKAN {action}",
            description=f"{description} Parameters come from the query string (GET) or a JSON "
            "body (POST); the answer is CKAN's envelope {help, success, result}. Errors use "
            "CKAN's error object with a 4xx status.",
            response_model=None,
        )


for _name, _description in _ACTIONS.items():
    _register(_name, _description)


@ckan.api_route("/{action}", methods=["GET", "POST"], include_in_schema=False, response_model=None)
async def unknown_action(
    action: Annotated[str, Path(max_length=100)],
    request: Request,
    session: SessionDep,
    cache: CacheDep,
) -> JSONResponse:
    """Any other action name: CKAN's "Action name not known" error."""
    return await _handle(action, request, session, cache)


def _run_action(
    action: str,
    params: dict[str, Any],
    request: Request,
    session: Session,
    cache: service.SearchIndexCache,
) -> Any:
    base = _base(request)
    if action == "package_search":
        return service.package_search(session, params, base_url=base, cache=cache)
    if action == "package_show":
        return service.package_show(session, _required(params, "id"), base_url=base)
    if action == "organization_list":
        return service.organization_list(
            session,
            all_fields=_flag(params.get("all_fields")),
            sort=str(params.get("sort") or "name asc"),
            limit=_optional_int(params, "limit"),
            offset=_optional_int(params, "offset") or 0,
        )
    if action == "organization_show":
        return service.organization_show(
            session,
            _required(params, "id"),
            base_url=base,
            include_datasets=_flag(params.get("include_datasets")),
        )
    if action == "package_autocomplete":
        return service.package_autocomplete(session, params, cache=cache)
    if action == "status_show":
        return service.status_show(base_url=base)
    raise DyrdError(
        f"Bad request - Action name not known: {action}",
        f"不支持的操作：{action}",
        hint=f"Supported actions: {', '.join(_ACTIONS)}.",
    )


router.include_router(catalog)
router.include_router(ckan)
router.include_router(access_api.router)
