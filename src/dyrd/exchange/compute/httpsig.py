"""HTTP Message Signatures (RFC 9421) and Content-Digest (RFC 9530): pure building and parsing.

What the gateway signs is the *signature base* of RFC 9421 §2.5: one line per covered component
(``"@method": GET``, ``"x-road-client": CN-YRD/GOV/310000``), then the ``@signature-params``
line, which repeats the component list and the parameters (``created``, ``expires``, ``nonce``,
``keyid``, ``alg``, ``tag``). The ``Signature-Input`` and ``Signature`` fields are RFC 8941
structured-field dictionaries, so a minimal structured-field parser and serializer live here too.

Nothing here holds a key: signing and verifying take callables, so the same code serves the
key store (private keys never leave it) and the RFC's own test vectors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

ALG_ECDSA_P256 = "ecdsa-p256-sha256"
"""RFC 9421 §3.3.4: ECDSA on P-256 with SHA-256, signature r || s (64 bytes)."""
ALG_ED25519 = "ed25519"
"""RFC 9421 §3.3.6: EdDSA on Ed25519, the raw 64-byte signature."""

HTTPSIG_OF_JOSE = {"ES256": ALG_ECDSA_P256, "EdDSA": ALG_ED25519}
"""RFC 9421 algorithm names of the platform's JOSE key algorithms (``KeyAlgorithm`` values)."""
JOSE_OF_HTTPSIG = {v: k for k, v in HTTPSIG_OF_JOSE.items()}

DIGEST_ALGORITHMS: dict[str, Callable[[bytes], bytes]] = {
    "sha-256": lambda data: hashlib.sha256(data).digest(),
    "sha-512": lambda data: hashlib.sha512(data).digest(),
}
"""RFC 9530 §5 algorithms with status "Active"; the insecure ones (md5, sha, crc32...) are not
accepted."""

MAX_FIELD_LENGTH = 8192
"""Longest Signature-Input / Signature / Content-Digest value parsed (a DoS bound)."""

BareItem = int | Decimal | str | bytes | bool
Params = tuple[tuple[str, BareItem], ...]


class SignatureError(ValueError):
    """A signature field or message that cannot be used; ``reason`` is a short machine code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- RFC 8941 structured fields (the subset RFC 9421 and RFC 9530 use) --------------------------


@dataclass(frozen=True, slots=True)
class Token:
    """An sf-token (a bare word such as ``*`` or ``text/plain``), kept apart from strings."""

    value: str


@dataclass(frozen=True, slots=True)
class Item:
    """A bare item with its parameters."""

    value: BareItem | Token
    params: Params = ()


@dataclass(frozen=True, slots=True)
class InnerList:
    """An inner list of items, with the list's own parameters."""

    items: tuple[Item, ...]
    params: Params = ()


Member = Item | InnerList

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*")
_NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,3})?")
_B64 = re.compile(r"[A-Za-z0-9+/=]*")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")
_PLAIN_STRING = re.compile(r'"([\x20\x21\x23-\x5b\x5d-\x7e]*)"')


