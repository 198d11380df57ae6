"""A test certificate (EU DCC, one ``t`` entry) shown alongside a code at the checkpoint: a
verified negative result of the code's holder counts within the policy's window; anything else
is reported and adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from dyrd import credential, trust
from dyrd.core.clock import Clock
from dyrd.credential.compute import cose
from dyrd.healthcode.compute import testresult
from tests.fakes import InMemoryKeyStore
from tests.healthcode.conftest import auth
from tests.healthcode.test_checkpoint_api import (
    CHECKPOINT,
    _issue,
    _make_yellow,
    _resident,
    _tampered,
)

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # the test clock


def signed_test(
    session: Session,
    keystore: InMemoryKeyStore,
    clock: Clock,
    *,
    sampled: datetime,
    result: str = testresult.NOT_DETECTED,
    family: str = "ZHANG",
    given: str = "SAN",
    dob: str = "1985-01-01",
) -> str:
    """A DCC 1.3.0 test certificate signed by Shanghai's document signer (a test centre there)."""
    dcc = {
        "ver": "1.3.0",
        "nam": {"fn": family.title(), "fnt": family, "gn": given.title(), "gnt": given},
        "dob": dob,
        "t": [
            {
                "tg": testresult.COVID_19, "tt": "LP6464-4", "nm": "Roche LightCycler qPCR",
                "sc": sampled.strftime("%Y-%m-%dT%H:%M:%SZ"), "tr": result,
                "tc": "Shanghai Test Centre", "co": "CN", "is": "DYRD test issuer",
                "ci": "URN:UVCI:01:CN:DYRD/TEST0001",
            }
        ],
    }  # fmt: skip
    claims: dict[int, Any] = {
        cose.CLAIM_ISS: "CN",
        cose.CLAIM_IAT: int(min(sampled + timedelta(hours=1), AT).timestamp()),
        cose.CLAIM_EXP: int((AT + timedelta(days=3)).timestamp()),
        cose.CLAIM_HCERT: {cose.HCERT_DCC: dcc},
    }
    dsc = trust.document_signer(session, "CN-YRD/GOV/310000", keystore=keystore, at=clock())
    return credential.encode_hc1(claims, sign=dsc.signer.sign, alg=-7, kid=dsc.kid)


def _check(client: TestClient, text: str, test_text: str | None) -> dict[str, Any]:
    body = {"text": text, "jurisdiction": "310000", "test_text": test_text}
    r = client.post(CHECKPOINT, json=body, headers=auth("sh"))
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def yellow(hc_app: FastAPI) -> str:
    """A Zhejiang yellow code of ZS, born 1985, with no negative test in it."""
    with TestClient(hc_app) as client:
        rid = _resident(client)
        _make_yellow(client, rid)
        code = _issue(client, rid)
    assert code["colour"] == "yellow"
    return str(code["text"])


def test_a_recent_negative_test_of_the_holder_lets_a_yellow_code_through(
    hc_app: FastAPI, yellow: str, session: Session, keystore: InMemoryKeyStore, clock: Clock
) -> None:
    recent = signed_test(session, keystore, clock, sampled=AT - timedelta(hours=10))
    with TestClient(hc_app) as client:
        alone = _check(client, yellow, None)
        assert alone["accepted"] is False
        assert alone["test_certificate"] is None
        shown = _check(client, yellow, recent)
        assert shown["accepted"] is True, shown
        assert shown["reason_zh"] == "接受：浙江黄码 (policy SH-ACC-001 v2)"
        assert shown["test_certificate"]["valid"] is True
        assert shown["test_certificate"]["used"] is True
        assert shown["test_certificate"]["negative_at"] == "2026-11-25T22:00:00Z"
        assert shown["negative_test_at"] is None  # the code itself still holds none


@pytest.mark.parametrize(
    ("hours", "extra", "valid", "used", "says"),
    [
        (60, {}, True, True, "Negative test sampled"),  # too old for the 48-hour window
        (10, {"result": "260373001"}, True, False, "not negative"),  # SNOMED CT "Detected"
        (10, {"family": "LI", "given": "SI"}, True, False, "names someone else"),
        (10, {"dob": "1990-01-01"}, True, False, "names someone else"),
        (-2, {}, True, False, "after the validation time"),
    ],
)
def test_a_test_that_does_not_count_is_reported_and_refused(  # noqa: PLR0917  # fixtures
    hc_app: FastAPI,
    yellow: str,
    session: Session,
    keystore: InMemoryKeyStore,
    clock: Clock,
    hours: int,
    extra: dict[str, str],
    valid: bool,
    used: bool,
    says: str,
) -> None:
    shown_text = signed_test(session, keystore, clock, sampled=AT - timedelta(hours=hours), **extra)
    with TestClient(hc_app) as client:
        verdict = _check(client, yellow, shown_text)
    assert verdict["accepted"] is False
    assert verdict["steps"]["policy"] is False
    test = verdict["test_certificate"]
    assert (test["valid"], test["used"]) == (valid, used)
    assert says in test["reason"]
    assert test["reason_zh"]


def test_a_forged_or_garbled_test_certificate_adds_nothing(
    hc_app: FastAPI, yellow: str, session: Session, keystore: InMemoryKeyStore, clock: Clock
) -> None:
    positive = signed_test(
        session, keystore, clock, sampled=AT - timedelta(hours=10), result="260373001"
    )
    forged = _tampered_result(positive)
    with TestClient(hc_app) as client:
        for bad in (forged, "HC1:garbage", _tampered(yellow)):
            verdict = _check(client, yellow, bad)
            assert verdict["accepted"] is False
            assert verdict["test_certificate"]["valid"] is False
            assert verdict["test_certificate"]["used"] is False
            assert "does not verify" in verdict["test_certificate"]["reason"]


def _tampered_result(text: str) -> str:
    """The same signature over the payload with the result changed to not detected."""
    import zlib

    import cbor2

    from dyrd.credential.compute import base45

    sign1 = cbor2.loads(zlib.decompress(base45.decode(text.removeprefix("HC1:"))))
    protected, unprotected, payload, signature = sign1.value
    claims = cbor2.loads(payload)
    claims[-260][1]["t"][0]["tr"] = testresult.NOT_DETECTED
    forged = cbor2.CBORTag(18, [protected, unprotected, cbor2.dumps(claims), signature])
    return "HC1:" + base45.encode(zlib.compress(cbor2.dumps(forged)))
