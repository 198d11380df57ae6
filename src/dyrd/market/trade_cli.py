"""`dyrd market contract|tender|auction ...`: e-contracts, e-tendering and online auctions.

The CLI is the node operator's tool: it acts as an administrator of the region (as the other
domains' CLIs do), recorded as ``cli:<login>`` on every row and ledger entry.
"""

from __future__ import annotations

import getpass
import json
import secrets
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.core.types import REGION_MEMBER_ID, Role
from dyrd.market.compute import contract_report
from dyrd.market.compute import sealed_bid as sb
from dyrd.market.errors import MarketInputInvalid
from dyrd.market.schemas import AuctionBidCreate, BidCommit, BidReveal, Evaluation, TenderCreate
from dyrd.market.service import auctions, contracts, tenders

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
IdArg = Annotated[str, typer.Argument(help="编号 / id")]


def _operator() -> Principal:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        login = "unknown"
    return Principal("cli:" + login, {REGION_MEMBER_ID: frozenset({Role.ADMIN})})


def _contract_app(keystore: Callable[[], trust.KeyStore]) -> typer.Typer:
    app = typer.Typer(help="电子合同 / E-contracts.", no_args_is_help=True)

    @app.command("upload")
    def upload(
        ctx: typer.Context,
        path: Annotated[
            Path, typer.Argument(exists=True, dir_okay=False, help="PDF 或文本 / PDF or text")
        ],
        title: Annotated[str, typer.Option(help="合同标题 / title")],
        party: Annotated[
            list[str], typer.Option(help="签署方成员标识（可重复）/ party member id (repeat)")
        ],
        as_json: JsonFlag = False,
    ) -> None:
        """上传合同 / Upload a contract for the parties to sign."""
        data = path.read_bytes()
        media = "application/pdf" if data.startswith(b"%PDF-") else "text/plain"
        with session_scope(ctx) as session:
            row = contracts.upload_contract(
                session,
                title=title,
                media_type=media,
                document=data,
                parties=party,
                principal=_operator(),
                clock=state(ctx).clock,
            )
        if as_json:
            print_json(row.model_dump(mode="json"))
        else:
            typer.echo(f"已上传 uploaded: {row.id}  sha256 {row.sha256}")

    @app.command("sign")
    def sign(
        ctx: typer.Context,
        contract_id: IdArg,
        party: Annotated[str, typer.Option(help="代表签署的成员 / party signed for")],
    ) -> None:
        """以成员密钥签署 / Sign for a party with its member key (time-stamped in the ledger)."""
        with session_scope(ctx) as session:
            sig = contracts.sign_contract(
                session,
                contract_id,
                party=party,
                principal=_operator(),
                keystore=keystore(),
                clock=state(ctx).clock,
            )
        typer.echo(
            f"已签署 signed: {sig.party} key {sig.key_id} at {sig.signed_at.isoformat()} "
            f"(ledger #{sig.ledger_seq})"
        )

    @app.command("verify")
    def verify(
        ctx: typer.Context,
        contract_id: IdArg,
        copy: Annotated[
            Path | None,
            typer.Option(exists=True, dir_okay=False, help="待核对的副本 / copy to check"),
        ] = None,
        fmt: Annotated[str, typer.Option("--format", help="text | json | html")] = "text",
    ) -> None:
        """验证报告 / Verification report; exit 1 when the contract is not valid."""
        if fmt not in ("text", "json", "html"):
            raise MarketInputInvalid(
                "Use --format text, json or html.", "格式须为 text、json 或 html。"
            )
        presented = None if copy is None else copy.read_bytes()
        with session_scope(ctx) as session:
            report = contracts.verify_contract(
                session, contract_id, clock=state(ctx).clock, presented=presented
            )
        if fmt == "json":
            print_json(report)
        elif fmt == "html":
            typer.echo(contract_report.render_html(report))
        else:
            typer.echo(contract_report.render_text(report), nl=False)
        if not report["valid"]:
            raise typer.Exit(1)

    @app.command("list")
    def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """合同列表 / The newest contracts."""
        with session_scope(ctx) as session:
            rows = contracts.list_contracts(session)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
            return
        print_table(
            "合同 Contracts",
            ["id", "标题 title", "签署方 parties", "已签 signed"],
            [(r.id, r.title, ", ".join(r.parties), ", ".join(r.signed_by)) for r in rows],
        )

    return app


