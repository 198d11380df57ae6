"""Importing a statistics table: the service (both backends), the HTTP route and the CLI."""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import ConflictError, ValidationFailed
from dyrd.core.types import Role
from dyrd.region import bundled, service
from dyrd.region.errors import ImportTooLarge
from dyrd.region.models import Indicator, Statistic
from dyrd.region.repository import RegionRepository
from dyrd.region.schemas import ImportReport
from dyrd.region.types import TableLayout
from tests.conftest import FIXED_NOW
from tests.fakes import FakeAuthenticator

JS = "CN-YRD/GOV/320000"
ALICE = Actor(user="alice", member=JS)
SRC = "苏州统计年鉴 2021, 表 2-5"
LONG_HEADER = ["city_code", "indicator", "year", "value", "unit", "source"]
CITY_CODES = sorted(r["code"] for r in bundled.read_cities())


def csv_bytes(rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


WIDE = csv_bytes(
    [
        ["城市代码", "城市", "年份", "urban_income [yuan]", "gdp [100m yuan]"],
        ["320500", "苏州市", "2020", "70966", "20170.5"],
        ["310000", "上海市", "2020", "76437", ""],
    ],
    encoding="gbk",
)


def counts(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Statistic)) or 0,
        session.scalar(select(func.count()).select_from(Indicator)) or 0,
    )


def stored(session: Session, city: str, indicator: str, year: int) -> Statistic | None:
    return (
        RegionRepository(session)
        .existing_statistics([(city, indicator, year)])
        .get((city, indicator, year))
    )


def run_import(session: Session, clock: Clock, content: bytes, **kw: object) -> ImportReport:
    kw.setdefault("filename", "t.csv")
    kw.setdefault("actor", ALICE)
    kw.setdefault("source", SRC)
    return service.import_statistics(session, content=content, clock=clock, **kw)  # type: ignore[arg-type]


# --- service -----------------------------------------------------------------------------------


def test_wide_gbk_import_writes_values_with_who_and_when(session: Session, clock: Clock) -> None:
    before = counts(session)
    report = service.import_statistics(
        session, content=WIDE, filename="yearbook.csv", actor=ALICE, clock=clock, source=SRC
    )
    assert report.layout is TableLayout.WIDE
    assert (report.rows_read, report.statistics_inserted, report.statistics_replaced) == (2, 3, 0)
    assert report.indicators_created == ["urban_income"]
    assert (report.recorded_by, report.recorded_for, report.recorded_at) == ("alice", JS, FIXED_NOW)
    assert counts(session) == (before[0] + 3, before[1] + 1)
    row = stored(session, "310000", "urban_income", 2020)
    assert row is not None
    assert (row.value, row.unit, row.source) == (76437.0, "yuan", SRC)
    assert (row.recorded_by, row.recorded_for, row.recorded_at) == ("alice", JS, FIXED_NOW)
    assert stored(session, "310000", "gdp", 2020) is None  # the empty cell stayed missing
    indicator = session.get(Indicator, "urban_income")
    assert indicator is not None
    assert (indicator.unit, indicator.name_zh, indicator.name_en) == (
        "yuan",
        "urban_income",
        "urban_income",
    )


def test_long_xlsx_import_names_new_indicators(session: Session, clock: Clock) -> None:
    content = xlsx_bytes(
        [
            [*LONG_HEADER, "indicator_name_zh", "indicator_name_en"],
            [320500, "rd_share", 2020, 3.91, "%", None, "研发投入强度", "R&D intensity"],
            [320100, "rd_share", 2020, 3.5, "%", "Nanjing bulletin", None, None],
        ]
    )
    report = run_import(session, clock, content, filename="rd.xlsx")
    assert report.layout is TableLayout.LONG
    assert report.statistics_inserted == 2
    indicator = session.get(Indicator, "rd_share")
    assert indicator is not None
    assert (indicator.name_zh, indicator.name_en, indicator.unit) == (
        "研发投入强度",
        "R&D intensity",
        "%",
    )
    nanjing = stored(session, "320100", "rd_share", 2020)
    assert nanjing is not None
    assert nanjing.source == "Nanjing bulletin"
    suzhou = stored(session, "320500", "rd_share", 2020)
    assert suzhou is not None
    assert suzhou.source == SRC


