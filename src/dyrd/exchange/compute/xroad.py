"""The gateway's message protocol: X-Road REST paths and headers, signed per RFC 9421.

Paths follow X-Road's message protocol for REST (PR-REST 1.0), ``/r1/{serviceId}[/path]``,
where a service identifier is ``INSTANCE/CLASS/MEMBER[/SUBSYSTEM]/SERVICE``. Platform member
identifiers already have that shape (``CN-YRD/GOV/330000/DSJ``: instance ``CN-YRD``, class
``GOV``, member code = the GB/T 2260 jurisdiction code, subsystem = the department), so they are
used as they are, segment by segment::

    GET /r1/CN-YRD/GOV/330000/DSJ/{resource id or name}/rows?fields=a,b&limit=100&offset=0
    GET /r1/CN-YRD/GOV/330000/{resource}/rows                     (a jurisdiction-level member)
    GET /r1/CN-YRD/GOV/330000/DSJ/{service resource}/any/upstream/path?q=1   (proxied)

The subsystem is optional, and unambiguous: department codes are capitals
(``[A-Z][A-Z0-9]{1,15}``), resource ids are lower-case UUIDs and names lower-case slugs.

Every request carries ``X-Road-Client`` (the consumer member), ``X-Road-Id`` (unique message
id), ``X-Road-UserId`` (the pseudonymous end user), ``X-Road-Issue`` (case or purpose
reference), ``X-Dyrd-Grant``, ``Content-Digest`` and one RFC 9421 signature labelled ``dyrd``
that covers all of them with ``@method``, ``@authority``, ``@path`` and ``@query``. The response
is signed by the provider over ``@status``, ``content-digest``, ``x-road-id`` and the request's
signature (``"signature";req;key="dyrd"``), which binds it to that one request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, unquote

from dyrd.exchange.compute.httpsig import (
    HTTPSIG_OF_JOSE,
    Component,
    ReceivedSignature,
    SignatureError,
    component,
)

PATH_PREFIX = "/r1/"
SIGNATURE_LABEL = "dyrd"
REQUEST_TAG = "dyrd-xroad-request"
"""RFC 9421 ``tag`` of request signatures, so a response signature never passes as one."""
RESPONSE_TAG = "dyrd-xroad-response"

H_CLIENT = "x-road-client"
H_ID = "x-road-id"
H_USER = "x-road-userid"
H_ISSUE = "x-road-issue"
H_GRANT = "x-dyrd-grant"
H_SERVICE = "x-road-service"
H_REQUEST_HASH = "x-road-request-hash"
H_ERROR = "x-road-error"

REQUIRED_HEADERS = (H_CLIENT, H_ID, H_GRANT)
"""Headers a request must carry (``X-Road-UserId`` and ``X-Road-Issue`` are optional, as in
X-Road, but covered by the signature whenever present)."""

MAX_HEADER = 256
"""Longest value accepted for an X-Road header (message ids, user ids, issues, grant ids)."""

DEFAULT_SKEW = timedelta(seconds=30)
"""How far ``created`` may be from the provider's clock: 30 s, the order of NTP-synchronised
clock error plus network time that Kerberos-style protocols budget (RFC 4120 uses 5 min;
short, because every accepted request must have its nonce remembered this long)."""

MAX_LIFETIME = timedelta(minutes=5)
"""Longest ``expires - created`` accepted."""

_DEPARTMENT = re.compile(r"[A-Z][A-Z0-9]{1,15}")
_CODE = re.compile(r"[1-9][0-9]{5}")
_SERVICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,128}")
_PRINTABLE = re.compile(r"[\x20-\x7e]*")


class ProtocolError(ValueError):
    """A request the gateway refuses before looking anything up; ``reason`` is the code."""

    def __init__(self, reason: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class ServiceTarget:
    """What an ``/r1/...`` path names: the provider member, the service (resource) and the rest."""

    member_id: str
    service: str
    rest: str

    @property
    def path(self) -> str:
        """The path back, percent-encoded segment by segment."""
        return build_path(self.member_id, self.service, self.rest)


def build_path(member_id: str, service: str, rest: str = "rows") -> str:
    """``/r1/{member segments}/{service}/{rest}``, each segment percent-encoded."""
    segments = [*member_id.split("/"), service, *[s for s in rest.split("/") if s]]
    return PATH_PREFIX + "/".join(quote(s, safe="") for s in segments)


def parse_path(path: str) -> ServiceTarget:
    """The member, service and remaining path of an ``/r1/`` path (ProtocolError if malformed)."""
    if not path.startswith(PATH_PREFIX):
        raise ProtocolError("bad-path", "The path must start with /r1/.", "路径须以 /r1/ 开头。")
    segments = [unquote(s) for s in path[len(PATH_PREFIX) :].split("/")]
    if len(segments) < 4 or segments[1] != "GOV" or not _CODE.fullmatch(segments[2]):
        raise ProtocolError(
            "bad-path",
            "Expected /r1/CN-YRD/GOV/<6-digit code>[/<DEPARTMENT>]/<service>[/path].",
            "路径应为 /r1/CN-YRD/GOV/<6位代码>[/<部门>]/<服务>[/路径]。",
        )
    take = 4 if _DEPARTMENT.fullmatch(segments[3]) and len(segments) > 4 else 3
    member = "/".join(segments[:take])
    service = segments[take] if len(segments) > take else ""
    if not _SERVICE.fullmatch(service):
        raise ProtocolError(
            "bad-path", "The path names no valid service.", "路径中没有合法的服务代码。"
        )
    return ServiceTarget(member, service, "/".join(segments[take + 1 :]))


def header_problem(name: str, value: str | None, *, required: bool) -> ProtocolError | None:
    """Why an X-Road header value is unusable, or None."""
    if value is None or value == "":
        if not required:
            return None
        return ProtocolError(
            "missing-header", f"The {name} header is required.", f"缺少 {name} 请求头。"
        )
    if len(value) > MAX_HEADER or not _PRINTABLE.fullmatch(value):
        return ProtocolError(
            "bad-header",
            f"The {name} header must be printable ASCII of at most {MAX_HEADER} characters.",
            f"{name} 请求头须为不超过 {MAX_HEADER} 个字符的可打印 ASCII。",
        )
    return None


def request_components(*, has_user: bool, has_issue: bool) -> list[Component]:
    """What a request signature covers, in order."""
    names = ["@method", "@authority", "@path", "@query", "content-digest", H_CLIENT, H_ID]
    if has_user:
        names.append(H_USER)
    if has_issue:
        names.append(H_ISSUE)
    names.append(H_GRANT)
    return [component(n) for n in names]


def response_components() -> list[Component]:
    """What a response signature covers: status, body, message id and the request's signature."""
    return [
        component("@status"),
        component("content-digest"),
        component("content-type"),
        component(H_ID),
        component("signature", req=True, key=SIGNATURE_LABEL),
    ]


