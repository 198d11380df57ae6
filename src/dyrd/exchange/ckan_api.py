"""The CKAN action API subset of the exchange catalog, under /api/3/action.

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

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from dyrd.core.deps import SessionDep
from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    DyrdError,
    FieldError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)
from dyrd.exchange import service
from dyrd.exchange.api_deps import CacheDep, base_url
from dyrd.exchange.errors import SearchQueryInvalid

router = APIRouter(prefix="/api/3/action", tags=["ckan"])


_CKAN_TYPES: tuple[tuple[type[DyrdError], int, str], ...] = (
    (SearchQueryInvalid, 400, "Search Query Error"),
    (NotFoundError, 404, "Not Found Error"),
    (ValidationFailed, 422, "Validation Error"),
    (AuthenticationRequired, 401, "Authorization Error"),
    (PermissionDenied, 403, "Authorization Error"),
    (ConfigurationError, 503, "Internal Server Error"),
)


def _help(request: Request, action: str) -> str:
    return f"{base_url(request)}api/3/action/help_show?name={action}"


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
        router.add_api_route(
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


@router.api_route(
    "/{action}", methods=["GET", "POST"], include_in_schema=False, response_model=None
)
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
    base = base_url(request)
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
