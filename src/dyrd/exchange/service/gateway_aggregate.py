"""DP aggregates of the provider gateway: ``GET /r1/{member}/{table}/aggregate``.

A count, sum, mean or histogram over granted columns of the whole data version, answered with
differential privacy (``compute.dp``). Its ε is charged to the grant's budget together with the
nonce claim, in one transaction, before computing: a replayed request never charges twice, and
no answer ever leaves uncharged (403 ``privacy-budget-exhausted`` when the budget is spent).
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.exchange.compute.dp import (
    DPQuery,
    DPQueryError,
    EpsilonBudget,
    parse_query_params,
    validate,
)
from dyrd.exchange.compute.dp import dp_aggregate as compute_aggregate
from dyrd.exchange.errors import PrivacyBudgetExhausted
from dyrd.exchange.models import Resource
from dyrd.exchange.repository import ExchangeRepository, NonceRepository
from dyrd.exchange.service.gateway_messages import (
    Answer,
    ExchangeState,
    Refusal,
    json_bytes,
    replayed,
)
from dyrd.exchange.service.gateway_privacy import (
    TableCache,
    aggregate_body,
    budget_metadata,
    dp_record,
)
from dyrd.exchange.service.privacy import spend_epsilon
from dyrd.exchange.types import ColumnSpec


def aggregate_query(query: str) -> DPQuery:
    """``aggregate=&epsilon=&column=&lower=&upper=&category=`` (Refusal 400 when malformed)."""
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
        return parse_query_params(pairs)
    except (ValueError, DPQueryError) as exc:  # DPQueryError is a ValueError; named for clarity
        raise Refusal(
            400,
            "bad-query",
            f"The aggregate query is malformed: {exc}.",
            f"统计查询参数格式错误：{exc}。",
            hint="aggregate=count|sum|mean|histogram&epsilon=0.1[&column=][&lower=&upper=]"
            "[&category=...]",
        ) from exc


def answer_aggregate(
    session: Session,
    ex: ExchangeState,
    res: Resource,
    dpq: DPQuery,
    *,
    tables: TableCache,
    write_lock: threading.Lock,
    clock: Clock,
    total_epsilon: float,
) -> Answer:
    """Answer ``dpq`` over ``res`` (its column already granted), its ε charged first."""
    if res.data_version is None:
        raise Refusal(404, "no-data", f"{res.name!r} has no data yet.", "尚未上传数据。")
    schema = [ColumnSpec.from_dict(c) for c in res.snapshot.get("columns") or []]
    try:
        validate(dpq, schema)
    except DPQueryError as exc:
        raise Refusal(
            400,
            "privacy-query-invalid",
            f"The aggregate query cannot be answered: {exc}.",
            f"统计查询无法执行：{exc}。",
            hint="Name a granted non-identifier column, give sums and means public "
            "lower/upper bounds and histograms their categories, and a positive epsilon.",
        ) from exc
    rows = tables.version_rows(ExchangeRepository(session), res)
    budget = charge_epsilon(
        session,
        ex,
        dpq.epsilon,
        write_lock=write_lock,
        clock=clock,
        total_epsilon=total_epsilon,
    )
    result = compute_aggregate(rows, schema, dpq)
    spent = budget_metadata(budget)
    ex.privacy = dp_record(dpq, spent)
    ex.rows = None
    body = {
        "resource_id": res.id,
        "data_version": res.data_version,
        "grant_id": ex.grant_id,
        **aggregate_body(result),
        "budget": spent,
    }
    return 200, json_bytes(body), "application/json", {}


def charge_epsilon(
    session: Session,
    ex: ExchangeState,
    epsilon: float,
    *,
    write_lock: threading.Lock,
    clock: Clock,
    total_epsilon: float,
) -> EpsilonBudget:
    """Claim the nonce and charge ``epsilon`` to the grant in one transaction of their own.

    Together, so a replayed request never charges twice, and before computing, so no
    answer ever leaves uncharged (a crash after this costs ε, never privacy).
    """
    session.commit()  # end the read transaction first (see Gateway.handle)
    assert ex.client is not None  # noqa: S101  # checked above
    assert ex.nonce is not None  # noqa: S101  # checked above
    assert ex.nonce_expires is not None  # noqa: S101  # checked above
    grant_id = ex.grant_id or ""
    with write_lock:
        if not NonceRepository(session).claim(
            ex.client, ex.nonce, expires_at=ex.nonce_expires, message_id=ex.message_id or ""
        ):
            session.rollback()
            raise replayed(ex)
        try:
            budget = spend_epsilon(
                session,
                grant_id=grant_id,
                epsilon=epsilon,
                clock=clock,
                total_epsilon=total_epsilon,
            )
        except PrivacyBudgetExhausted as exc:
            session.commit()  # the nonce stays used; nothing was charged
            ex.claimed = True
            ex.privacy = {"epsilon": epsilon, "exhausted": True}
            raise Refusal(403, exc.code, exc.message, exc.message_zh, hint=exc.hint) from exc
        session.commit()
    ex.claimed = True
    return budget
