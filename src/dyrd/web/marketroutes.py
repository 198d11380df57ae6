"""Dashboard route of market oversight: red flags, collusion screens and enterprise risk."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from dyrd.core.deps import ClockDep, SessionDep
from dyrd.web import marketpage
from dyrd.web.render import page_lang, render

router = APIRouter(include_in_schema=False)


@router.get(marketpage.PATH, response_class=HTMLResponse)
def market(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Red flags and screens over imported OCDS; enterprise risk scores with their weights."""
    lang, remember = page_lang(request)
    page = marketpage.market_page(session, lang=lang, clock=clock)
    return render(request, "market.html", {"page": page}, lang=lang, remember=remember)
