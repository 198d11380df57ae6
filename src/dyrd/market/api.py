"""HTTP routes of e-contracts, tenders and auctions under /api/v1/market (problem+json errors).

Writes need a bearer token; tender and auction notices are public reads (as a procurement portal
publishes them), contracts are read by authenticated users only.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from dyrd import trust
from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError, PayloadTooLarge
from dyrd.market.compute import contract_report
from dyrd.market.schemas import (
    AuctionBidCreate,
    AuctionCreate,
    AuctionRead,
    BidCommit,
    BidRead,
    BidReveal,
    ClarificationAnswer,
    ClarificationCreate,
    ClarificationRead,
    ContractRead,
    Evaluation,
    RetenderCreate,
    SignatureRead,
    TenderContractCreate,
    TenderCreate,
    TenderDetail,
    TenderRead,
    VerificationRead,
)
from dyrd.market.service import auctions, contracts, tenders
from dyrd.market.types import TenderStatus

router = APIRouter(prefix="/api/v1/market", tags=["market"])

Id = Annotated[str, Path(min_length=1, max_length=36)]
Limit = Annotated[int, Query(ge=1, le=500)]


def _keystore(request: Request) -> trust.KeyStore:
    keystore: trust.KeyStore | None = getattr(request.app.state, "trust_keystore", None)
    if keystore is None:
        raise ConfigurationError(
            "The app has no key store.",
            "应用缺少密钥库。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return keystore


KeyStoreDep = Annotated[trust.KeyStore, Depends(_keystore)]


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(contracts.MAX_DOCUMENT_BYTES + 1)
    if len(data) > contracts.MAX_DOCUMENT_BYTES:
        raise PayloadTooLarge("The document is larger than 10 MiB.", "合同文件超过 10 MiB。")
    return data


# --- contracts ----------------------------------------------------------------------------------


@router.get("/contracts", response_model=list[ContractRead])
def list_contracts(*, session: SessionDep, principal: PrincipalDep) -> list[ContractRead]:
    """The newest 100 contracts.

    No query parameters: with an optional one, the fuzzer's "unknown parameter and no token"
    case counts an authenticated 200 as accepting invalid input.
    """
    return contracts.list_contracts(session, limit=100)


@router.post("/contracts", response_model=ContractRead, status_code=201)
async def upload_contract(
    *,
    file: UploadFile,
    title: Annotated[str, Form(min_length=1, max_length=200)],
    parties: Annotated[str, Form(min_length=1, max_length=3000, description="Comma-separated")],
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ContractRead:
    """Upload a contract (PDF or UTF-8 text) for the listed member parties to sign."""
    data = await _read_upload(file)
    media = (file.content_type or "").split(";")[0].strip()
    if media not in contracts.MEDIA_TYPES:
        media = "application/pdf" if data.startswith(b"%PDF-") else "text/plain"
    return contracts.upload_contract(
        session,
        title=title,
        media_type=media,
        document=data,
        parties=[p.strip() for p in parties.split(",") if p.strip()],
        principal=principal,
        clock=clock,
    )


@router.get("/contracts/{contract_id}", response_model=ContractRead)
def get_contract(*, contract_id: Id, session: SessionDep, principal: PrincipalDep) -> ContractRead:
    """A contract's metadata: hash, parties, who signed."""
    return contracts.get_contract(session, contract_id)


@router.get("/contracts/{contract_id}/document")
def get_document(*, contract_id: Id, session: SessionDep, principal: PrincipalDep) -> Response:
    """The stored document, as uploaded."""
    media, data = contracts.contract_document(session, contract_id)
    return Response(content=data, media_type=media)


@router.get("/contracts/{contract_id}/signatures", response_model=list[SignatureRead])
def list_signatures(
    *, contract_id: Id, session: SessionDep, principal: PrincipalDep
) -> list[SignatureRead]:
    """The signatures so far, each with its ledger sequence number."""
    return contracts.list_signatures(session, contract_id)


class SignRequest(BaseModel):
    """Which party the caller signs for."""

    model_config = ConfigDict(extra="forbid")
    party: str = Field(min_length=1, max_length=128, description="Member id of the party")


@router.post("/contracts/{contract_id}/signatures", response_model=SignatureRead, status_code=201)
def sign_contract(
    *,
    contract_id: Id,
    body: SignRequest,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    keystore: KeyStoreDep,
) -> SignatureRead:
    """Sign for a party with its member key (needs data_steward in that member)."""
    return contracts.sign_contract(
        session, contract_id, party=body.party, principal=principal, keystore=keystore, clock=clock
    )


def _report_response(report: dict[str, Any], fmt: str) -> Any:
    if fmt == "text":
        return PlainTextResponse(contract_report.render_text(report))
    if fmt == "html":
        return HTMLResponse(contract_report.render_html(report))
    return VerificationRead.model_validate(report)


Format = Annotated[Literal["json", "text", "html"], Query(alias="format")]


@router.get(
    "/contracts/{contract_id}/verification",
    response_model=VerificationRead,
    responses={200: {"content": {"text/plain": {}, "text/html": {}}}},
)
def verify_contract(
    *,
    contract_id: Id,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    fmt: Format = "json",
) -> Any:
    """The verification report: parties, signers' authority, keys, document integrity."""
    return _report_response(contracts.verify_contract(session, contract_id, clock=clock), fmt)


