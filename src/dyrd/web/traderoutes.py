"""Dashboard routes of e-tendering, the auction room and e-contract verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from dyrd.core.deps import ClockDep, SessionDep
from dyrd.core.errors import DyrdError
from dyrd.market.service import auctions, contracts, tenders
from dyrd.web import auth, tradepage
from dyrd.web.common import local_time, notice
from dyrd.web.i18n import Lang
from dyrd.web.render import page_lang, render

router = APIRouter(include_in_schema=False)

Id = Annotated[str, Path(min_length=1, max_length=36)]


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    lang: Lang,
    remember: Lang | None,
    status_code: int = 200,
) -> HTMLResponse:
    full = {"L": tradepage.labels(lang), "time": local_time, **context}
    return render(request, template, full, lang=lang, remember=remember, status_code=status_code)


def _not_found(request: Request, code: str, lang: Lang, remember: Lang | None) -> HTMLResponse:
    context = {"code": code}
    return _page(
        request, "mk_not_found.html", context, lang=lang, remember=remember, status_code=404
    )


@router.get(tradepage.TENDERS_PATH, response_class=HTMLResponse)
def tender_list(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Tender notices with their state."""
    lang, remember = page_lang(request)
    rows = tenders.list_tenders(session, clock=clock)
    return _page(request, "mk_tenders.html", {"rows": rows}, lang=lang, remember=remember)


@router.get(tradepage.TENDERS_PATH + "/{tender_id}", response_class=HTMLResponse)
def tender_detail(
    request: Request, tender_id: Id, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    """One tender: facts, sealed or revealed bids, clarifications."""
    lang, remember = page_lang(request)
    try:
        tender = tenders.get_tender(session, tender_id, clock=clock)
    except DyrdError:
        return _not_found(request, tender_id, lang, remember)
    return _page(request, "mk_tender.html", {"tender": tender}, lang=lang, remember=remember)


@router.get(tradepage.AUCTIONS_PATH, response_class=HTMLResponse)
def auction_list(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Auctions with their phase and end."""
    lang, remember = page_lang(request)
    rows = auctions.list_auctions(session, clock=clock)
    return _page(request, "mk_auctions.html", {"rows": rows}, lang=lang, remember=remember)


@router.get(tradepage.AUCTIONS_PATH + "/{auction_id}", response_class=HTMLResponse)
def auction_room(
    request: Request, auction_id: Id, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    """The auction room; its script polls the API and shows extensions as they happen."""
    lang, remember = page_lang(request)
    try:
        room = auctions.get_auction(session, auction_id, clock=clock)
    except DyrdError:
        return _not_found(request, auction_id, lang, remember)
    return _page(request, "mk_auction.html", {"a": room}, lang=lang, remember=remember)


def _contract_page(
    request: Request,
    contract_id: str,
    session: SessionDep,
    clock: ClockDep,
    presented: bytes | None,
) -> HTMLResponse:
    lang, remember = page_lang(request)
    if auth.viewer(request) is None:
        return _page(
            request,
            "mk_contract.html",
            {"report": None},
            lang=lang,
            remember=remember,
            status_code=401,
        )
    try:
        report = contracts.verify_contract(session, contract_id, clock=clock, presented=presented)
    except DyrdError:
        return _not_found(request, contract_id, lang, remember)
    context = {"report": report, "presented": presented is not None}
    return _page(request, "mk_contract.html", context, lang=lang, remember=remember)


@router.get(tradepage.CONTRACTS_PATH + "/{contract_id}", response_class=HTMLResponse)
def contract_verification(
    request: Request, contract_id: Id, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    """The verification report of a contract (signed-in users)."""
    return _contract_page(request, contract_id, session, clock, None)


@router.post(tradepage.CONTRACTS_PATH + "/{contract_id}", response_class=HTMLResponse)
async def contract_copy_check(
    request: Request, contract_id: Id, session: SessionDep, clock: ClockDep
) -> HTMLResponse:
    """The report, also checking an uploaded copy against the signed document."""
    lang, remember = page_lang(request)
    async with request.form(max_files=1, max_fields=4) as data:
        csrf = data.get("csrf")
        upload = data.get("file")
        content = b""
        if isinstance(upload, UploadFile):
            content = await upload.read(contracts.MAX_DOCUMENT_BYTES + 1)
    if not auth.csrf_ok(request, csrf if isinstance(csrf, str) else ""):
        return render(
            request,
            "refused.html",
            {"notices": (notice("notice.csrf"),)},
            lang=lang,
            remember=remember,
            status_code=403,
        )
    return _contract_page(request, contract_id, session, clock, content)
