"""Dashboard routes: server-rendered pages (zh-CN first, ``?lang=en`` remembered in a cookie)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from dyrd.core.deps import ClockDep, SessionDep
from dyrd.core.errors import NotFoundError
from dyrd.exchange import AccessPolicy
from dyrd.exchange import service as exchange
from dyrd.web import (
    auth,
    catalogpage,
    citypage,
    diffpage,
    economypage,
    epidemicpage,
    exchangeroutes,
    healthcoderoutes,
    ledgerpage,
    marketroutes,
    overview,
    requestspage,
    resourcepage,
    supplypage,
    traderoutes,
)
from dyrd.web.i18n import Lang
from dyrd.web.render import page_lang, render

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
CITY_CODE = re.compile(r"^\d{6}$")
# Catalog ids are UUIDs, names lower-case slugs; anything else cannot name a resource.
RESOURCE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

router = APIRouter(include_in_schema=False)

# Raw strings on purpose: a malformed value becomes a notice on the page, not a 422.
Param = Annotated[str | None, Query()]

_lang = page_lang
_render = render


def _not_found(
    request: Request,
    code: str,
    *,
    lang: Lang,
    remember: Lang | None,
    what: str = "city",
) -> HTMLResponse:
    """The bilingual 404 page about a city (``what="city"``) or a catalog resource."""
    if what == "city":
        keys = ("notfound.city", "notfound.hint", "/", "city.back")
    else:
        keys = ("notfound.resource", "notfound.resource.hint", catalogpage.PATH, "catalog.back")
    context: dict[str, Any] = dict(
        zip(("nf_key", "nf_hint", "back_href", "back_key"), keys, strict=True)
    )
    context["code"] = code
    return _render(
        request, "not_found.html", context, lang=lang, remember=remember, status_code=404
    )


def _search_cache(request: Request) -> exchange.SearchIndexCache:
    """The app's catalog search index (shared with the catalog API), created on first use."""
    cache: exchange.SearchIndexCache | None = getattr(
        request.app.state, "catalog_search_cache", None
    )
    if cache is None:
        cache = exchange.SearchIndexCache()
        request.app.state.catalog_search_cache = cache
    return cache


