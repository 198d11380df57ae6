"""POST /api/v1/credential/verify: JSON text or multipart image, always a verdict."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from dyrd.credential.compute import qr

VECTOR = json.loads(
    (Path(__file__).resolve().parents[1] / "external" / "hcert" / "SE" / "2.json").read_text(
        "utf-8"
    )
)
TEXT: str = VECTOR["PREFIX"]
CERT: str = VECTOR["TESTCTX"]["CERTIFICATE"]
AT: str = VECTOR["TESTCTX"]["VALIDATIONCLOCK"]
URL = "/api/v1/credential/verify"
STEPS = ["prefix", "base45", "zlib", "cose", "cbor", "signature", "key_usage", "expiry", "schema"]


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert list(body["steps"]) == STEPS
    return body


def test_json_text_valid(client: TestClient) -> None:
    """The Swedish test vector verifies with its DSC at its validation clock."""
    body = _ok(client.post(URL, json={"text": TEXT, "certificates": [CERT], "at": AT}))
    assert body["valid"] is True
    assert all(body["steps"][s] is True for s in STEPS)
    assert body["kid"] == "5f74910195c5cecb"


def test_json_text_invalid_is_still_200(client: TestClient) -> None:
    """No certificate, a later clock, or garbage: 200 with valid false and the failing step."""
    body = _ok(client.post(URL, json={"text": TEXT, "at": AT}))
    assert body["valid"] is False
    assert body["steps"]["signature"] is False
    body = _ok(client.post(URL, json={"text": TEXT, "certificates": [CERT], "at": "2030-01-01"}))
    assert body["steps"]["expiry"] is False
    assert "Expired" in body["reason"]
    body = _ok(client.post(URL, json={"text": "HC1:" + "%" * 5000}))
    assert body["valid"] is False
    assert body["steps"]["prefix"] is False


def test_multipart_image(client: TestClient) -> None:
    """A QR image upload, with repeated certificate fields, gives the same verdict."""
    png = base64.b64decode(VECTOR["2DCODE"])
    files = {"image": ("code.png", png, "image/png")}
    body = _ok(client.post(URL, files=files, data={"certificate": [CERT], "at": AT}))
    assert body["valid"] is True
    bad = {"image": ("x.png", b"\x89PNG garbage", "image/png")}
    body = _ok(client.post(URL, files=bad, data={"at": AT}))
    assert body["valid"] is False
    assert body["steps"]["prefix"] is False
    body = _ok(client.post(URL, files={"x": ("a", b"", "text/plain")}, data={"text": TEXT}))
    assert body["steps"]["signature"] is False


def test_malformed_requests_are_problems(client: TestClient) -> None:
    """Bad JSON, a bad certificate or time, a huge image: 4xx problem+json, bilingual."""
    cases = [
        (client.post(URL, content=b"{", headers={"content-type": "application/json"}), 422),
        (client.post(URL, json={"certificates": [CERT]}), 422),
        (client.post(URL, json={"text": TEXT, "certificates": ["%%%"]}), 422),
        (client.post(URL, json={"text": TEXT, "at": "tomorrow"}), 422),
        (client.post(URL, json={"text": "HC1:" + "A" * 10_000}), 422),
        (client.post(URL, content=b"text", headers={"content-type": "text/plain"}), 422),
        (client.post(URL, files={"image": ("big.png", b"0" * (qr.MAX_IMAGE_BYTES + 1))}), 413),
        (client.post(URL, data={"at": AT}, files={"x": ("a", b"", "text/plain")}), 422),
    ]
    for response, status in cases:
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["title_zh"]
        assert problem["detail"]


def test_openapi_documents_both_bodies(client: TestClient) -> None:
    """The operation documents JSON and multipart bodies and the verdict schema."""
    spec = client.get("/openapi.json").json()
    operation = spec["paths"][URL]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "multipart/form-data"}
    json_schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(json_schema["properties"]) == {"text", "certificates", "at"}
    assert "VerdictRead" in spec["components"]["schemas"]
