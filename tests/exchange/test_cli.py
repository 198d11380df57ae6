"""`dyrd catalog ...` commands on the test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph
from sqlalchemy import Connection
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from dyrd.core.cliutil import CliState, exit_code_for
from dyrd.core.clock import Clock
from dyrd.exchange.cli import app
from dyrd.exchange.errors import ResourceNotFound

runner = CliRunner()


@pytest.fixture
def obj(connection: Connection, clock: Clock) -> CliState:
    """CLI state whose sessions join the test transaction."""

    def factory() -> Session:
        return Session(bind=connection, join_transaction_mode="create_savepoint")

    return CliState(session_factory=factory, clock=clock)


def run(obj: CliState, *args: str) -> str:
    result = runner.invoke(app, list(args), obj=obj)
    assert result.exit_code == 0, result.output
    return result.output


def test_load_samples_then_list_search_show_versions(obj: CliState) -> None:
    first = json.loads(run(obj, "load-samples", "--json"))
    assert first == {"created": 5, "updated": 0, "unchanged": 0}
    assert json.loads(run(obj, "load-samples", "--json"))["unchanged"] == 5
    listed = json.loads(run(obj, "list", "--json"))
    assert listed["total"] == 5
    found = json.loads(run(obj, "search", "企业 信用", "--json"))
    assert found["items"][0]["name"] == "zj-enterprise-credit-sample"
    shown = json.loads(run(obj, "show", "sh-medical-institutions-sample", "--json"))
    assert shown["sharing_class"] == "unconditional"
    assert shown["is_sample"] is True
    versions = json.loads(run(obj, "versions", "sh-medical-institutions-sample", "--json"))
    assert [v["version"] for v in versions] == [1]
    table = run(obj, "show", "js-social-security-card-holders-sample")
    assert "不予共享" in table


def test_export_dcat_to_a_file(obj: CliState, tmp_path: Path) -> None:
    run(obj, "load-samples")
    out = tmp_path / "catalog.ttl"
    run(obj, "export-dcat", "--base-url", "https://data.example.test", "-o", str(out))
    graph = Graph().parse(out, format="turtle")
    assert len(graph) > 100
    assert "https://data.example.test/api/v1/catalog" in out.read_text(encoding="utf-8")


def test_unknown_resource_is_a_not_found_error(obj: CliState) -> None:
    result = runner.invoke(app, ["show", "nope"], obj=obj)
    # the root command turns platform errors into exit codes; here the sub-app raises it
    assert isinstance(result.exception, ResourceNotFound)
    assert exit_code_for(result.exception) == 4
    bad = runner.invoke(app, ["export-dcat", "--format", "xml"], obj=obj)
    assert bad.exit_code == 2
