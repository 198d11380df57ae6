"""RFC 9421 message signatures and RFC 9530 digests: the RFC's vectors, parsing, properties."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from dyrd.exchange.compute import httpsig, xroad
from dyrd.exchange.compute.httpsig import (
    HttpMessage,
    Item,
    SignatureError,
    component,
    make_params,
)


def _b64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.1.3 (test-key-ecc-p256), public parts.
ED25519_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
ED25519_JWK = {"kty": "OKP", "crv": "Ed25519", "x": "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}
P256_JWK = {
    "kty": "EC",
    "crv": "P-256",
    "x": "qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA",
    "y": "Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0",
}

# The RFC's test request (Appendix B.2) and response, as far as the vectors cover them.
B2_REQUEST = HttpMessage.request_of(
    "POST",
    "http://example.com/foo?param=Value&Pet=dog",
    {
        "Host": ["example.com"],
        "Date": ["Tue, 20 Apr 2021 02:07:55 GMT"],
        "Content-Type": ["application/json"],
        "Content-Length": ["18"],
    },
)
B26_INPUT = (
    'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
    ';created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = (
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jr"
    "nDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:"
)
B26_BASE = (
    b'"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    b'"@method": POST\n'
    b'"@path": /foo\n'
    b'"@authority": example.com\n'
    b'"content-type": application/json\n'
    b'"content-length": 18\n'
    b'"@signature-params": ("date" "@method" "@path" "@authority" "content-type" '
    b'"content-length");created=1618884473;keyid="test-key-ed25519"'
)
B24_BODY = b'{"message": "good dog"}'
B24_DIGEST = (
    "sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ4"
    "1QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:"
)
B24_RESPONSE = HttpMessage.response_of(
    200,
    {"Content-Type": "application/json", "Content-Digest": B24_DIGEST, "Content-Length": "23"},
)
B24_INPUT = (
    'sig-b24=("@status" "content-type" "content-digest" "content-length")'
    ';created=1618884473;keyid="test-key-ecc-p256"'
)
B24_SIGNATURE = (
    "sig-b24=:wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvp"
    "aCLx0NKocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==:"
)


def test_b26_ed25519_base_and_signature_are_reproduced_exactly() -> None:
    received = httpsig.parse_signatures(B26_INPUT, B26_SIGNATURE)["sig-b26"]
    assert httpsig.signature_base(B2_REQUEST, received.params) == B26_BASE
    key = Ed25519PrivateKey.from_private_bytes(_b64u(ED25519_D))
    signed = httpsig.sign_message(B2_REQUEST, received.params, label="sig-b26", sign=key.sign)
    assert signed.signature_input == B26_INPUT
    assert signed.signature == B26_SIGNATURE
    verify = httpsig.jwk_verifier(httpsig.ALG_ED25519, ED25519_JWK)
    assert httpsig.verify_message(B2_REQUEST, received, verify=verify) == B26_BASE


def test_b24_ecdsa_p256_response_signature_verifies() -> None:
    received = httpsig.parse_signatures(B24_INPUT, B24_SIGNATURE)["sig-b24"]
    verify = httpsig.jwk_verifier(httpsig.ALG_ECDSA_P256, P256_JWK)
    base = httpsig.verify_message(B24_RESPONSE, received, verify=verify)
    assert base.startswith(b'"@status": 200\n"content-type": application/json\n')
    assert httpsig.digest_matches(B24_DIGEST, B24_BODY)
    # One changed covered value and it no longer verifies.
    other = HttpMessage.response_of(201, B24_RESPONSE.fields)
    with pytest.raises(SignatureError) as exc:
        httpsig.verify_message(other, received, verify=verify)
    assert exc.value.reason == "bad-signature"


def test_ecdsa_sign_and_verify_round_trip() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    nums = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": base64.urlsafe_b64encode(nums.x.to_bytes(32, "big")).rstrip(b"=").decode(),
        "y": base64.urlsafe_b64encode(nums.y.to_bytes(32, "big")).rstrip(b"=").decode(),
    }
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    def sign(data: bytes) -> bytes:
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    params = make_params([component("@method"), component("@path")], created=1, keyid="k")
    signed = httpsig.sign_message(B2_REQUEST, params, label="s", sign=sign)
    received = httpsig.parse_signatures(signed.signature_input, signed.signature)["s"]
    verify = httpsig.jwk_verifier(httpsig.ALG_ECDSA_P256, jwk)
    assert httpsig.verify_message(B2_REQUEST, received, verify=verify) == signed.base
    with pytest.raises(ValueError, match="cannot verify"):
        httpsig.jwk_verifier(httpsig.ALG_ED25519, jwk)


def test_derived_components_of_the_rfc_request() -> None:
    values = {
        name: httpsig.component_value(B2_REQUEST, component(name))
        for name in ("@method", "@authority", "@path", "@query", "@target-uri", "@scheme")
    }
    assert values == {
        "@method": "POST",
        "@authority": "example.com",
        "@path": "/foo",
        "@query": "?param=Value&Pet=dog",
        "@target-uri": "http://example.com/foo?param=Value&Pet=dog",
        "@scheme": "http",
    }
    assert httpsig.component_value(
        HttpMessage.request_of("GET", "https://EXAMPLE.com:443/"), component("@authority")
    ) == ("example.com")
    assert httpsig.component_value(
        HttpMessage.request_of("GET", "http://h/p"), component("@query")
    ) == ("?")


def test_request_signature_component_of_a_response_per_section_2_4() -> None:
    request = HttpMessage.request_of(
        "GET", "http://h/p", {"Signature": "dyrd=:AAEC:, other=:BAUG:"}
    )
    response = HttpMessage.response_of(200, {}, request=request)
    comp = component("signature", req=True, key="dyrd")
    assert comp.identifier == '"signature";req;key="dyrd"'
    assert httpsig.component_value(response, comp) == ":AAEC:"
    with pytest.raises(SignatureError):
        httpsig.component_value(HttpMessage.response_of(200, {}), comp)


def test_content_digest_rfc_9530() -> None:
    assert httpsig.content_digest(b"") == "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"
    digest = httpsig.content_digest(b'{"hello": "world"}')
    assert digest == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"
    assert httpsig.digest_matches(digest, b'{"hello": "world"}')
    assert not httpsig.digest_matches(digest, b'{"hello": "World"}')
    assert not httpsig.digest_matches("md5=:AAAA:", b"")  # no accepted algorithm
    both = digest + ", sha-512=:" + base64.b64encode(hashlib.sha512(b"x").digest()).decode() + ":"
    assert not httpsig.digest_matches(both, b'{"hello": "world"}')  # every accepted one must match


@pytest.mark.parametrize(
    "text",
    [
        'a=("x"',
        "a=:not base64!:",
        'a="unterminated',
        "a=1,",
        "A=1",
        'a=("x")junk',
        "a=\u00e9",
    ],
)
def test_malformed_structured_fields_are_refused(text: str) -> None:
    with pytest.raises(SignatureError) as exc:
        httpsig.parse_dictionary(text)
    assert exc.value.reason == "malformed"


def test_structured_field_round_trip() -> None:
    text = 'sig=("@method" "signature";req;key="a");created=1;nonce="n\\"q";flag, b=?0, c=-1.5'
    parsed = httpsig.parse_dictionary(text)
    expected = text.split("=", 1)[1].split(", b", maxsplit=1)[0]
    assert httpsig.serialize_member(parsed["sig"]) == expected
    assert parsed["b"] == Item(False)
    assert str(parsed["c"].value) == "-1.5"  # type: ignore[union-attr]


def test_duplicate_component_is_refused() -> None:
    params = make_params([component("@method"), component("@method")])
    with pytest.raises(SignatureError, match="twice"):
        httpsig.signature_base(B2_REQUEST, params)


def test_xroad_paths_map_member_ids_both_ways() -> None:
    for member in ("CN-YRD/GOV/330000/DSJ", "CN-YRD/GOV/330000"):
        path = xroad.build_path(member, "my-table", "rows")
        target = xroad.parse_path(path)
        assert (target.member_id, target.service, target.rest) == (member, "my-table", "rows")
    with pytest.raises(xroad.ProtocolError):
        xroad.parse_path("/r1/CN-YRD/COM/330000/x/rows")


# ---------------------------------------------------------------------------------------------
# Property: a signature verifies only its own request

_KEY = Ed25519PrivateKey.from_private_bytes(_b64u(ED25519_D))
_VERIFY = httpsig.jwk_verifier(httpsig.ALG_ED25519, ED25519_JWK)
_text = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
)
_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    path = "/" + "/".join(draw(st.lists(_segment, min_size=1, max_size=4)))
    query = "&".join(
        f"{k}={v}" for k, v in draw(st.dictionaries(_segment, _segment, max_size=3)).items()
    )
    headers = {
        "x-road-client": draw(_text),
        "x-road-id": draw(_text),
        "x-dyrd-grant": draw(_text),
        "content-digest": httpsig.content_digest(draw(st.binary(max_size=16))),
    }
    return path, query, headers


def _message(method: str, path: str, query: str, headers: dict[str, str]) -> HttpMessage:
    return HttpMessage.request_of(method, f"http://node.test{path}?{query}", headers)


_COMPONENTS = [
    component(n)
    for n in ("@method", "@authority", "@path", "@query", "content-digest", "x-road-client",
              "x-road-id", "x-dyrd-grant")
]  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(_requests(), _requests(), st.sampled_from(["GET", "POST"]))
def test_a_signature_verifies_only_its_own_request(
    mine: tuple[str, str, dict[str, str]], other: tuple[str, str, dict[str, str]], method: str
) -> None:
    params = make_params(_COMPONENTS, created=1700000000, nonce="n" * 16, keyid="k", alg="ed25519")
    own = _message(method, *mine)
    signed = httpsig.sign_message(own, params, label="dyrd", sign=_KEY.sign)
    received = httpsig.parse_signatures(signed.signature_input, signed.signature)["dyrd"]
    assert httpsig.verify_message(own, received, verify=_VERIFY) == signed.base
    theirs = _message(method, *other)
    if httpsig.signature_base(theirs, params) != signed.base:
        with pytest.raises(SignatureError):
            httpsig.verify_message(theirs, received, verify=_VERIFY)
