"""Fixtures of the exchange tests: principals, a sample table payload, the DCAT-AP shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from rdflib import Graph, Namespace

from dyrd.core.auth import Principal
from dyrd.core.types import Role
from tests.fakes import FakeAuthenticator

OWNER = "CN-YRD/GOV/330000/SCJGJ"
OTHER = "CN-YRD/GOV/310000/WSJKW"
DCAT_AP = Path(__file__).resolve().parents[1] / "external" / "dcat-ap"
SH = Namespace("http://www.w3.org/ns/shacl#")

STEWARD = Principal("zj.steward", {OWNER: frozenset({Role.DATA_STEWARD})})
VIEWER = Principal("zj.viewer", {OWNER: frozenset({Role.VIEWER})})
OUTSIDER = Principal("sh.steward", {OTHER: frozenset({Role.DATA_STEWARD})})
TOKENS = {"steward": STEWARD, "viewer": VIEWER, "outsider": OUTSIDER}


def auth(token: str) -> dict[str, str]:
    """Authorization header for one of TOKENS."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def authed_app(app: FastAPI) -> FastAPI:
    """The app with a fake authenticator that knows TOKENS."""
    app.state.authenticator = FakeAuthenticator(dict(TOKENS))
    return app


def table_payload(**overrides: Any) -> dict[str, Any]:
    """A valid table resource owned by OWNER."""
    body: dict[str, Any] = {
        "owner_member": OWNER,
        "kind": "table",
        "name": "test-enterprise-credit",
        "title_zh": "企业信用信息",
        "title_en": "Enterprise credit information",
        "description_zh": "登记企业的信用等级。",
        "description_en": "Credit grades of registered enterprises.",
        "owner_name_zh": "浙江省市场监督管理局",
        "sharing_class": "conditional",
        "themes": ["ECON"],
        "keywords": ["信用", "credit"],
        "frequency": "MONTHLY",
        "spatial": ["330000"],
        "licence": "CC_BY_4_0",
        "contact_name": "信用处",
        "contact_email": "credit@example.invalid",
        "columns": [
            {"name": "code", "type": "string", "required": True, "unique": True},
            {"name": "name", "type": "string", "personal_data": "identifier"},
            {"name": "score", "type": "number"},
            {"name": "listed", "type": "boolean"},
            {"name": "since", "type": "date"},
        ],
    }
    body.update(overrides)
    return body


def _shapes() -> Graph:
    g = Graph()
    g.parse(DCAT_AP / "shacl" / "dcat-ap-SHACL.ttl")
    g.parse(DCAT_AP / "shacl" / "ranges.ttl")
    # ranges.ttl links property shapes that are never defined (suite README, "Traps").
    for shape, prop in list(g.subject_objects(SH.property)):
        if (prop, SH.path, None) not in g:
            g.remove((shape, SH.property, prop))
    return g


@pytest.fixture(scope="session")
def dcat_shapes() -> Graph:
    """DCAT-AP 3.0.1 main shapes plus ranges, made loadable."""
    return _shapes()
