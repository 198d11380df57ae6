"""FastAPI dependencies the exchange catalog routes share (``api`` and ``ckan_api``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dyrd.core.auth import Principal
from dyrd.core.deps import SessionDep, get_principal
from dyrd.exchange import service

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


def base_url(request: Request) -> str:
    """The app's base URL, as the request reached it (links in answers start here)."""
    return str(request.base_url)
