"""Per-grant pseudonyms: stable within a grant, unjoinable across grants, never the raw id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.core.errors import ConfigurationError
from dyrd.exchange.adapters.secret_file import FileSecret, load_or_create_secret
from dyrd.exchange.compute.pseudonym import (
    PSEUDONYM_PREFIX,
    PseudonymError,
    grant_key,
    pseudonym,
)
from dyrd.exchange.service.privacy import pseudonymise_rows
from dyrd.exchange.types import ColumnSpec, ColumnType, PersonalDataRole

SECRET = bytes(range(32))
SCHEMA = [
    ColumnSpec("id_number", ColumnType.STRING, personal_data=PersonalDataRole.IDENTIFIER),
    ColumnSpec("age", ColumnType.INTEGER, personal_data=PersonalDataRole.QUASI_IDENTIFIER),
    ColumnSpec("note", ColumnType.STRING),
]
# Identifiers of at least 8 characters: a shorter one may turn up inside a base32 token by chance.
ids = st.text(alphabet=st.characters(codec="utf-8"), min_size=8, max_size=40)
grants = st.uuids().map(str)


def _hkdf_sha256(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    """RFC 5869 written out with hmac, independent of the cryptography package."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


def test_grant_key_is_hkdf_sha256_with_the_grant_id_as_info() -> None:
    expected = _hkdf_sha256(SECRET, b"dyrd/exchange/pseudonym/v1", b"grant-1")
    assert grant_key(SECRET, "grant-1") == expected


def test_pseudonym_is_prefixed_base32_of_160_hmac_bits() -> None:
    key = grant_key(SECRET, "grant-1")
    token = pseudonym(key, "310101199001011234")
    assert token.startswith(PSEUDONYM_PREFIX)
    body = token.removeprefix(PSEUDONYM_PREFIX)
    assert len(body) == 32
    digest = hmac.new(key, b"310101199001011234", hashlib.sha256).digest()
    assert base64.b32decode(body.upper()) == digest[:20]


@settings(max_examples=200)
@given(grant=grants, values=st.lists(ids, min_size=1, max_size=20, unique=True))
def test_same_grant_gives_stable_distinct_pseudonyms(grant: str, values: list[str]) -> None:
    rows = [{"id_number": v, "age": 40, "note": "x"} for v in values]
    first = pseudonymise_rows(rows, SCHEMA, grant_id=grant, secret=SECRET)
    again = pseudonymise_rows(rows, SCHEMA, grant_id=grant, secret=bytes(SECRET))
    assert first == again
    tokens = [r["id_number"] for r in first]
    assert len(set(tokens)) == len(values)  # distinct people stay distinct


@settings(max_examples=200)
@given(
    pair=st.lists(grants, min_size=2, max_size=2, unique=True),
    values=st.lists(ids, min_size=1, max_size=20, unique=True),
)
def test_different_grants_cannot_join(pair: list[str], values: list[str]) -> None:
    rows = [{"id_number": v} for v in values]
    a = {r["id_number"] for r in pseudonymise_rows(rows, SCHEMA, grant_id=pair[0], secret=SECRET)}
    b = {r["id_number"] for r in pseudonymise_rows(rows, SCHEMA, grant_id=pair[1], secret=SECRET)}
    assert a.isdisjoint(b)


@settings(max_examples=200)
@given(grant=grants, value=ids)
def test_pseudonym_never_contains_the_raw_id(grant: str, value: str) -> None:
    token = pseudonym(grant_key(SECRET, grant), value)
    assert value not in token
    assert value.lower() not in token


def test_other_secret_other_pseudonyms() -> None:
    other = bytes(reversed(SECRET))
    assert pseudonym(grant_key(SECRET, "g"), "A1234567") != pseudonym(
        grant_key(other, "g"), "A1234567"
    )


def test_only_identifier_cells_change_and_missing_stays_missing() -> None:
    rows: list[dict[str, Any]] = [
        {"id_number": None, "age": 37, "note": "n"},
        {"id_number": 12345678, "age": 1},
    ]
    out = pseudonymise_rows(rows, SCHEMA, grant_id="g", secret=SECRET)
    assert out[0] == {"id_number": None, "age": 37, "note": "n"}
    assert out[1]["age"] == 1
    # an ID stored as a number and as text is the same person
    assert out[1]["id_number"] == pseudonym(grant_key(SECRET, "g"), "12345678")
    assert rows[1]["id_number"] == 12345678  # input untouched


def test_weak_secrets_and_empty_grants_are_refused() -> None:
    with pytest.raises(PseudonymError):
        grant_key(b"short", "g")
    with pytest.raises(PseudonymError):
        grant_key(SECRET, "")
    with pytest.raises(PseudonymError):
        pseudonym(grant_key(SECRET, "g"), True)


def test_secret_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "pseudonym.secret"
    first = load_or_create_secret(path)
    assert len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first
    holder = FileSecret(path)
    assert holder.get() == first
    assert first.hex() not in repr(holder)


def test_secret_file_readable_by_others_or_too_short_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.secret"
    load_or_create_secret(path)
    os.chmod(path, 0o644)  # the insecure mode under test
    with pytest.raises(ConfigurationError, match="readable by other users"):
        load_or_create_secret(path)
    short = tmp_path / "short.secret"
    fd = os.open(short, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, b"tiny")
    os.close(fd)
    with pytest.raises(ConfigurationError, match="shorter than 32 bytes"):
        load_or_create_secret(short)