def _tender_app() -> typer.Typer:  # noqa: PLR0915  # one nested function per command, as Typer wants
    app = typer.Typer(help="电子招投标 / E-tendering with sealed bids.", no_args_is_help=True)

    @app.command("list")
    def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """招标项目 / Tenders, newest first."""
        with session_scope(ctx) as session:
            rows = tenders.list_tenders(session, clock=state(ctx).clock)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
            return
        print_table(
            "招标 Tenders",
            ["id", "标题 title", "状态 status", "截止 deadline", "投标 bids"],
            [(r.id, r.title, r.status.value, r.deadline.isoformat(), r.bids) for r in rows],
        )

    @app.command("show")
    def show(ctx: typer.Context, tender_id: IdArg) -> None:
        """招标详情（JSON）/ A tender with its bids and clarifications, as JSON."""
        with session_scope(ctx) as session:
            print_json(
                tenders.get_tender(session, tender_id, clock=state(ctx).clock).model_dump(
                    mode="json"
                )
            )

    @app.command("publish")
    def publish(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        title: Annotated[str, typer.Option(help="标题 / title")],
        buyer: Annotated[str, typer.Option(help="招标人成员标识 / buyer member id")],
        deadline: Annotated[datetime, typer.Option(help="投标截止（带时区）/ deadline, with zone")],
        deposit: Annotated[str, typer.Option(help="投标保证金 / bid deposit")] = "0",
        method: Annotated[str, typer.Option(help="lowest_price | weighted")] = "lowest_price",
        price_weight: Annotated[float | None, typer.Option(help="价格权重 / price weight")] = None,
        mandatory: Annotated[bool, typer.Option(help="依法必须招标 / must be tendered")] = True,
    ) -> None:
        """发布招标公告 / Publish a tender notice."""
        body = TenderCreate.model_validate(
            {
                "title": title,
                "buyer": buyer,
                "deadline": deadline,
                "deposit": deposit,
                "method": method,
                "price_weight": price_weight,
                "must_tender": mandatory,
            }
        )
        with session_scope(ctx) as session:
            row = tenders.publish_tender(
                session, body, principal=_operator(), clock=state(ctx).clock
            )
        typer.echo(f"已发布 published: {row.id} (deadline {row.deadline.isoformat()})")

    @app.command("seal")
    def seal(
        tender_id: IdArg,
        bidder: Annotated[str, typer.Option(help="投标人标识 / bidder id")],
        price: Annotated[str, typer.Option(help="报价 / price")],
    ) -> None:
        """离线生成密封承诺（保存好随机数）/ Compute a commitment offline; keep the salt."""
        try:
            amount = sb.parse_price(price)
        except ValueError as exc:
            raise MarketInputInvalid(str(exc), "报价格式无效。") from None
        salt = secrets.token_bytes(sb.MIN_SALT_BYTES)
        print_json(
            {
                "tender_id": tender_id,
                "bidder": bidder,
                "price": sb.canonical_price(amount),
                "salt": salt.hex(),
                "commitment": sb.commitment(tender_id, bidder, amount, salt),
            }
        )

    @app.command("bid")
    def bid(  # noqa: PLR0917  # typer: one parameter per argument or option
        ctx: typer.Context,
        tender_id: IdArg,
        bidder: Annotated[str, typer.Option(help="投标人标识 / bidder id")],
        name: Annotated[str, typer.Option(help="投标人名称 / bidder name")],
        commitment: Annotated[str, typer.Option(help="承诺值 / commitment (hex)")],
        deposit: Annotated[str, typer.Option(help="已缴保证金 / deposit paid")] = "0",
        deposit_ref: Annotated[str | None, typer.Option(help="缴款凭证 / payment ref")] = None,
    ) -> None:
        """提交密封投标 / Submit a sealed bid (before the deadline)."""
        body = BidCommit.model_validate(
            {
                "bidder": bidder,
                "bidder_name": name,
                "commitment": commitment,
                "deposit_paid": Decimal(deposit),
                "deposit_ref": deposit_ref,
            }
        )
        with session_scope(ctx) as session:
            row = tenders.submit_bid(
                session, tender_id, body, principal=_operator(), clock=state(ctx).clock
            )
        typer.echo(f"已投标 sealed: {row.id}")

    @app.command("reveal")
    def reveal(
        ctx: typer.Context,
        tender_id: IdArg,
        bid_id: Annotated[str, typer.Argument(help="投标编号 / bid id")],
        price: Annotated[str, typer.Option(help="报价 / price")],
        salt: Annotated[str, typer.Option(help="随机数 / salt (hex)")],
    ) -> None:
        """揭示报价 / Reveal a sealed bid after the opening."""
        with session_scope(ctx) as session:
            row = tenders.reveal_bid(
                session,
                tender_id,
                bid_id,
                BidReveal(price=price, salt=salt),
                principal=_operator(),
                clock=state(ctx).clock,
            )
        typer.echo(f"已揭示 revealed: {row.bidder} {row.price}")

    @app.command("open")
    def open_(ctx: typer.Context, tender_id: IdArg) -> None:
        """开标 / Open at the deadline (fails with fewer than three bidders)."""
        with session_scope(ctx) as session:
            row = tenders.open_tender(
                session, tender_id, principal=_operator(), clock=state(ctx).clock
            )
        typer.echo(f"{row.status.value}: {row.failure_reason or row.commitments_root}")

    @app.command("evaluate")
    def evaluate(
        ctx: typer.Context,
        tender_id: IdArg,
        scores: Annotated[
            Path | None, typer.Option(exists=True, dir_okay=False, help="技术分 JSON / scores")
        ] = None,
    ) -> None:
        """评标 / Rank the revealed bids."""
        technical = {} if scores is None else json.loads(scores.read_text(encoding="utf-8"))
        with session_scope(ctx) as session:
            row = tenders.evaluate(
                session,
                tender_id,
                Evaluation.model_validate({"technical_scores": technical}),
                principal=_operator(),
                clock=state(ctx).clock,
            )
        for b in sorted(row.bid_list, key=lambda b: b.rank or 10**9):
            typer.echo(f"{b.rank or '-'}  {b.bidder}  {b.price}  {b.score}  {b.status.value}")

    @app.command("award")
    def award(ctx: typer.Context, tender_id: IdArg) -> None:
        """定标 / Award the first-ranked bid."""
        with session_scope(ctx) as session:
            row = tenders.award(session, tender_id, principal=_operator(), clock=state(ctx).clock)
        typer.echo(f"已定标 awarded: {row.award_bid_id}")

    return app