class _Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_FIELD_LENGTH:
            raise SignatureError("malformed", "structured field too long")
        if not text.isascii():
            raise SignatureError("malformed", "structured field must be ASCII")
        self.s = text
        self.i = 0

    def fail(self, what: str) -> SignatureError:
        return SignatureError("malformed", f"structured field: {what} at offset {self.i}")

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def skip_sp(self) -> None:
        while self.peek() == " ":
            self.i += 1

    def skip_ows(self) -> None:
        while self.peek() in (" ", "\t") and self.peek():
            self.i += 1

    def key(self) -> str:
        m = _KEY.match(self.s, self.i)
        if m is None:
            raise self.fail("expected a key")
        self.i = m.end()
        return m.group()

    def bare_item(self) -> BareItem | Token:
        c = self.peek()
        if c == '"':
            return self.string()
        if c == ":":
            return self.byte_sequence()
        if c == "?":
            self.i += 1
            v = self.peek()
            if v not in ("0", "1"):
                raise self.fail("expected ?0 or ?1")
            self.i += 1
            return v == "1"
        if c == "-" or c.isdigit():
            m = _NUMBER.match(self.s, self.i)
            if m is None:
                raise self.fail("bad number")
            self.i = m.end()
            text = m.group()
            return Decimal(text) if "." in text else int(text)
        m = _TOKEN.match(self.s, self.i)
        if m is None:
            raise self.fail("expected an item")
        self.i = m.end()
        return Token(m.group())

    def string(self) -> str:
        plain = _PLAIN_STRING.match(self.s, self.i)  # no escapes: the common case, in one step
        if plain is not None:
            self.i = plain.end()
            return plain.group(1)
        self.i += 1
        out: list[str] = []
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c == "\\":
                nxt = self.peek()
                if nxt not in ('"', "\\"):
                    raise self.fail("bad escape in string")
                out.append(nxt)
                self.i += 1
            elif c == '"':
                return "".join(out)
            elif not 0x20 <= ord(c) <= 0x7E:
                raise self.fail("control character in string")
            else:
                out.append(c)
        raise self.fail("unterminated string")

    def byte_sequence(self) -> bytes:
        end = self.s.find(":", self.i + 1)
        if end < 0:
            raise self.fail("unterminated byte sequence")
        text = self.s[self.i + 1 : end]
        if not _B64.fullmatch(text):
            raise self.fail("byte sequence is not base64")
        self.i = end + 1
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except binascii.Error as exc:
            raise self.fail("byte sequence is not base64") from exc

    def params(self) -> Params:
        out: dict[str, BareItem] = {}
        while self.peek() == ";":
            self.i += 1
            self.skip_sp()
            name = self.key()
            value: BareItem = True
            if self.peek() == "=":
                self.i += 1
                item = self.bare_item()
                value = item.value if isinstance(item, Token) else item
            out[name] = value  # a repeated parameter overrides (RFC 8941 §4.2.3.2)
        return tuple(out.items())

    def item(self) -> Item:
        return Item(self.bare_item(), self.params())

    def member(self) -> Member:
        if self.peek() != "(":
            return self.item()
        self.i += 1
        items: list[Item] = []
        while True:
            self.skip_sp()
            if self.peek() == ")":
                self.i += 1
                return InnerList(tuple(items), self.params())
            if not self.peek():
                raise self.fail("unterminated inner list")
            items.append(self.item())
            if self.peek() not in (" ", ")"):
                raise self.fail("expected a space or ')' in inner list")

    def dictionary(self) -> dict[str, Member]:
        out: dict[str, Member] = {}
        self.skip_sp()
        while self.i < len(self.s):
            name = self.key()
            if self.peek() == "=":
                self.i += 1
                out[name] = self.member()
            else:
                out[name] = Item(True, self.params())
            self.skip_ows()
            if self.i >= len(self.s):
                return out
            if self.peek() != ",":
                raise self.fail("expected ',' between members")
            self.i += 1
            self.skip_ows()
            if self.i >= len(self.s):
                raise self.fail("trailing comma")
        return out


def parse_dictionary(text: str) -> dict[str, Member]:
    """An RFC 8941 dictionary; SignatureError(reason="malformed") when it is not one."""
    return _Parser(text).dictionary()


def _serialize_bare(value: BareItem | Token) -> str:
    if isinstance(value, Token):
        return value.value
    if isinstance(value, bool):
        return "?1" if value else "?0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.001")).normalize(), "f")
    if isinstance(value, bytes):
        return ":" + base64.b64encode(value).decode("ascii") + ":"
    if not _PRINTABLE.fullmatch(value):
        raise SignatureError("malformed", "strings are printable ASCII")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def serialize_params(params: Params) -> str:
    """``;name=value`` for each parameter (``;name`` for true)."""
    return "".join(
        f";{name}" if value is True else f";{name}={_serialize_bare(value)}"
        for name, value in params
    )


def serialize_member(member: Member) -> str:
    """An item or inner list with its parameters."""
    if isinstance(member, InnerList):
        inner = " ".join(serialize_member(i) for i in member.items)
        return f"({inner}){serialize_params(member.params)}"
    return _serialize_bare(member.value) + serialize_params(member.params)


# --- Content-Digest (RFC 9530) ---------------------------------------------------------------


def content_digest(body: bytes, algorithm: str = "sha-256") -> str:
    """The Content-Digest field value of ``body``: ``sha-256=:<base64>:``."""
    return f"{algorithm}={_serialize_bare(DIGEST_ALGORITHMS[algorithm](body))}"