def test_a_failed_import_writes_nothing_and_leaves_the_session_clean(
    session: Session, clock: Clock
) -> None:
    content = csv_bytes(
        [
            LONG_HEADER,
            ["320500", "new_thing", "2020", "1", "u", SRC],  # valid, with a new indicator
            ["320500", "gdp", "2020", "2", "100m yuan", SRC],  # valid
            ["999999", "gdp", "2020", "3", "100m yuan", SRC],  # row 4: unknown city
            ["320100", "gdp", "2020", "x", "100m yuan", SRC],  # row 5: not a number
        ]
    )
    before = counts(session)
    with pytest.raises(ValidationFailed) as info:
        run_import(session, clock, content)
    assert [e.location for e in info.value.errors] == [
        "row 4, column city_code",
        "row 5, column value",
    ]
    assert not session.new
    assert not session.dirty
    assert counts(session) == before
    assert session.get(Indicator, "new_thing") is None
    # The same session still works afterwards.
    report = run_import(
        session, clock, csv_bytes([LONG_HEADER, ["320500", "gdp", "2020", "2", "100m yuan", SRC]])
    )
    assert report.statistics_inserted == 1
    assert counts(session) == (before[0] + 1, before[1])


def test_existing_values_conflict_unless_replace(session: Session, clock: Clock) -> None:
    old = stored(session, "320500", "gdp", 2019)
    assert old is not None
    assert old.recorded_by == "system"
    old_value = old.value
    content = csv_bytes(
        [
            LONG_HEADER,
            ["320100", "gdp", "2021", "16355.32", "100m yuan", SRC],  # new
            ["320500", "gdp", "2019", "19300", "100m yuan", SRC],  # row 3: stored
        ]
    )
    before = counts(session)
    with pytest.raises(ConflictError) as info:
        run_import(session, clock, content)
    assert [e.location for e in info.value.errors] == ["row 3"]
    assert str(old_value) in info.value.errors[0].message
    assert info.value.errors[0].value == "320500/gdp/2019"
    assert counts(session) == before
    assert stored(session, "320100", "gdp", 2021) is None  # not even the new row
    session.expire_all()
    unchanged = stored(session, "320500", "gdp", 2019)
    assert unchanged is not None
    assert unchanged.value == old_value

    report = run_import(session, clock, content, replace=True)
    assert (report.statistics_inserted, report.statistics_replaced) == (1, 1)
    session.expire_all()
    replaced = stored(session, "320500", "gdp", 2019)
    assert replaced is not None
    assert (replaced.value, replaced.source, replaced.recorded_by) == (19300.0, SRC, "alice")
    assert counts(session) == (before[0] + 1, before[1])


def test_unit_conflict_with_the_stored_gdp(session: Session, clock: Clock) -> None:
    before = counts(session)
    content = csv_bytes([LONG_HEADER, ["320500", "gdp", "2020", "2017050000000", "yuan", SRC]])
    with pytest.raises(ValidationFailed) as info:
        run_import(session, clock, content)
    [error] = info.value.errors
    assert error.location == "row 2, column unit"
    assert "'100m yuan'" in error.message
    assert counts(session) == before


def test_every_number_needs_a_source(session: Session, clock: Clock) -> None:
    content = csv_bytes([["city_code", "year", "gdp [100m yuan]"], ["320500", "2020", "1"]])
    with pytest.raises(ValidationFailed) as info:
        run_import(session, clock, content, source=None)
    assert [e.location for e in info.value.errors] == ["row 1"]
    assert "source" in info.value.errors[0].message
    assert run_import(session, clock, content, source="  Suzhou bulletin  ").rows_read == 1
    row = stored(session, "320500", "gdp", 2020)
    assert row is not None
    assert row.source == "Suzhou bulletin"


