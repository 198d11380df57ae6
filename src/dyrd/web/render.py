"""Rendering shared by every dashboard page: templates, the page language, the signed-in user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined

import dyrd
from dyrd.web import auth, common
from dyrd.web.i18n import COOKIE, DEFAULT_LANG, HTML_LANG, Lang, other, parse_lang, t, unit_label

HERE = Path(__file__).resolve().parent
COOKIE_MAX_AGE = 365 * 24 * 3600

templates = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
)


def page_lang(request: Request) -> tuple[Lang, Lang | None]:
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


def static(path: str) -> str:
    """URL of a static asset, versioned so a new release is never served from a stale cache."""
    return f"/static/{path}?v={dyrd.__version__}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    lang: Lang,
    remember: Lang | None,
    status_code: int = 200,
) -> HTMLResponse:
    """A page in ``lang``, with the frame's context (links, language, the signed-in user)."""

    def tr(key: str, **params: object) -> str:
        return t(key, lang, **params)

    base = {
        "lang": lang,
        "other_lang": other(lang),
        "html_lang": HTML_LANG[lang],
        "t": tr,
        "t_in": t,
        "unit_label": lambda unit: unit_label(unit, lang),
        "static": static,
        "lang_links": common.language_links(request.url.path, request.query_params.multi_items()),
        "path": request.url.path,
        "notices": (),
        "user": auth.viewer(request),
        "csrf": auth.csrf_token(request),
    }
    response = templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )
    if remember is not None:
        response.set_cookie(
            COOKIE, remember, max_age=COOKIE_MAX_AGE, path="/", samesite="lax", httponly=True
        )
    auth.keep_csrf_cookie(request, response)
    response.headers["Content-Language"] = HTML_LANG[lang]
    response.headers["Vary"] = "Cookie"  # the same URL renders in the language of the cookie
    return response