def digest_matches(field_value: str, body: bytes) -> bool:
    """True when the field names at least one accepted algorithm and every accepted one matches.

    Unknown algorithms are ignored (RFC 9530 §2); a field with none we accept does not match.
    """
    try:
        members = parse_dictionary(field_value)
    except SignatureError:
        return False
    checked = False
    for name, member in members.items():
        fn = DIGEST_ALGORITHMS.get(name)
        if fn is None:
            continue
        if not isinstance(member, Item) or not isinstance(member.value, bytes):
            return False
        if member.value != fn(body):
            return False
        checked = True
    return checked


# --- messages and components ----------------------------------------------------------------


def _lower_fields(
    fields: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]],
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    pairs = fields.items() if isinstance(fields, Mapping) else fields
    for name, values in pairs:
        vals = [values] if isinstance(values, str) else list(values)
        out.setdefault(name.lower(), []).extend(vals)
    return out


@dataclass(frozen=True, slots=True)
class HttpMessage:
    """What a signature can cover of one request or response.

    A request has ``method`` and ``target_uri`` (absolute: scheme, authority, path, query); a
    response has ``status`` and, for ``;req`` components, the ``request`` it answers. Field
    names are matched case-insensitively; a field sent several times is a list of values.
    """

    fields: dict[str, list[str]] = field(default_factory=dict)
    method: str | None = None
    target_uri: str | None = None
    status: int | None = None
    request: HttpMessage | None = None

    @classmethod
    def request_of(
        cls,
        method: str,
        target_uri: str,
        fields: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]] = (),
    ) -> HttpMessage:
        """A request message."""
        return cls(fields=_lower_fields(fields), method=method, target_uri=target_uri)

    @classmethod
    def response_of(
        cls,
        status: int,
        fields: Mapping[str, Sequence[str]] | Iterable[tuple[str, str]] = (),
        *,
        request: HttpMessage | None = None,
    ) -> HttpMessage:
        """A response message, optionally with the request it answers."""
        return cls(fields=_lower_fields(fields), status=status, request=request)

    def field_values(self, name: str) -> list[str] | None:
        """All values of a field, or None when absent."""
        return self.fields.get(name.lower())


@dataclass(frozen=True, slots=True)
class Component:
    """A component identifier: a name (``@path``, ``content-digest``) and its parameters."""

    name: str
    params: Params = ()

    @property
    def identifier(self) -> str:
        """The serialized identifier used in the base and in ``@signature-params``."""
        return _serialize_bare(self.name) + serialize_params(self.params)

    def param(self, name: str) -> BareItem | None:
        """A parameter's value, or None."""
        return next((v for k, v in self.params if k == name), None)


def component(name: str, **params: BareItem) -> Component:
    """A component identifier, e.g. ``component("signature", req=True, key="dyrd")``."""
    return Component(name.lower() if not name.startswith("@") else name, tuple(params.items()))


_DERIVED = frozenset(
    {
        "@method",
        "@target-uri",
        "@authority",
        "@scheme",
        "@request-target",
        "@path",
        "@query",
        "@status",
    }
)


def _authority(parts_netloc: str, scheme: str) -> str:
    host = parts_netloc.rsplit("@", 1)[-1].lower()
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and host.endswith(default):
        host = host[: -len(default)]
    return host


def _derived(msg: HttpMessage, name: str) -> str:
    if name == "@status":
        if msg.status is None:
            raise SignatureError("missing-component", "@status is only in responses")
        return f"{msg.status:03d}"
    if msg.method is None or msg.target_uri is None:
        raise SignatureError("missing-component", f"{name} is only in requests")
    parts = urlsplit(msg.target_uri)
    path = parts.path or "/"
    values = {
        "@method": msg.method,
        "@target-uri": msg.target_uri,
        "@authority": _authority(parts.netloc, parts.scheme),
        "@scheme": parts.scheme.lower(),
        "@path": path,
        "@query": "?" + parts.query,
        "@request-target": path + ("?" + parts.query if parts.query else ""),
    }
    return values[name]