def test_year_parameter_for_a_table_without_year(session: Session, clock: Clock) -> None:
    content = csv_bytes([["city_code", "gdp [100m yuan]"], ["320500", "20170.5"]])
    assert run_import(session, clock, content, year=2020).statistics_inserted == 1
    row = stored(session, "320500", "gdp", 2020)
    assert row is not None
    assert row.value == 20170.5


def test_a_file_over_the_cap_is_refused_before_parsing(session: Session, clock: Clock) -> None:
    with pytest.raises(ImportTooLarge, match="larger than 1 MB"):
        run_import(session, clock, b"x" * (1024 * 1024 + 1), max_bytes=1024 * 1024)


def test_an_error_while_writing_rolls_everything_back(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = RegionRepository.insert_statistics

    def write_then_fail(self: RegionRepository, *args: object, **kw: object) -> None:
        write(self, *args, **kw)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(RegionRepository, "insert_statistics", write_then_fail)
    before = counts(session)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(session, clock, WIDE)
    assert counts(session) == before
    assert session.get(Indicator, "urban_income") is None


def test_a_concurrent_write_becomes_a_conflict(
    session: Session, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def collide(self: RegionRepository, *args: object, **kw: object) -> None:
        raise IntegrityError("INSERT ...", {}, Exception("duplicate key"))

    monkeypatch.setattr(RegionRepository, "insert_statistics", collide)
    before = counts(session)
    with pytest.raises(ConflictError, match="at the same time"):
        run_import(session, clock, WIDE)
    assert counts(session) == before


@st.composite
def long_tables(draw: st.DrawFn) -> list[tuple[str, str, int, float, str]]:
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(CITY_CODES),
                st.from_regex(r"t_[a-z0-9_]{1,12}", fullmatch=True),
                st.integers(1949, 2100),
            ),
            min_size=1,
            max_size=25,
            unique=True,
        )
    )
    units = {i: draw(st.sampled_from(["yuan", "%", "万人"])) for _, i, _ in keys}
    values = st.floats(allow_nan=False, allow_infinity=False)
    return [(c, i, y, draw(values), units[i]) for c, i, y in keys]


@given(table=long_tables())
@settings(
    max_examples=15,
    deadline=None,
    # Each example runs in its own SAVEPOINT of the shared connection and is rolled back.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_property_what_is_imported_is_what_is_stored(
    connection: Connection, clock: Clock, table: list[tuple[str, str, int, float, str]]
) -> None:
    nested = connection.begin_nested()
    try:
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            rows: list[Sequence[object]] = [LONG_HEADER]
            rows += [[c, i, y, repr(v), u, SRC] for c, i, y, v, u in table]
            report = run_import(session, clock, csv_bytes(rows))
            assert report.statistics_inserted == len(table)
            found = RegionRepository(session).existing_statistics(
                (c, i, y) for c, i, y, _, _ in table
            )
            assert {k: (s.value, s.unit, s.source, s.recorded_by) for k, s in found.items()} == {
                (c, i, y): (v, u, SRC, "alice") for c, i, y, v, u in table
            }
    finally:
        nested.rollback()


# --- HTTP --------------------------------------------------------------------------------------

URL = "/api/v1/region/statistics/import"
STEWARD = "tok"


@pytest.fixture
def api(app: FastAPI, client: TestClient) -> TestClient:
    """The client with a fake authenticator: a Jiangsu data steward and a viewer."""
    app.state.authenticator = FakeAuthenticator(
        {
            "tok": Principal(user="alice", roles={JS: frozenset({Role.DATA_STEWARD})}),
            "viewer": Principal(user="bob", roles={JS: frozenset({Role.VIEWER})}),
        }
    )
    return client


def upload(
    client: TestClient,
    content: bytes,
    *,
    token: str | None = STEWARD,
    filename: str = "t.csv",
    **form: str,
) -> Any:  # the test client's response type
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(URL, headers=headers, files={"file": (filename, content)}, data=form)