@router.get("/", response_class=HTMLResponse)
def overview_page(
    *,
    request: Request,
    session: SessionDep,
    indicator: Param = None,
    year: Param = None,
    sort: Param = None,
    order: Param = None,
) -> HTMLResponse:
    """Region overview: choropleth of the 41 cities, key figures, ranking, city table."""
    lang, remember = _lang(request)
    page = overview.overview(
        session, lang=lang, indicator=indicator, year=year, sort=sort, order=order
    )
    return _render(
        request,
        "overview.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


@router.get("/cities/{code}", response_class=HTMLResponse)
def city(request: Request, session: SessionDep, code: str) -> HTMLResponse:
    """One city: profile, every indicator with year and source, sector split."""
    lang, remember = _lang(request)
    if not CITY_CODE.match(code):
        return _not_found(request, code, lang=lang, remember=remember)
    try:
        page = citypage.city_page(session, code, lang=lang)
    except NotFoundError:
        return _not_found(request, code, lang=lang, remember=remember)
    return _render(request, "city.html", {"page": page}, lang=lang, remember=remember)


def _answer_days(request: Request) -> int:
    """Working days an owner has to answer an access request, as the app is configured."""
    policy = getattr(request.app.state, "exchange_access_policy", None)
    if not isinstance(policy, AccessPolicy):
        policy = AccessPolicy()  # the workflow's defaults
    return policy.answer_working_days


@router.get("/catalog", response_class=HTMLResponse)
def catalog(request: Request, session: SessionDep) -> HTMLResponse:
    """The data-sharing catalog: search, facets, sorting, paging."""
    lang, remember = _lang(request)
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    page = catalogpage.catalog_page(session, params, lang=lang, cache=_search_cache(request))
    return _render(
        request,
        "catalog.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


@router.get("/catalog/{ref}", response_class=HTMLResponse)
def resource(request: Request, session: SessionDep, clock: ClockDep, ref: str) -> HTMLResponse:
    """One catalog resource: metadata, schema, quality, versions, exports."""
    lang, remember = _lang(request)
    if not RESOURCE_REF.match(ref):
        return _not_found(request, ref, lang=lang, remember=remember, what="resource")
    try:
        page = resourcepage.resource_page(
            session, ref, lang=lang, clock=clock, answer_days=_answer_days(request)
        )
    except NotFoundError:
        return _not_found(request, ref, lang=lang, remember=remember, what="resource")
    form = requestspage.request_form(
        auth.viewer(request),
        ref=page.name,
        owner=page.owner,
        sharing=page.sharing.code,
        withdrawn=page.withdrawn,
        columns=[c.name for c in page.columns],
        is_table=page.is_table,
        max_days=exchangeroutes.policy_of(request).max_grant_days,
        who=catalogpage.names(session, []),
        lang=lang,
    )
    return _render(
        request, "resource.html", {"page": page, "form": form}, lang=lang, remember=remember
    )


@router.get("/catalog/{ref}/diff", response_class=HTMLResponse)
def resource_diff(request: Request, session: SessionDep, ref: str) -> HTMLResponse:
    """Field-by-field changes between two versions of a resource."""
    lang, remember = _lang(request)
    if not RESOURCE_REF.match(ref):
        return _not_found(request, ref, lang=lang, remember=remember, what="resource")
    q = request.query_params
    try:
        page = diffpage.diff_page(session, ref, lang=lang, a=q.get("from"), b=q.get("to"))
    except NotFoundError:
        return _not_found(request, ref, lang=lang, remember=remember, what="resource")
    return _render(
        request,
        "diff.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


@router.get("/ledger", response_class=HTMLResponse)
def ledger_status(request: Request, session: SessionDep) -> HTMLResponse:
    """The audit ledger: newest signed tree head, log size, latest entries, offline checks."""
    lang, remember = _lang(request)
    page = ledgerpage.ledger_page(session, lang=lang)
    return _render(request, "ledger.html", {"page": page}, lang=lang, remember=remember)


@router.get(economypage.PATH, response_class=HTMLResponse)
def economy(
    request: Request,
    session: SessionDep,
    city: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> HTMLResponse:
    """Economy monitor: index map, ranks, radar of one city, inequality, alerts."""
    lang, remember = _lang(request)
    cache = getattr(request.app.state, "economy_stability_cache", None)
    page = economypage.economy_page(session, lang=lang, stability_cache=cache, city=city)
    return _render(
        request,
        "economy.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


@router.get(epidemicpage.PATH, response_class=HTMLResponse)
def epidemic(
    request: Request, session: SessionDep, origin: str | None = None, city: str | None = None
) -> HTMLResponse:
    """Epidemic monitor: forecast map and table, fan chart, scenarios, response levels."""
    lang, remember = _lang(request)
    page = epidemicpage.epidemic_page(session, lang=lang, origin=origin, city=city)
    return _render(
        request,
        "epidemic.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


@router.get(supplypage.PATH, response_class=HTMLResponse)
def supply(request: Request, session: SessionDep) -> HTMLResponse:
    """Supply chains: chains across the delta, decisions, matches, disruption scenarios."""
    lang, remember = _lang(request)
    page = supplypage.supply_page(session, lang=lang)
    return _render(request, "supply.html", {"page": page}, lang=lang, remember=remember)


def install(app: FastAPI) -> None:
    """Mount the dashboard pages and their static assets on ``app``."""
    app.include_router(router)
    app.include_router(exchangeroutes.router)
    app.include_router(healthcoderoutes.router)
    app.include_router(marketroutes.router)
    app.include_router(traderoutes.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
