"""Schemathesis fuzz of the OpenAPI document: no 5xx, errors are problem+json, responses conform.

The operations come from the app's own OpenAPI document, built once at collection time from an
app wired to an unopened in-memory engine (building the document touches no database). Each
generated case is then sent in-process to the ``app`` fixture, so it runs on SQLite and, when
DYRD_TEST_DATABASE_URL is set, on PostgreSQL, inside the test transaction that is rolled back.

Two passes:

* as an admin of the whole region (a fake authenticator resolves the token), every operation:
  schemathesis' coverage phase (boundary and invalid values of every parameter, unexpected
  methods) and then a few random examples, so code behind authentication is reached;
* anonymously, every operation that declares a security requirement: it must answer a
  problem+json 401, whatever the input.

Every default schemathesis check runs (no 5xx, status code, content type, headers and body
conform to the document, invalid input rejected, authentication enforced, 405 names the allowed
methods) except ``positive_data_acceptance``, plus ``problem_json_for_errors`` below.

(``schemathesis.pytest.from_fixture`` would load the schema from the fixture instead, but
schemathesis 4.32 with pytest 9.2 fails there on ``Function._nodeid``.)
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from dyrd import bootstrap
from dyrd.core.auth import Principal
from dyrd.core.config import Settings
from dyrd.core.db import create_db_engine
from dyrd.core.types import REGION_MEMBER_ID, Role
from tests.conftest import SHARED
from tests.fakes import FakeAuthenticator

ADMIN_TOKEN = "fuzz-region-admin"
PROBLEM_JSON = "application/problem+json"
EPCIS_ARTEFACTS = SHARED / "testdata" / "epcis"

# CKAN's Action API answers errors in CKAN's own envelope ({"success": false, "error": ...}),
# the format CKAN clients parse; everything else answers RFC 9457 problems.
OWN_ERROR_FORMAT = ("/api/3/action/",)

# Bounded: the coverage phase already sends a few hundred requests per backend; these random
# examples come on top. Raise max_examples locally to search harder.
_COMMON: dict[str, Any] = {
    "deadline": None,
    # The same examples on every run, so CI never flakes; raise max_examples to search harder.
    "derandomize": True,
    # The app fixture is deliberately shared by the examples of one operation: requests only
    # write inside its rolled-back transaction, so examples cannot leak into other tests.
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
AS_ADMIN = settings(max_examples=10, **_COMMON)
ANONYMOUS = settings(max_examples=5, **_COMMON)


def _openapi_document() -> tuple[dict[str, Any], list[str]]:
    """The OpenAPI document and what went wrong building it (reported by a test, not here)."""
    # sqlite:// is never connected here: building the app only registers routes.
    settings = Settings(database_url="sqlite://", ledger_checkpoint_seconds=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            spec = bootstrap.build_app(settings, engine=create_db_engine("sqlite://")).openapi()
        except Exception as exc:  # a collection error would stop the whole test run
            empty = {"openapi": "3.1.0", "info": {"title": "-", "version": "0"}, "paths": {}}
            return empty, [f"{type(exc).__name__}: {exc}"]
    return spec, [f"{w.category.__name__}: {w.message}" for w in caught]


SPEC, SPEC_PROBLEMS = _openapi_document()
SECURED = {
    (path, method.lower())
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if isinstance(operation, dict) and operation.get("security")
}

# OCDS uploads may also be line-delimited JSON: send generated strings as they are.
schemathesis.serializer.alias("application/x-ndjson", "text/plain")

admin_schema = schemathesis.openapi.from_dict(SPEC)
anonymous_schema = schemathesis.openapi.from_dict(SPEC)
if SECURED:  # an empty selection would stop the whole run at collection; see the test below
    anonymous_schema = anonymous_schema.include(
        func=lambda ctx: (ctx.operation.path, ctx.operation.method.lower()) in SECURED
    )
# Without a token these operations answer 401 before reading any parameter: boundary values
# would all meet the same answer, so the anonymous pass skips the coverage phase.
anonymous_schema.config.phases.coverage.enabled = False


def problem_json_for_errors(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx is application/problem+json with the RFC 9457 members and the same status."""
    if response.status_code < 400 or case.operation.path.startswith(OWN_ERROR_FORMAT):
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.startswith(PROBLEM_JSON), (
        f"{response.status_code} answered with {content_type!r}, expected {PROBLEM_JSON}"
    )
    body = json.loads(response.content)
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == response.status_code, body
    return None