def total(client: TestClient) -> int:
    resp = client.get("/api/v1/region/statistics", params={"limit": 1})
    assert resp.status_code == 200
    return int(resp.json()["total"])


def test_api_import_is_201_with_the_report(api: TestClient) -> None:
    before = total(api)
    resp = upload(api, WIDE, filename="yearbook.csv", source=SRC)
    assert resp.status_code == 201, resp.text
    report = resp.json()
    assert report["layout"] == "wide"
    assert report["statistics_inserted"] == 3
    assert report["indicators_created"] == ["urban_income"]
    assert (report["recorded_by"], report["recorded_for"]) == ("alice", JS)
    assert total(api) == before + 3
    page = api.get("/api/v1/region/statistics", params={"indicator": "urban_income"}).json()
    assert {
        (i["city_code"], i["value"], i["recorded_by"], i["recorded_for"]) for i in page["items"]
    } == {
        ("320500", 70966.0, "alice", JS),
        ("310000", 76437.0, "alice", JS),
    }


def test_api_import_for_a_department_of_the_member(api: TestClient) -> None:
    resp = upload(api, WIDE, source=SRC, member=JS + "/TJJ")
    assert resp.status_code == 201
    assert resp.json()["recorded_for"] == JS + "/TJJ"


def test_api_import_needs_a_token(api: TestClient) -> None:
    resp = upload(api, WIDE, token=None, source=SRC)
    assert resp.status_code == 401
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert upload(api, WIDE, token="forged", source=SRC).status_code == 401


def test_api_import_needs_the_data_steward_role_in_the_member(api: TestClient) -> None:
    before = total(api)
    assert upload(api, WIDE, token="viewer", source=SRC).status_code == 403
    resp = upload(api, WIDE, source=SRC, member="CN-YRD/GOV/330000")
    assert resp.status_code == 403
    assert "CN-YRD/GOV/330000" in resp.json()["detail"]
    assert total(api) == before


def test_api_import_422_lists_every_row_and_column(api: TestClient) -> None:
    content = csv_bytes(
        [
            LONG_HEADER,
            ["320500", "gdp", "2020", "1", "100m yuan", SRC],
            ["999999", "gdp", "2020", "1", "100m yuan", SRC],
            ["320500", "gdp", "1800", "abc", "100m yuan", SRC],
            ["320500", "gdp", "2020", "1", "yuan", SRC],
        ]
    )
    before = total(api)
    resp = upload(api, content)
    assert resp.status_code == 422
    body = resp.json()
    assert body["type"] == "urn:dyrd:problem:validation-failed"
    assert [(e["location"], e.get("value")) for e in body["errors"]] == [
        ("row 3, column city_code", "999999"),
        ("row 4, column year", "1800"),
        ("row 4, column value", "abc"),
        ("row 5", None),
        ("row 5, column unit", "yuan"),
    ]
    assert all(e["message_zh"] for e in body["errors"])
    assert total(api) == before


def test_api_import_409_then_replace(api: TestClient) -> None:
    content = csv_bytes([LONG_HEADER, ["320500", "gdp", "2019", "19300", "100m yuan", SRC]])
    resp = upload(api, content)
    assert resp.status_code == 409
    assert [e["location"] for e in resp.json()["errors"]] == ["row 2"]
    resp = upload(api, content, replace="true")
    assert resp.status_code == 201
    assert resp.json()["statistics_replaced"] == 1