def component_value(msg: HttpMessage, comp: Component) -> str:
    """The value of one component in ``msg`` (RFC 9421 §2.1, §2.2, §2.4)."""
    target = msg
    if comp.param("req") is True:
        if msg.request is None:
            raise SignatureError("missing-component", f"{comp.identifier} needs the request")
        target = msg.request
    allowed = {"req", "key"} if not comp.name.startswith("@") else {"req"}
    if any(k not in allowed for k, _ in comp.params):
        raise SignatureError(
            "unsupported-component", f"unsupported parameters in {comp.identifier}"
        )
    if comp.name.startswith("@"):
        if comp.name not in _DERIVED:
            raise SignatureError("unsupported-component", f"unknown derived component {comp.name}")
        return _derived(target, comp.name)
    values = target.field_values(comp.name)
    if values is None:
        raise SignatureError("missing-component", f"the message has no {comp.name} field")
    joined = ", ".join(v.strip(" \t") for v in values)
    key = comp.param("key")
    if key is None:
        return joined
    if not isinstance(key, str):
        raise SignatureError("unsupported-component", "key parameter must be a string")
    member = parse_dictionary(joined).get(key)
    if member is None:
        raise SignatureError("missing-component", f"{comp.name} has no member {key!r}")
    return serialize_member(member)


# --- signature parameters and base ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignatureParams:
    """One ``Signature-Input`` member: the covered components and the parameters, in order."""

    components: tuple[Component, ...]
    params: Params

    def _get(self, name: str) -> BareItem | None:
        return next((v for k, v in self.params if k == name), None)

    def _int(self, name: str) -> int | None:
        v = self._get(name)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise SignatureError("malformed", f"{name} must be an integer")
        return v

    def _str(self, name: str) -> str | None:
        v = self._get(name)
        if v is None:
            return None
        if not isinstance(v, str):
            raise SignatureError("malformed", f"{name} must be a string")
        return v

    @property
    def created(self) -> int | None:
        """UNIX seconds at signing."""
        return self._int("created")

    @property
    def expires(self) -> int | None:
        """UNIX seconds after which the signature is not to be accepted."""
        return self._int("expires")

    @property
    def nonce(self) -> str | None:
        """A value the signer never reuses (replay protection)."""
        return self._str("nonce")

    @property
    def keyid(self) -> str | None:
        """Which key signed."""
        return self._str("keyid")

    @property
    def alg(self) -> str | None:
        """RFC 9421 algorithm name."""
        return self._str("alg")

    @property
    def tag(self) -> str | None:
        """Application tag: what kind of message this signature is for."""
        return self._str("tag")

    def serialize(self) -> str:
        """The ``Signature-Input`` member value, which is also the ``@signature-params`` value."""
        inner = " ".join(c.identifier for c in self.components)
        return f"({inner}){serialize_params(self.params)}"

    def covers(self, name: str, **params: BareItem) -> bool:
        """True when the component ``name`` with exactly these parameters is covered."""
        wanted = component(name, **params)
        return any(
            c.name == wanted.name and dict(c.params) == dict(wanted.params) for c in self.components
        )


def make_params(
    components: Sequence[Component],
    *,
    created: int | None = None,
    expires: int | None = None,
    nonce: str | None = None,
    keyid: str | None = None,
    alg: str | None = None,
    tag: str | None = None,
) -> SignatureParams:
    """Parameters in the RFC's conventional order, leaving out those not given."""
    pairs: list[tuple[str, BareItem]] = []
    for name, value in (
        ("created", created),
        ("expires", expires),
        ("nonce", nonce),
        ("keyid", keyid),
        ("alg", alg),
        ("tag", tag),
    ):
        if value is not None:
            pairs.append((name, value))
    return SignatureParams(tuple(components), tuple(pairs))


def signature_base(msg: HttpMessage, params: SignatureParams) -> bytes:
    """The RFC 9421 §2.5 signature base: what is signed and verified."""
    lines: list[str] = []
    seen: set[str] = set()
    for comp in params.components:
        ident = comp.identifier
        if ident in seen:
            raise SignatureError("malformed", f"component {ident} is listed twice")
        seen.add(ident)
        value = component_value(msg, comp)
        if "\n" in value or "\r" in value:
            raise SignatureError("malformed", f"component {ident} holds a line break")
        lines.append(f"{ident}: {value}")
    lines.append(f'"@signature-params": {params.serialize()}')
    try:
        return "\n".join(lines).encode("ascii")
    except UnicodeEncodeError as exc:
        raise SignatureError("malformed", "covered values must be ASCII") from exc