@pytest.fixture(autouse=True)
def quiet_background_work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Apps built for these tests start no ledger signer and keep any key file out of the tree.

    Schemathesis keeps each app's lifespan running until the process ends, so a background
    thread started there would outlive its test. Autouse, so it is set before ``app`` is built.
    """
    monkeypatch.setenv("DYRD_LEDGER_CHECKPOINT_SECONDS", "0")
    # ...and no timed flush of checkpoint counts, which would share the test's connection.
    monkeypatch.setenv("DYRD_HEALTHCODE_TALLY_SECONDS", "0")
    monkeypatch.setenv("DYRD_LEDGER_KEY_PATH", str(tmp_path / "ledger.pem"))
    if EPCIS_ARTEFACTS.is_dir():
        monkeypatch.setenv("DYRD_EPCIS_ARTEFACTS_DIR", str(EPCIS_ARTEFACTS))


def _needs_epcis_artefacts(case: Any) -> None:
    # Without GS1's schema (not redistributable, so not in the package) EPCIS capture and
    # validation rightly answer 503 "not configured", which the no-5xx check would flag.
    if case.operation.path.startswith("/epcis") and not EPCIS_ARTEFACTS.is_dir():
        pytest.skip(
            "the GS1 EPCIS 2.0 artefacts (../shared/testdata/epcis) are not beside this checkout"
        )


@pytest.fixture
def admin_app(app: FastAPI) -> FastAPI:
    """The app, with a token that resolves to an admin of the whole region."""
    principal = Principal(user="fuzz-admin", roles={REGION_MEMBER_ID: frozenset({Role.ADMIN})})
    app.state.authenticator = FakeAuthenticator({ADMIN_TOKEN: principal})
    return app


def _call_and_validate(case: Any, app: FastAPI, headers: dict[str, str] | None = None) -> None:
    # The schema came from a dict; point it and the operation at this test's app, so the
    # request and the probes some checks send (ignored_auth replays it without the token)
    # all go in-process to the same app. (The schema's app picks the transport, the
    # operation's app is the one called.)
    case.operation.schema.app = app
    case.operation.app = app
    case.call_and_validate(
        headers=headers,
        additional_checks=[problem_json_for_errors],
        # This one expects 2xx for any schema-valid input, but rules beyond the schema
        # (end before start, an unknown member) rightly answer 4xx.
        excluded_checks=[positive_data_acceptance],
        # schemathesis' 10 s default: with one pytest worker per core, PostgreSQL and the
        # other worker share two cores, and a fast answer can now and then wait that long.
        timeout=60,
    )


def test_openapi_document_builds_cleanly() -> None:
    assert SPEC_PROBLEMS == []
    assert SPEC["paths"], "no operations to fuzz"


def test_operations_needing_a_token_declare_it() -> None:
    # The anonymous pass below fuzzes exactly these; none would mean it silently tests nothing.
    assert SECURED


# Without operations schemathesis fails at collection, which stops every other test too;
# test_openapi_document_builds_cleanly reports that case instead.
if SPEC["paths"]:

    @AS_ADMIN
    @admin_schema.parametrize()
    def test_region_admin_requests_never_fail_the_server(case: Any, admin_app: FastAPI) -> None:
        _needs_epcis_artefacts(case)
        _call_and_validate(case, admin_app, {"Authorization": f"Bearer {ADMIN_TOKEN}"})

    @ANONYMOUS
    @anonymous_schema.parametrize()
    def test_anonymous_requests_are_refused_with_a_problem(case: Any, app: FastAPI) -> None:
        _needs_epcis_artefacts(case)
        _call_and_validate(case, app)
