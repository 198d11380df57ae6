"""Dashboard routes: server-rendered pages (zh-CN first, ``?lang=en`` remembered in a cookie)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

import dyrd
from dyrd.core.deps import SessionDep
from dyrd.core.errors import NotFoundError
from dyrd.web import citypage, common, overview
from dyrd.web.i18n import COOKIE, DEFAULT_LANG, HTML_LANG, Lang, other, parse_lang, t, unit_label

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
COOKIE_MAX_AGE = 365 * 24 * 3600
CITY_CODE = re.compile(r"^\d{6}$")

templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
)
router = APIRouter(include_in_schema=False)

# Raw strings on purpose: a malformed value becomes a notice on the page, not a 422.
Param = Annotated[str | None, Query()]


def _lang(request: Request) -> tuple[Lang, Lang | None]:
    """(language to render, language to remember) from ?lang=, the cookie, then the settings."""
    asked = parse_lang(request.query_params.get("lang"))
    if asked is not None:
        return asked, asked
    remembered = parse_lang(request.cookies.get(COOKIE))
    if remembered is not None:
        return remembered, None
    settings = getattr(request.app.state, "settings", None)
    configured = parse_lang(getattr(settings, "default_language", None))
    return configured or DEFAULT_LANG, None


def _static(path: str) -> str:
    return f"/static/{path}?v={dyrd.__version__}"


def _render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    lang: Lang,
    remember: Lang | None,
    status_code: int = 200,
) -> HTMLResponse:
    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    base = {
        "lang": lang,
        "other_lang": other(lang),
        "html_lang": HTML_LANG[lang],
        "t": tr,
        "t_in": t,
        "unit_label": lambda unit: unit_label(unit, lang),
        "static": _static,
        "lang_links": common.language_links(request.url.path, dict(request.query_params)),
        "path": request.url.path,
        "notices": (),
    }
    response = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if remember is not None:
        response.set_cookie(
            COOKIE, remember, max_age=COOKIE_MAX_AGE, path="/", samesite="lax", httponly=True
        )
    response.headers["Content-Language"] = HTML_LANG[lang]
    response.headers["Vary"] = "Cookie"  # the same URL renders in the language of the cookie
    return response


def _not_found(request: Request, code: str, *, lang: Lang, remember: Lang | None) -> HTMLResponse:
    return _render(
        request, "not_found.html", {"code": code}, lang=lang, remember=remember, status_code=404
    )


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


def install(app: FastAPI) -> None:
    """Mount the dashboard pages and their static assets on ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