def _to_params(member: Member) -> SignatureParams:
    if not isinstance(member, InnerList):
        raise SignatureError("malformed", "a Signature-Input member is an inner list")
    comps: list[Component] = []
    for item in member.items:
        if not isinstance(item.value, str):
            raise SignatureError("malformed", "component identifiers are strings")
        comps.append(Component(item.value, item.params))
    return SignatureParams(tuple(comps), member.params)


@dataclass(frozen=True, slots=True)
class ReceivedSignature:
    """One labelled signature of a message: its parameters and the signature bytes."""

    label: str
    params: SignatureParams
    signature: bytes


def parse_signatures(signature_input: str, signature: str) -> dict[str, ReceivedSignature]:
    """Pair the members of ``Signature-Input`` and ``Signature`` by label."""
    inputs = parse_dictionary(signature_input)
    sigs = parse_dictionary(signature)
    out: dict[str, ReceivedSignature] = {}
    for label, member in inputs.items():
        sig = sigs.get(label)
        if sig is None:
            continue
        if not isinstance(sig, Item) or not isinstance(sig.value, bytes):
            raise SignatureError("malformed", f"signature {label!r} is not a byte sequence")
        out[label] = ReceivedSignature(label, _to_params(member), sig.value)
    return out


@dataclass(frozen=True, slots=True)
class SignedFields:
    """The two header fields a signer adds, and the base it signed."""

    signature_input: str
    signature: str
    base: bytes


def sign_message(
    msg: HttpMessage,
    params: SignatureParams,
    *,
    label: str,
    sign: Callable[[bytes], bytes],
) -> SignedFields:
    """Sign ``msg`` over ``params``; the caller adds the two fields to the message."""
    if not _KEY.fullmatch(label):
        raise SignatureError("malformed", "a signature label is a lower-case sf-key")
    base = signature_base(msg, params)
    sig = sign(base)
    return SignedFields(
        signature_input=f"{label}={params.serialize()}",
        signature=f"{label}={_serialize_bare(sig)}",
        base=base,
    )


def verify_message(
    msg: HttpMessage,
    received: ReceivedSignature,
    *,
    verify: Callable[[bytes, bytes], bool],
) -> bytes:
    """Check ``received`` over ``msg`` with ``verify(base, signature)``; return the base.

    Raises SignatureError(reason="bad-signature") when it does not verify, or another reason
    when the message lacks a covered component.
    """
    base = signature_base(msg, received.params)
    if not verify(base, received.signature):
        raise SignatureError("bad-signature", f"signature {received.label!r} does not verify")
    return base


# --- public keys ----------------------------------------------------------------------------


def _b64url(text: object) -> bytes:
    if not isinstance(text, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_verifier(alg: str, jwk: Mapping[str, object]) -> Callable[[bytes, bytes], bool]:
    """``verify(base, signature)`` for a public JWK under an RFC 9421 algorithm.

    ValueError when the key does not suit the algorithm. The key is parsed once, so the
    returned callable is what a cache keeps.
    """
    if alg == ALG_ED25519 and jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
        ed = Ed25519PublicKey.from_public_bytes(_b64url(jwk.get("x")))

        def verify_ed(base: bytes, signature: bytes) -> bool:
            try:
                ed.verify(signature, base)
            except InvalidSignature:
                return False
            return True

        return verify_ed
    if alg == ALG_ECDSA_P256 and jwk.get("kty") == "EC" and jwk.get("crv") == "P-256":
        x, y = _b64url(jwk.get("x")), _b64url(jwk.get("y"))
        if len(x) != 32 or len(y) != 32:
            raise ValueError("P-256 coordinates are 32 bytes")
        pub = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        ).public_key()

        def verify_ec(base: bytes, signature: bytes) -> bool:
            if len(signature) != 64:
                return False
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            try:
                pub.verify(der, base, ec.ECDSA(hashes.SHA256()))
            except InvalidSignature:
                return False
            return True

        return verify_ec
    raise ValueError(f"a {jwk.get('kty')}/{jwk.get('crv')} key cannot verify {alg}")
