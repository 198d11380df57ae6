"""The gateway's privacy gates end to end: k-anonymous releases, DP aggregates, the ε budget."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from dyrd.core.errors import PermissionDenied, ValidationFailed
from dyrd.exchange import service
from dyrd.exchange.access_schemas import DecisionCreate, PrivacyBudgetUpdate
from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator
from dyrd.exchange.compute.anonymity import check_anonymity
from dyrd.exchange.compute.dp import Aggregate, DPQuery
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.service.gateway_consumer import (
    CONSUMER_LEDGER_KIND,
    ConsumerGateway,
    FetchRequest,
)
from dyrd.exchange.service.privacy import grant_budget, set_grant_budget
from tests.exchange.access_support import (
    ANALYST,
    CONSUMER,
    OWNER,
    OWNER_ANALYST,
    OWNER_STEWARD,
    POLICY,
    TOKENS,
    MovingClock,
    ledger_since,
    log_size,
    make_resource,
    request_model,
)
from tests.exchange.gateway_support import ClientTransport, World, make_world
from tests.fakes import FakeAuthenticator

COLUMNS = [
    {"name": "pid", "type": "string", "required": True, "personal_data": "identifier"},
    {"name": "age", "type": "integer", "personal_data": "quasi_identifier"},
    {"name": "district", "type": "string", "personal_data": "quasi_identifier"},
    {"name": "diagnosis", "type": "string", "personal_data": "sensitive"},
    {"name": "income", "type": "number"},
]
DISTRICTS = ("330102", "330105", "330106")
DIAGNOSES = ("flu", "cold", "asthma", "flu")
N = 60


def _csv(n: int) -> bytes:
    lines = ["pid,age,district,diagnosis,income"]
    for i in range(n):
        age = 20 + (i * 7) % 50
        lines.append(f"P{i:04d},{age},{DISTRICTS[i % 3]},{DIAGNOSES[i % 4]},{1000 + 10 * i}")
    return ("\n".join(lines) + "\n").encode()


GRANTED = ["pid", "age", "district", "diagnosis", "income"]


def _health_table(
    session: Session, clock: MovingClock, name: str, rows: int, *, principal: Any = ANALYST
) -> tuple[str, str]:
    """A conditional health table of OWNER with ``rows`` rows, granted (all columns) to the
    member of ``principal``; (resource id, grant id)."""
    rid = make_resource(session, clock, "conditional", name=name, columns=COLUMNS)
    service.upload_data(
        session, rid, content=_csv(rows), fmt=FileFormat.CSV, principal=OWNER_STEWARD, clock=clock
    )
    member = next(iter(principal.roles))
    req = service.request_access(
        session,
        request_model(rid, fields=GRANTED, consumer_member=member),
        principal=principal,
        clock=clock,
        policy=POLICY,
    )
    decided = service.decide(
        session,
        req.id,
        DecisionCreate.model_validate({"decision": "approve"}),
        principal=OWNER_STEWARD,
        clock=clock,
    )
    assert decided.grant_id is not None
    return rid, decided.grant_id


@pytest.fixture
def moving() -> MovingClock:
    return MovingClock()


@pytest.fixture
def world(app: FastAPI, session: Session, moving: MovingClock) -> World:
    w = make_world(session, moving)
    app.state.trust_keystore = w.keystore
    app.state.clock = moving
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    return w


@pytest.fixture
def consumer(client: TestClient, world: World, moving: MovingClock) -> ConsumerGateway:
    return ConsumerGateway(
        transport=ClientTransport(client),
        keystore=world.keystore,
        locator=DatabaseMemberLocator(),
        clock=moving,
    )


@pytest.fixture
def health(session: Session, world: World, moving: MovingClock) -> tuple[str, str]:
    return _health_table(session, moving, "privacy-health", N)


def _req(rid: str, grant: str, **overrides: Any) -> FetchRequest:
    base: dict[str, Any] = {
        "consumer_member": CONSUMER,
        "provider_member": OWNER,
        "resource_id": rid,
        "grant_id": grant,
        "fields": ["age", "district", "diagnosis"],
        "user_id": "CN-user-1",
        "limit": 1000,
    }
    base.update(overrides)
    return FetchRequest(**base)


def _provider_entries(session: Session, start: int) -> list[dict[str, Any]]:
    return [e["payload"] for e in ledger_since(session, start) if e["kind"] == "exchange.gateway"]


# ---------------------------------------------------------------------------------------------
# k-anonymity and l-diversity on row releases


def test_quasi_identifiers_are_generalised_until_k_anonymous_and_reported(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    start = log_size(session)
    result = consumer.fetch(session, _req(rid, grant))
    meta = result.anonymity
    assert meta is not None
    assert (meta["k"], meta["l"], meta["rows_before"]) == (5, 2, N)
    levels = {g["column"]: g["level"] for g in meta["generalisations"]}
    assert set(levels) == {"age", "district"}
    assert any(level > 0 for level in levels.values())  # the raw table is not 5-anonymous
    assert result.total == N - meta["suppressed"] == len(result.rows)
    report = check_anonymity(result.rows, ["age", "district"], ["diagnosis"], k=5, l=2)
    assert report.ok
    assert meta["min_class_size"] == report.min_class_size >= 5
    (payload,) = _provider_entries(session, start)
    assert payload["outcome"] == "answered"
    assert payload["privacy"]["anonymity"]["generalisations"] == meta["generalisations"]


def test_pages_are_slices_of_one_release(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    whole = consumer.fetch(session, _req(rid, grant))
    first = consumer.fetch(session, _req(rid, grant, limit=25, offset=0))
    rest = consumer.fetch(session, _req(rid, grant, limit=25, offset=25))
    assert first.total == rest.total == whole.total
    assert first.rows + rest.rows == whole.rows[:50]
    assert first.anonymity == whole.anonymity


def test_identifiers_are_pseudonymised_inside_an_anonymised_release(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    result = consumer.fetch(session, _req(rid, grant, fields=["pid", "age"]))
    assert result.pseudonymised == ["pid"]
    assert result.anonymity is not None
    assert all(str(r["pid"]).startswith("ps1_") for r in result.rows)


def test_columns_without_quasi_identifiers_pass_without_the_gate(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    start = log_size(session)
    result = consumer.fetch(session, _req(rid, grant, fields=["income"], limit=5))
    assert result.anonymity is None
    assert result.total == N
    assert [r["income"] for r in result.rows] == [1000, 1010, 1020, 1030, 1040]
    assert "privacy" not in _provider_entries(session, start)[0]


def test_a_release_that_cannot_be_made_anonymous_is_refused_with_counts_and_logged(
    session: Session,
    world: World,
    consumer: ConsumerGateway,
    client: TestClient,
    moving: MovingClock,
) -> None:
    rid, grant = _health_table(session, moving, "privacy-tiny", 3)
    sent = consumer.sign(session, _req(rid, grant), base_url="http://testserver")
    start = log_size(session)
    resp = client.get(sent.url, headers=sent.headers)
    assert resp.status_code == 403
    problem = resp.json()
    assert problem["reason"] == "anonymity-refused"
    assert problem["detail"]
    assert problem["detail_zh"]
    assert problem["hint"]
    counts = problem["anonymity"]
    assert (counts["rows"], counts["k"], counts["violating_rows"]) == (3, 5, 3)
    assert "P0000" not in resp.text  # counts, never values
    assert "flu" not in resp.text
    (payload,) = _provider_entries(session, start)
    assert (payload["outcome"], payload["reason"]) == ("refused", "anonymity-refused")
    assert payload["privacy"]["anonymity"]["violating_rows"] == 3
    # The consumer gateway turns it into a 403 for its caller.
    with pytest.raises(PermissionDenied):
        consumer.fetch(session, _req(rid, grant))


def test_the_owner_reads_its_own_table_raw_while_other_members_get_the_release(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    own = service.read_data(session, rid, principal=OWNER_ANALYST, limit=3)
    assert [r["pid"] for r in own.rows] == ["P0000", "P0001", "P0002"]
    assert [r["age"] for r in own.rows] == [20, 27, 34]
    released = consumer.fetch(session, _req(rid, grant, fields=["pid", "age"], limit=3))
    assert [r["age"] for r in released.rows] != [20, 27, 34]
    assert not {r["pid"] for r in released.rows} & {"P0000", "P0001", "P0002"}


# ---------------------------------------------------------------------------------------------
# Differentially private aggregates and the ε budget


def test_an_aggregate_is_answered_charged_and_logged_on_both_sides(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    start = log_size(session)
    result = consumer.aggregate(
        session, _req(rid, grant), DPQuery(Aggregate.COUNT, 0.5, column="diagnosis")
    )
    assert result.aggregate == "count"
    assert isinstance(result.value, int)
    assert abs(result.value - N) < 40  # discrete Laplace, scale 2: P(|noise| >= 40) < e^-19
    assert result.epsilon == 0.5
    assert result.noise[0]["scale"] == pytest.approx(2.0)
    assert result.budget == {"total": 1.0, "spent": 0.5, "remaining": 0.5}
    entries = ledger_since(session, start)
    provider = [e["payload"] for e in entries if e["kind"] == "exchange.gateway"]
    mine = [e["payload"] for e in entries if e["kind"] == CONSUMER_LEDGER_KIND]
    assert provider[0]["privacy"] == {
        "aggregate": "count",
        "column": "diagnosis",
        "epsilon": 0.5,
        "budget": {"total": 1.0, "spent": 0.5, "remaining": 0.5},
    }
    assert provider[0]["fields"] == ["diagnosis"]
    assert mine[0]["privacy"]["budget"] == {"total": 1.0, "spent": 0.5, "remaining": 0.5}
    assert mine[0]["response_hash"] == provider[0]["response_hash"] == result.response_hash


def test_sum_mean_and_histogram_over_granted_columns(
    session: Session, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    set_grant_budget(
        session,
        grant,
        PrivacyBudgetUpdate(total_epsilon=1000, reason="test headroom"),
        principal=OWNER_STEWARD,
        clock=consumer.clock,
        default_total=1.0,
    )
    mean = consumer.aggregate(
        session, _req(rid, grant), DPQuery(Aggregate.MEAN, 100.0, "age", (0, 100))
    )
    exact_mean = sum(20 + (i * 7) % 50 for i in range(N)) / N
    assert mean.value == pytest.approx(exact_mean, abs=2)
    assert mean.bounds == [0.0, 100.0]
    total = consumer.aggregate(
        session, _req(rid, grant), DPQuery(Aggregate.SUM, 100.0, "income", (0, 5000))
    )
    assert total.value == pytest.approx(sum(1000 + 10 * i for i in range(N)), abs=500)
    hist = consumer.aggregate(
        session,
        _req(rid, grant),
        DPQuery(Aggregate.HISTOGRAM, 100.0, "diagnosis", categories=("flu", "cold")),
    )
    assert isinstance(hist.value, dict)
    assert set(hist.value) == {"flu", "cold", "__other__"}
    assert hist.value["flu"] == pytest.approx(30, abs=3)
    assert hist.budget["spent"] == pytest.approx(300.0)


def test_the_budget_is_refused_once_spent_and_the_refusal_logged(
    session: Session, consumer: ConsumerGateway, client: TestClient, health: tuple[str, str]
) -> None:
    rid, grant = health
    query = DPQuery(Aggregate.COUNT, 0.4)
    consumer.aggregate(session, _req(rid, grant), query)
    consumer.aggregate(session, _req(rid, grant), query)
    sent = consumer.sign(session, _req(rid, grant), base_url="http://testserver", aggregate=query)
    start = log_size(session)
    resp = client.get(sent.url, headers=sent.headers)
    assert resp.status_code == 403
    assert resp.json()["reason"] == "privacy-budget-exhausted"
    assert "0.8 of 1" in resp.json()["detail"]
    (payload,) = _provider_entries(session, start)
    assert (payload["outcome"], payload["reason"]) == ("refused", "privacy-budget-exhausted")
    assert payload["privacy"] == {"epsilon": 0.4, "exhausted": True}
    with pytest.raises(PermissionDenied):
        consumer.aggregate(session, _req(rid, grant), query)
    # A query that still fits is answered.
    last = consumer.aggregate(session, _req(rid, grant), DPQuery(Aggregate.COUNT, 0.2))
    assert last.budget["remaining"] == 0.0


def test_a_replayed_aggregate_is_409_and_charged_once(
    session: Session, consumer: ConsumerGateway, client: TestClient, health: tuple[str, str]
) -> None:
    rid, grant = health
    sent = consumer.sign(
        session,
        _req(rid, grant),
        base_url="http://testserver",
        aggregate=DPQuery(Aggregate.COUNT, 0.3),
    )
    assert client.get(sent.url, headers=sent.headers).status_code == 200
    again = client.get(sent.url, headers=sent.headers)
    assert again.status_code == 409
    assert again.json()["reason"] == "replayed-nonce"
    budget = grant_budget(session, grant, principal=ANALYST, default_total=1.0)
    assert budget.spent_epsilon == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("query", "status", "reason"),
    [
        ("aggregate=count", 400, "bad-query"),
        ("aggregate=median&epsilon=0.1", 400, "bad-query"),
        ("aggregate=count&epsilon=0.1&epsilon=0.2", 400, "bad-query"),
        ("aggregate=count&epsilon=nan", 400, "bad-query"),
        ("aggregate=sum&epsilon=0.1&column=age&lower=1", 400, "bad-query"),
        ("aggregate=count&epsilon=0", 400, "privacy-query-invalid"),
        ("aggregate=sum&epsilon=0.1&column=age", 400, "privacy-query-invalid"),
        ("aggregate=mean&epsilon=0.1&column=pid&lower=0&upper=1", 400, "privacy-query-invalid"),
        ("aggregate=histogram&epsilon=0.1&column=diagnosis", 400, "privacy-query-invalid"),
        ("aggregate=count&epsilon=0.1&column=nosuch", 403, "field-not-granted"),
    ],
)
def test_bad_aggregate_queries_are_refused_and_cost_nothing(  # noqa: PLR0917  # fixtures
    session: Session,
    consumer: ConsumerGateway,
    client: TestClient,
    health: tuple[str, str],
    query: str,
    status: int,
    reason: str,
) -> None:
    rid, grant = health
    sent = consumer.sign(
        session,
        _req(rid, grant),
        base_url="http://testserver",
        aggregate=DPQuery(Aggregate.COUNT, 0.1),
    )
    # Re-sign the same request with the query under test (signatures cover @query).
    url, headers = _resign(consumer, session, sent.url.split("?")[0] + "?" + query, rid, grant)
    start = log_size(session)
    resp = client.get(url, headers=headers)
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["reason"] == reason
    assert body["detail"]
    assert body["detail_zh"]
    (payload,) = _provider_entries(session, start)
    assert payload["reason"] == reason
    budget = grant_budget(session, grant, principal=ANALYST, default_total=1.0)
    assert budget.spent_epsilon == 0.0


def _resign(
    consumer: ConsumerGateway, session: Session, url: str, rid: str, grant: str
) -> tuple[str, list[tuple[str, str]]]:
    """A correctly signed GET of ``url`` (any query string) from CONSUMER."""
    from dyrd.exchange.compute import httpsig, xroad
    from dyrd.exchange.service.gateway_consumer import REQUEST_LIFETIME

    signer = consumer.signers.get(
        session, CONSUMER, algorithm=consumer.algorithm, keystore=consumer.keystore
    )
    headers = [
        ("X-Road-Client", CONSUMER),
        ("X-Road-Id", f"test-{rid[:8]}-{url[-12:]}"),
        ("X-Dyrd-Grant", grant),
        ("Content-Digest", httpsig.content_digest(b"")),
    ]
    message = httpsig.HttpMessage.request_of("GET", url, headers)
    now = consumer.clock()
    import secrets

    params = httpsig.make_params(
        xroad.request_components(has_user=False, has_issue=False),
        created=xroad.unix(now),
        expires=xroad.unix(now + REQUEST_LIFETIME),
        nonce=secrets.token_urlsafe(24),
        keyid=signer.key_id,
        alg=httpsig.HTTPSIG_OF_JOSE[signer.algorithm],
        tag=xroad.REQUEST_TAG,
    )
    signed = httpsig.sign_message(message, params, label=xroad.SIGNATURE_LABEL, sign=signer.sign)
    return url, [
        *headers,
        ("Signature-Input", signed.signature_input),
        ("Signature", signed.signature),
    ]


# ---------------------------------------------------------------------------------------------
# The consumer API and the budget API


def _consumer_api(app: FastAPI, client: TestClient, world: World) -> None:
    app.state.exchange_consumer_gateway = ConsumerGateway(
        transport=ClientTransport(client),
        keystore=world.keystore,
        locator=DatabaseMemberLocator(),
        clock=app.state.clock,
    )


def test_consumer_api_asks_aggregates_and_reports_bad_queries_as_4xx(
    app: FastAPI, world: World, client: TestClient, health: tuple[str, str]
) -> None:
    rid, grant = health
    _consumer_api(app, client, world)
    body: dict[str, Any] = {
        "consumer_member": CONSUMER,
        "provider_member": OWNER,
        "resource_id": rid,
        "grant_id": grant,
        "aggregate": "mean",
        "column": "income",
        "epsilon": 0.25,
        "lower": 0,
        "upper": 5000,
        "issue": "case-9",
    }
    analyst = {"Authorization": "Bearer analyst"}
    resp = client.post("/api/v1/exchange/aggregate", headers=analyst, json=body)
    assert resp.status_code == 200, resp.text
    data = resp.json()
    assert (data["aggregate"], data["column"], data["epsilon"]) == ("mean", "income", 0.25)
    assert 0 <= data["value"] <= 5000
    assert data["budget"]["remaining"] == 0.75
    assert data["provider_key_id"] == world.owner_kid
    # Bounds missing: the provider's 400 comes back as a 422 problem naming the query.
    no_bounds = {k: v for k, v in body.items() if k not in {"lower", "upper"}}
    resp = client.post("/api/v1/exchange/aggregate", headers=analyst, json=no_bounds)
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert "bounds" in resp.json()["detail"]
    no_upper = {k: v for k, v in body.items() if k != "upper"}
    for bad in ({**body, "epsilon": 0}, no_upper, {**body, "aggregate": "max"}):
        resp = client.post("/api/v1/exchange/aggregate", headers=analyst, json=bad)
        assert resp.status_code == 422, bad
    viewer = {"Authorization": "Bearer consumer-viewer"}
    assert client.post("/api/v1/exchange/aggregate", headers=viewer, json=body).status_code == 403
    assert client.post("/api/v1/exchange/aggregate", json=body).status_code == 401


def test_fetch_api_reports_the_anonymity_metadata(
    app: FastAPI, world: World, client: TestClient, health: tuple[str, str]
) -> None:
    rid, grant = health
    _consumer_api(app, client, world)
    body = {
        "consumer_member": CONSUMER,
        "provider_member": OWNER,
        "resource_id": rid,
        "grant_id": grant,
        "fields": ["age", "diagnosis"],
    }
    resp = client.post(
        "/api/v1/exchange/fetch", headers={"Authorization": "Bearer analyst"}, json=body
    )
    assert resp.status_code == 200, resp.text
    anonymity = resp.json()["anonymity"]
    assert anonymity["k"] == 5
    assert [g["column"] for g in anonymity["generalisations"]] == ["age"]


def test_budget_api_shows_parties_the_budget_and_lets_the_steward_set_it(
    session: Session, client: TestClient, consumer: ConsumerGateway, health: tuple[str, str]
) -> None:
    rid, grant = health
    url = f"/api/v1/exchange/grants/{grant}/privacy-budget"
    analyst = {"Authorization": "Bearer analyst"}
    steward = {"Authorization": "Bearer owner-steward"}
    fresh = client.get(url, headers=analyst)
    assert fresh.status_code == 200, fresh.text
    assert fresh.json() | {"updated_at": None} == {
        "grant_id": grant,
        "resource_id": rid,
        "consumer_member": CONSUMER,
        "owner_member": OWNER,
        "total_epsilon": 1.0,
        "spent_epsilon": 0.0,
        "remaining_epsilon": 1.0,
        "updated_at": None,
    }
    consumer.aggregate(session, _req(rid, grant), DPQuery(Aggregate.COUNT, 0.5))
    start = log_size(session)
    resp = client.put(url, headers=steward, json={"total_epsilon": 3, "reason": "annual review"})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["total_epsilon"], resp.json()["remaining_epsilon"]) == (3.0, 2.5)
    (entry,) = ledger_since(session, start)
    assert (entry["kind"], entry["subject"]) == ("privacy.budget", grant)
    assert entry["payload"]["total_epsilon_before"] == 1.0
    assert entry["payload"]["reason"] == "annual review"
    assert client.get(url, headers=analyst).json()["remaining_epsilon"] == 2.5
    # Below what was spent: 409, nothing changed, nothing logged.
    below = client.put(url, headers=steward, json={"total_epsilon": 0.4, "reason": "cut"})
    assert below.status_code == 409
    assert below.json()["detail_zh"]
    assert log_size(session) == start + 1
    assert client.get(url, headers=analyst).json()["total_epsilon"] == 3.0
    # Only the owner's steward may set it; only the parties may see it.
    assert client.put(
        url, headers=analyst, json={"total_epsilon": 9, "reason": "x"}
    ).status_code == (403)
    assert client.get(url, headers={"Authorization": "Bearer outsider"}).status_code == 403
    for bad in ({"total_epsilon": 0, "reason": "x"}, {"total_epsilon": 2}, {"reason": "x"}):
        assert client.put(url, headers=steward, json=bad).status_code == 422
    missing = "/api/v1/exchange/grants/no-such-grant/privacy-budget"
    assert client.get(missing, headers=analyst).status_code == 404


def test_raw_json_of_a_released_aggregate_carries_no_rows(
    session: Session, consumer: ConsumerGateway, client: TestClient, health: tuple[str, str]
) -> None:
    rid, grant = health
    sent = consumer.sign(
        session,
        _req(rid, grant),
        base_url="http://testserver",
        aggregate=DPQuery(Aggregate.COUNT, 0.1),
    )
    resp = client.get(sent.url, headers=sent.headers)
    body = json.loads(resp.content)
    assert "rows" not in body
    assert "P0000" not in resp.text


# ---------------------------------------------------------------------------------------------
# `dyrd exchange aggregate`


def test_cli_aggregate_prints_the_answer_and_the_budget(
    connection: Connection,
    world: World,
    client: TestClient,
    moving: MovingClock,
    health: tuple[str, str],
) -> None:
    import typer
    from typer.testing import CliRunner

    from dyrd.core.cliutil import CliState
    from dyrd.exchange.gateway_cli import build_aggregate
    from dyrd.exchange.service.gateway import GatewaySettings

    rid, grant = health
    cli = typer.Typer()
    cli.command("aggregate")(
        build_aggregate(
            keystore=lambda: world.keystore,
            transport=lambda: ClientTransport(client),
            locator=DatabaseMemberLocator,
            settings=GatewaySettings,
        )
    )
    cli.command("noop")(lambda: None)  # two commands: typer keeps the subcommand name

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    obj = CliState(session_factory=factory, clock=moving)
    runner = CliRunner()
    base = ["aggregate", OWNER, rid, "count", "--grant", grant, "--consumer", CONSUMER]
    done = runner.invoke(cli, [*base, "--epsilon", "0.25", "--json"], obj=obj)
    assert done.exit_code == 0, done.output
    answer = json.loads(done.stdout)  # stdout alone: a log line on stderr is not the answer
    assert answer["aggregate"] == "count"
    assert answer["budget"] == {"total": 1.0, "spent": 0.25, "remaining": 0.75}
    cats = ["--category", "flu", "--category", "cold"]
    table = runner.invoke(
        cli,
        [*base[:3], "histogram", *base[4:], "--epsilon", "0.25", "--column", "diagnosis", *cats],
        obj=obj,
    )
    assert table.exit_code == 0, table.output
    assert "__other__" in table.output
    assert "0.5 of 1" in table.output
    half = runner.invoke(cli, [*base, "--epsilon", "0.1", "--lower", "1"], obj=obj)
    assert isinstance(half.exception, ValidationFailed)
    spent = runner.invoke(cli, [*base, "--epsilon", "0.9"], obj=obj)
    assert isinstance(spent.exception, PermissionDenied)
    assert "privacy-budget-exhausted" in str(spent.exception.errors[0].message)
