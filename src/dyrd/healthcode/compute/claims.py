"""The health-code credential's claim set: CWT claims with our data elements under HCERT's -260.

The container is the EU DCC's (HC1: + base45 + zlib + COSE_Sign1 + CWT, built by
``dyrd.credential``); the claim set is ours. CWT claims 1 (iss), 4 (exp) and 6 (iat) are as in
HCERT; claim -260 (hcert) holds one map under the private key ``YRD_HC_CLAIM_KEY`` (-65537: RFC
8392 reserves CWT claim keys below -65536 for private use, and we follow that inside -260, whose
only registered key is 1, eu_dcc_v1). Its fields carry GB/T 38962-style data elements (健康码颜色
colour, 发码机构 issuing jurisdiction, 有效期 validity via iat/exp, and a minimal identity):

=======  ==========================================================================
``v``    claim-set version, ``"1.0"``
``c``    colour: ``"green"``, ``"yellow"`` or ``"red"``
``j``    issuing jurisdiction, GB/T 2260 code (``"330000"``)
``n``    initials (pinyin, 1-4 capitals) -- never the name
``y``    birth year -- never the birth date
``h``    the first 16 bytes of the HMAC-SHA-256 of the identity number -- never the number
``r``    id of the rule that decided the colour (``"ZJ-HC-003"``)
``rv``   its version
``t``    optional: when the latest negative test known to the issuer was taken (epoch
         seconds) -- what a partner checkpoint's policy reads offline ("yellow needs a
         negative test within 48 h"); absent when the issuer knows of none
=======  ==========================================================================

Field names are short because every byte costs QR modules; the QR text stays under
``MAX_QR_TEXT`` characters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dyrd.healthcode.types import Colour

YRD_HC_CLAIM_KEY = -65537
"""Private key of our claim map inside the HCERT claim (-260)."""

HCERT_CLAIM = -260
CLAIM_VERSION = "1.0"
MAX_QR_TEXT = 500
"""Longest HC1 text we issue (issue 4; the EU DCC's own codes run to about 475 characters)."""

DEFAULT_VALIDITY = timedelta(hours=24)
"""How long a code is valid: a green code lapsed without daily check-ins in the 2020 Hangzhou
scheme (research note, section 3.3). A platform choice; re-evaluation re-issues changed codes."""

ID_HASH_BYTES = 16


@dataclass(frozen=True, slots=True)
class CodeClaims:
    """What one health code says."""

    colour: Colour
    jurisdiction: str
    initials: str
    birth_year: int
    id_hash_hex: str
    rule_id: str
    rule_version: int
    issued_at: datetime
    expires_at: datetime
    negative_test_at: datetime | None = None


def cwt_claims(code: CodeClaims, *, issuer: str) -> dict[int, Any]:
    """The CWT claims map for ``dyrd.credential.encode_hc1``."""
    ours: dict[str, Any] = {
        "v": CLAIM_VERSION,
        "c": code.colour.value,
        "j": code.jurisdiction,
        "n": code.initials,
        "y": code.birth_year,
        "h": bytes.fromhex(code.id_hash_hex)[:ID_HASH_BYTES],
        "r": code.rule_id,
        "rv": code.rule_version,
    }
    if code.negative_test_at is not None:
        ours["t"] = int(code.negative_test_at.timestamp())
    return {
        1: issuer,
        4: int(code.expires_at.timestamp()),
        6: int(code.issued_at.timestamp()),
        HCERT_CLAIM: {YRD_HC_CLAIM_KEY: ours},
    }


def issuer_of(jurisdiction: str) -> str:
    """The CWT ``iss`` of a jurisdiction: ``CN-`` and its GB/T 2260 code."""
    return f"CN-{jurisdiction}"


def our_claim(claims: Mapping[int, Any]) -> Mapping[str, Any] | None:
    """Our claim map inside decoded CWT claims, or None when absent or malformed."""
    hcert = claims.get(HCERT_CLAIM)
    inner = hcert.get(YRD_HC_CLAIM_KEY) if isinstance(hcert, Mapping) else None
    return inner if isinstance(inner, Mapping) else None


_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "v": str,
    "c": str,
    "j": str,
    "n": str,
    "y": int,
    "h": bytes,
    "r": str,
    "rv": int,
}
_JURISDICTIONS = frozenset({"310000", "320000", "330000", "340000"})
_COLOURS = frozenset(c.value for c in Colour)


def check_claim(payload: Any) -> tuple[bool, str, str]:  # noqa: PLR0911  # one return per check
    """Whether ``payload`` is a well-formed claim map of ours: ``(ok, reason_en, reason_zh)``.

    The verifier's ``schema`` step for health codes (``dyrd.credential``'s ``ClaimChecker``):
    every field present with its type, a known version, colour and jurisdiction, a 16-byte
    identity hash, and ``t`` (if present) an integer.
    """
    if not isinstance(payload, Mapping):
        return False, "The health-code claim is not a map.", "健康码声明不是映射。"
    for name, kind in _REQUIRED.items():
        value = payload.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            return (
                False,
                f"The health-code claim has no valid field {name!r}.",
                f"健康码声明缺少有效字段 {name}。",
            )
    if payload["v"] != CLAIM_VERSION:
        return (
            False,
            f"Unknown health-code claim version {payload['v']!r} (this verifier reads "
            f"{CLAIM_VERSION}).",
            f"未知的健康码声明版本 {payload['v']!r}。",
        )
    if payload["c"] not in _COLOURS:
        return False, f"Unknown colour {payload['c']!r}.", f"未知的颜色 {payload['c']!r}。"
    if payload["j"] not in _JURISDICTIONS:
        return (
            False,
            f"Unknown issuing jurisdiction {payload['j']!r}.",
            f"未知的签发省市 {payload['j']!r}。",
        )
    if len(payload["h"]) != ID_HASH_BYTES:
        return False, "The identity hash is not 16 bytes.", "身份哈希长度不是 16 字节。"
    t = payload.get("t")
    if t is not None and (not isinstance(t, int) or isinstance(t, bool)):
        return False, "The test time 't' is not an integer.", "检测时间 t 不是整数。"
    return True, "", ""