def unix(at: datetime) -> int:
    """Whole UNIX seconds of an aware time."""
    return int(at.timestamp())


def check_request_signature(
    received: ReceivedSignature,
    *,
    has_user: bool,
    has_issue: bool,
    now: datetime,
    skew: timedelta = DEFAULT_SKEW,
) -> None:
    """Policy on a request's signature parameters (before any key is looked up).

    It must cover every required component, carry ``created`` within ``skew`` of ``now``, a
    ``nonce``, a ``keyid``, an ``alg`` the platform uses, the request ``tag``, and an
    ``expires`` (if any) not yet passed and at most MAX_LIFETIME after ``created``.
    """
    params = received.params
    try:
        created, expires = params.created, params.expires
        nonce, keyid, alg, tag = params.nonce, params.keyid, params.alg, params.tag
    except SignatureError as exc:
        raise ProtocolError("bad-signature-input", str(exc), "签名参数格式错误。") from exc
    for comp in request_components(has_user=has_user, has_issue=has_issue):
        if not params.covers(comp.name):
            raise ProtocolError(
                "uncovered-component",
                f"The signature must cover {comp.identifier}.",
                f"签名必须覆盖 {comp.identifier}。",
            )
    if created is None or nonce is None or keyid is None or alg is None:
        raise ProtocolError(
            "bad-signature-input",
            "The signature needs the created, nonce, keyid and alg parameters.",
            "签名须包含 created、nonce、keyid 与 alg 参数。",
        )
    if tag != REQUEST_TAG:
        raise ProtocolError(
            "bad-signature-input",
            f'The signature\'s tag must be "{REQUEST_TAG}".',
            f'签名的 tag 参数须为 "{REQUEST_TAG}"。',
        )
    if alg not in HTTPSIG_OF_JOSE.values():
        raise ProtocolError(
            "bad-signature-input",
            f"Unsupported alg {alg!r}; use one of {', '.join(HTTPSIG_OF_JOSE.values())}.",
            "不支持的签名算法。",
        )
    if not _NONCE.fullmatch(nonce):
        raise ProtocolError(
            "bad-signature-input",
            "The nonce must be 16-128 base64url characters.",
            "nonce 须为 16-128 个 base64url 字符。",
        )
    now_s = unix(now)
    if abs(now_s - created) > skew.total_seconds():
        raise ProtocolError(
            "stale-signature",
            f"The signature was created {now_s - created} s from the provider's clock; "
            f"at most {int(skew.total_seconds())} s is accepted.",
            "签名时间与提供方时钟相差过大。",
        )
    if expires is not None and (
        expires <= now_s or expires - created > MAX_LIFETIME.total_seconds()
    ):
        raise ProtocolError(
            "stale-signature",
            "The signature has expired, or its lifetime is too long.",
            "签名已过期或有效期过长。",
        )


def nonce_expiry(created: int, skew: timedelta = DEFAULT_SKEW) -> int:
    """UNIX seconds until which a nonce must be remembered: past it, ``created`` is stale anyway."""
    return created + int(skew.total_seconds()) + 1
