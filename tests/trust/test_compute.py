"""Token format and digests (pure)."""

from __future__ import annotations

import hashlib
import secrets

from hypothesis import given
from hypothesis import strategies as st

from dyrd.trust.compute import tokens

URLSAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
token_strategy = st.text(alphabet=URLSAFE, min_size=43, max_size=43).map(
    lambda s: tokens.TOKEN_MARK + s
)


def test_issued_tokens_have_the_recognisable_shape() -> None:
    token = tokens.TOKEN_MARK + secrets.token_urlsafe(tokens.TOKEN_ENTROPY_BYTES)
    assert tokens.looks_like_token(token)
    assert tokens.display_prefix(token) == token[:13]
    assert tokens.display_prefix(token).startswith("dyrd_")


def test_digest_is_hex_sha256() -> None:
    assert tokens.hash_token("dyrd_x") == hashlib.sha256(b"dyrd_x").hexdigest()


def test_strings_of_another_shape_are_not_tokens() -> None:
    for value in ("", "dyrd_", "Bearer dyrd_" + "a" * 43, "ghp_" + "a" * 43, "dyrd_" + "a" * 44):
        assert not tokens.looks_like_token(value)


@given(token_strategy, token_strategy)
def test_a_digest_matches_only_its_own_token(a: str, b: str) -> None:
    stored = tokens.hash_token(a)
    assert tokens.digest_matches(stored, a)
    assert tokens.digest_matches(stored, b) is (a == b)