def _auction_app() -> typer.Typer:
    app = typer.Typer(help="网络司法拍卖 / Online judicial auctions.", no_args_is_help=True)

    @app.command("list")
    def list_(ctx: typer.Context, as_json: JsonFlag = False) -> None:
        """拍卖列表 / Auctions."""
        with session_scope(ctx) as session:
            rows = auctions.list_auctions(session, clock=state(ctx).clock)
        if as_json:
            print_json([r.model_dump(mode="json") for r in rows])
            return
        print_table(
            "拍卖 Auctions",
            ["id", "标题 title", "阶段 phase", "结束 end", "最高价 highest"],
            [(r.id, r.title, r.phase.value, r.current_end.isoformat(), r.highest) for r in rows],
        )

    @app.command("show")
    def show(ctx: typer.Context, auction_id: IdArg) -> None:
        """拍卖详情（JSON）/ An auction room as JSON."""
        with session_scope(ctx) as session:
            print_json(
                auctions.get_auction(session, auction_id, clock=state(ctx).clock).model_dump(
                    mode="json"
                )
            )

    @app.command("bid")
    def bid(
        ctx: typer.Context,
        auction_id: IdArg,
        bidder: Annotated[str, typer.Option(help="竞买人 / bidder")],
        amount: Annotated[str, typer.Option(help="出价 / amount")],
    ) -> None:
        """出价（最后五分钟内出价延时五分钟）/ Bid; a bid in the last 5 minutes extends the end."""
        body = AuctionBidCreate.model_validate({"bidder": bidder, "amount": amount})
        with session_scope(ctx) as session:
            row = auctions.place_bid(
                session, auction_id, body, principal=_operator(), clock=state(ctx).clock
            )
        typer.echo(f"最高价 highest {row.highest}; 结束 ends {row.current_end.isoformat()}")

    return app


def register(app: typer.Typer, *, keystore: Callable[[], trust.KeyStore]) -> None:
    """Add the contract, tender and auction command groups to ``dyrd market``."""
    app.add_typer(_contract_app(keystore), name="contract")
    app.add_typer(_tender_app(), name="tender")
    app.add_typer(_auction_app(), name="auction")