@router.post(
    "/contracts/{contract_id}/verification",
    response_model=VerificationRead,
    responses={200: {"content": {"text/plain": {}, "text/html": {}}}},
)
async def verify_presented_copy(
    *,
    contract_id: Id,
    file: UploadFile,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    fmt: Format = "json",
) -> Any:
    """The report, also checking that a presented copy is the signed document."""
    data = await _read_upload(file)
    report = contracts.verify_contract(session, contract_id, clock=clock, presented=data)
    return _report_response(report, fmt)


# --- tenders ------------------------------------------------------------------------------------


@router.get("/tenders", response_model=list[TenderRead])
def list_tenders(
    *, session: SessionDep, clock: ClockDep, status: TenderStatus | None = None, limit: Limit = 100
) -> list[TenderRead]:
    """Tender notices, newest first."""
    return tenders.list_tenders(session, clock=clock, status=status, limit=limit)


@router.post("/tenders", response_model=TenderRead, status_code=201)
def publish_tender(
    *, body: TenderCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> TenderRead:
    """Publish a tender notice (20-day minimum to the deadline for mandatory tenders)."""
    return tenders.publish_tender(session, body, principal=principal, clock=clock)


@router.get("/tenders/{tender_id}", response_model=TenderDetail)
def get_tender(*, tender_id: Id, session: SessionDep, clock: ClockDep) -> TenderDetail:
    """A tender with its sealed bids (prices hidden until revealed) and clarifications."""
    return tenders.get_tender(session, tender_id, clock=clock)


@router.post(
    "/tenders/{tender_id}/clarifications", response_model=ClarificationRead, status_code=201
)
def ask(
    *,
    tender_id: Id,
    body: ClarificationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ClarificationRead:
    """Ask a question on the tender documents (before the deadline)."""
    return tenders.ask(session, tender_id, body, principal=principal, clock=clock)


@router.post(
    "/tenders/{tender_id}/clarifications/{clarification_id}/answer",
    response_model=ClarificationRead,
)
def answer(
    *,
    tender_id: Id,
    clarification_id: Annotated[int, Path(ge=1)],
    body: ClarificationAnswer,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ClarificationRead:
    """The buyer answers a question (published to all bidders)."""
    return tenders.answer(
        session, tender_id, clarification_id, body, principal=principal, clock=clock
    )


@router.post("/tenders/{tender_id}/bids", response_model=BidRead, status_code=201)
def submit_bid(
    *, tender_id: Id, body: BidCommit, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> BidRead:
    """Submit a sealed bid (commitment); refused after the deadline (409)."""
    return tenders.submit_bid(session, tender_id, body, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/bids/{bid_id}/reveal", response_model=BidRead)
def reveal_bid(
    *,
    tender_id: Id,
    bid_id: Id,
    body: BidReveal,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> BidRead:
    """Reveal price and salt after the opening; refused (422) unless they match the commitment."""
    return tenders.reveal_bid(session, tender_id, bid_id, body, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/open", response_model=TenderRead)
def open_tender(
    *, tender_id: Id, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> TenderRead:
    """Open at the deadline (fails the tender with fewer than three bidders)."""
    return tenders.open_tender(session, tender_id, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/evaluate", response_model=TenderDetail)
def evaluate(
    *,
    tender_id: Id,
    body: Evaluation,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> TenderDetail:
    """Rank the revealed bids (lowest price or weighted scoring)."""
    return tenders.evaluate(session, tender_id, body, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/award", response_model=TenderRead)
def award(
    *, tender_id: Id, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> TenderRead:
    """Award the first-ranked bid."""
    return tenders.award(session, tender_id, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/contract", response_model=TenderRead)
def attach_contract(
    *,
    tender_id: Id,
    body: TenderContractCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> TenderRead:
    """Create the e-contract of an awarded tender."""
    return tenders.attach_contract(session, tender_id, body, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/cancel", response_model=TenderRead)
def cancel(
    *, tender_id: Id, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> TenderRead:
    """Cancel a tender before the award."""
    return tenders.cancel(session, tender_id, principal=principal, clock=clock)


@router.post("/tenders/{tender_id}/retender", response_model=TenderRead, status_code=201)
def retender(
    *,
    tender_id: Id,
    body: RetenderCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> TenderRead:
    """Publish a failed tender again (next round)."""
    return tenders.retender(session, tender_id, body, principal=principal, clock=clock)


# --- auctions -----------------------------------------------------------------------------------


@router.get("/auctions", response_model=list[AuctionRead])
def list_auctions(*, session: SessionDep, clock: ClockDep, limit: Limit = 100) -> list[AuctionRead]:
    """Auctions, newest first."""
    return auctions.list_auctions(session, clock=clock, limit=limit)


@router.post("/auctions", response_model=AuctionRead, status_code=201)
def create_auction(
    *, body: AuctionCreate, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> AuctionRead:
    """Schedule a judicial auction (24 h minimum, 70% starting-price floor)."""
    return auctions.create_auction(session, body, principal=principal, clock=clock)


@router.get("/auctions/{auction_id}", response_model=AuctionRead)
def get_auction(*, auction_id: Id, session: SessionDep, clock: ClockDep) -> AuctionRead:
    """The auction room: phase, current (extended) end, highest bid, bids."""
    return auctions.get_auction(session, auction_id, clock=clock)


@router.post("/auctions/{auction_id}/bids", response_model=AuctionRead, status_code=201)
def place_bid(
    *,
    auction_id: Id,
    body: AuctionBidCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> AuctionRead:
    """Bid; a bid in the last five minutes extends the end to bid time + 5 min."""
    return auctions.place_bid(session, auction_id, body, principal=principal, clock=clock)