def test_api_import_refuses_a_file_over_the_cap(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dyrd.region import api as region_api

    monkeypatch.setattr(region_api, "MAX_UPLOAD_BYTES", 1024 * 1024)
    resp = upload(api, b"x" * (1024 * 1024 + 10), source=SRC)
    assert resp.status_code == 413
    body = resp.json()
    assert body["type"] == "urn:dyrd:problem:payload-too-large"
    assert "larger than 1 MB" in body["detail"]


def test_api_import_bad_form_fields_are_422(api: TestClient) -> None:
    resp = upload(api, WIDE, source=SRC, year="1800")
    assert resp.status_code == 422
    assert [e["location"] for e in resp.json()["errors"]] == ["body.year"]
    resp = api.post(URL, headers={"Authorization": "Bearer tok"}, data={"source": SRC})
    assert resp.status_code == 422
    assert [e["location"] for e in resp.json()["errors"]] == ["body.file"]


# --- CLI ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A migrated SQLite file with the bundled data, set up through the CLI itself."""
    from dyrd.cli.main import app

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    env = {"DYRD_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "DYRD_LOG_JSON": "false"}
    runner = CliRunner()
    for args in (["db", "upgrade"], ["region", "load"]):
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output
    yield env
    # The root command installs a log handler on the runner's (now closed) stderr.
    root.handlers[:] = handlers
    root.setLevel(level)


def cli(env: dict[str, str], *args: str) -> Result:
    from dyrd.cli.main import app

    return CliRunner().invoke(app, list(args), env=env)


def cli_statistics(env: dict[str, str], city: str) -> list[dict[str, object]]:
    result = cli(env, "region", "show", city, "--json")
    assert result.exit_code == 0
    return list(json.loads(result.stdout)["statistics"])


def test_cli_import_prints_a_summary_and_records_the_operator(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dyrd.region.cli.getpass.getuser", lambda: "ops")
    path = tmp_path / "yearbook.csv"
    path.write_bytes(WIDE)
    result = cli(cli_env, "region", "import", str(path), "--source", SRC, "--member", JS)
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    assert "yearbook.csv" in out
    assert "urban_income" in out
    assert "cli:ops" in out
    rows = [s for s in cli_statistics(cli_env, "310000") if s["indicator"] == "urban_income"]
    assert [(s["value"], s["recorded_by"], s["recorded_for"]) for s in rows] == [
        (76437.0, "cli:ops", JS)
    ]


def test_cli_import_json_and_default_member(
    cli_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dyrd.region.cli.getpass.getuser", lambda: "ops")
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes([["代码", "gdp [100m yuan]"], [320500, 20170.5]]))
    result = cli(
        cli_env, "region", "import", str(path), "--source", SRC, "--year", "2020", "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["statistics_inserted"], report["layout"]) == (1, "wide")
    assert (report["recorded_by"], report["recorded_for"]) == ("cli:ops", "CN-YRD")


def test_cli_import_errors_exit_3_printing_each_row_and_column(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                LONG_HEADER,
                ["320500", "new_one", "2020", "1", "u", SRC],
                ["999999", "gdp", "2020", "1", "100m yuan", SRC],
                ["320500", "gdp", "2020", "1,5", "100m yuan", SRC],
                ["320500", "gdp", "2020", "1", "yuan", SRC],
            ]
        )
    )
    before = cli_statistics(cli_env, "320500")
    result = cli(cli_env, "region", "import", str(path))
    assert result.exit_code == 3
    err = " ".join(result.stderr.split())
    expected = [
        "row 3, column city_code: Unknown city code '999999'",
        "row 4, column value: Ambiguous comma in a number",
        "row 5, column unit: Unit conflict: gdp is stored in '100m yuan'",
        "row 5: Duplicate of row 4",
    ]
    for line in expected:
        assert f"- {line}" in err
    assert "未知的城市代码" in err
    assert cli_statistics(cli_env, "320500") == before


def test_cli_import_conflict_exit_5_then_replace(cli_env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "gdp.csv"
    path.write_bytes(csv_bytes([LONG_HEADER, ["320500", "gdp", "2019", "19300", "100m yuan", SRC]]))
    result = cli(cli_env, "region", "import", str(path))
    assert result.exit_code == 5
    assert "- row 2: gdp of city 320500 in 2019 is already stored" in " ".join(
        result.stderr.split()
    )
    result = cli(cli_env, "region", "import", str(path), "--replace", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["statistics_replaced"] == 1
    gdp = [s for s in cli_statistics(cli_env, "320500") if s["indicator"] == "gdp"]
    assert [s["value"] for s in gdp] == [19300.0]


def test_cli_import_missing_file_is_a_usage_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = cli(cli_env, "region", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
