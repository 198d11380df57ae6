"""Venues and their codes (场所码), and scans of them, stored in the venue's jurisdiction.

A venue code is small signed JSON, not an HCERT: it names a place, not a person, so it needs
no CWT claims, only a signature a scanning app can check against the directory's keys::

    YRDV1:<base64url(JSON {"c": city, "j": jurisdiction, "k": key id, "n": name, "v": venue id})>
          .<base64url(ES256 signature over the JSON bytes)>

A scan keeps only the visitor's pseudonymous id (the one their home jurisdiction gave them), the
home jurisdiction, the venue and the window; never a name or an identity number.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError
from dyrd.core.types import Role
from dyrd.healthcode.errors import VenueCodeInvalid, VenueNotFound
from dyrd.healthcode.models import Scan, Venue
from dyrd.healthcode.ports import CredentialCodec
from dyrd.healthcode.service._common import (
    acting,
    cities,
    city_problems,
    jurisdiction_problem,
    member_of,
    raise_if_any,
)
from dyrd.healthcode.service.rules import SIGNING_ALGORITHM
from dyrd.healthcode.tracing_repository import TracingRepository
from dyrd.healthcode.tracing_schemas import (
    ScanCreate,
    ScanRead,
    VenueCodeRead,
    VenueCreate,
    VenueKind,
    VenueRead,
)

VENUE_CODE_PREFIX = "YRDV1:"
MAX_NAME_IN_CODE = 40
"""Characters of the venue name carried in the code (the rest is on the poster)."""
MAX_DWELL = timedelta(hours=24)
"""Longest window one scan may record: a longer stay is several scans."""
CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a scanning phone's clock may be before a scan is refused."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def venue_read(row: Venue) -> VenueRead:
    """The API view of a venue."""
    return VenueRead(
        id=row.id,
        jurisdiction=row.jurisdiction,
        city_code=row.city_code,
        name=row.name,
        kind=VenueKind(row.kind),
        created_at=row.created_at,
    )


def scan_read(row: Scan) -> ScanRead:
    """The API view of a scan."""
    return ScanRead(
        id=row.id,
        venue_id=row.venue_id,
        resident_ref=row.resident_ref,
        home_jurisdiction=row.home_jurisdiction,
        entered_at=row.entered_at,
        left_at=row.left_at,
    )


def register_venue(
    session: Session, jurisdiction: str, body: VenueCreate, *, principal: Principal, clock: Clock
) -> VenueRead:
    """Register a venue of the jurisdiction (its data steward); the city must lie in it."""
    raise_if_any(jurisdiction_problem(jurisdiction), what="venue")
    actor = acting(principal, Role.DATA_STEWARD, jurisdiction)
    problems = city_problems(cities(session), body.city_code, None, "body")
    if not problems and body.city_code[:2] != jurisdiction[:2]:
        problems.append(
            FieldError(
                "body.city_code",
                "A jurisdiction registers venues of its own territory only.",
                "各省市只能登记本辖区的场所。",
                value=body.city_code[:16],
            )
        )
    if not body.name.strip():
        problems.append(FieldError("body.name", "The name is blank.", "场所名称为空。"))
    raise_if_any(*problems, what="venue")
    row = Venue(
        id=str(uuid.uuid4()),
        jurisdiction=jurisdiction,
        city_code=body.city_code,
        name=body.name.strip(),
        kind=body.kind.value,
        created_by=actor.user,
        created_for=actor.member,
        created_at=clock(),
    )
    TracingRepository(session).add(row)
    session.commit()
    return venue_read(row)


def list_venues(session: Session, jurisdiction: str | None = None) -> list[VenueRead]:
    """Venues (public: the codes hang on their doors)."""
    if jurisdiction is not None:
        raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    return [venue_read(v) for v in TracingRepository(session).venues(jurisdiction)]


def require_venue(repo: TracingRepository, venue_id: str) -> Venue:
    """The venue or VenueNotFound."""
    row = repo.venue(venue_id)
    if row is None:
        raise VenueNotFound(
            f"No venue with id {venue_id!r} on this node.",
            f"本节点没有 ID 为 {venue_id} 的场所。",
            hint="Scans are stored in the venue's jurisdiction: send them to its node.",
        )
    return row


def venue_code(
    session: Session,
    venue_id: str,
    *,
    keystore: trust.KeyStore,
    codec: CredentialCodec,
) -> VenueCodeRead:
    """The venue's code, signed with its jurisdiction's key, as text, SVG and PNG."""
    row = require_venue(TracingRepository(session), venue_id)
    signer = trust.member_signer(
        session, member_of(row.jurisdiction), keystore=keystore, algorithm=SIGNING_ALGORITHM
    )
    payload = json.dumps(
        {
            "c": row.city_code,
            "j": row.jurisdiction,
            "k": signer.key_id,
            "n": row.name[:MAX_NAME_IN_CODE],
            "v": row.id,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    ).encode("utf-8")
    text = f"{VENUE_CODE_PREFIX}{_b64(payload)}.{_b64(signer.sign(payload))}"
    return VenueCodeRead(
        venue_id=row.id,
        text=text,
        chars=len(text),
        key_id=signer.key_id,
        svg=codec.render(text, "svg").decode("utf-8"),
        png_base64=base64.b64encode(codec.render(text, "png")).decode("ascii"),
    )


def _bad_code(why: str, why_zh: str) -> VenueCodeInvalid:
    return VenueCodeInvalid(
        f"The venue code is not valid: {why}.",
        f"场所码无效：{why_zh}。",
        hint="Scan the code on the venue's poster again; a photo of a screen may garble it.",
    )


def verify_venue_code(session: Session, text: str, *, at: datetime) -> str:
    """The venue id of a scanned code whose signature verifies; VenueCodeInvalid otherwise."""
    text = text.strip()
    if not text.startswith(VENUE_CODE_PREFIX):
        raise _bad_code(f"it does not start with {VENUE_CODE_PREFIX}", "前缀错误")
    body, _, sig = text[len(VENUE_CODE_PREFIX) :].partition(".")
    try:
        payload = _unb64(body)
        signature = _unb64(sig)
        claims = json.loads(payload.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_code("it is garbled", "内容损坏") from None
    if not isinstance(claims, dict) or not all(
        isinstance(claims.get(k), str) for k in ("c", "j", "k", "v")
    ):
        raise _bad_code("fields are missing", "缺少字段")
    if jurisdiction_problem(claims["j"]) is not None:
        raise _bad_code("unknown jurisdiction", "省市代码未知")
    owned = {k.kid for k in trust.list_keys(session, member_of(claims["j"]))}
    if claims["k"] not in owned or not trust.verify_signature(
        session, claims["k"], payload, signature, at=at
    ):
        raise _bad_code(
            "its signature does not verify with a key of its jurisdiction",
            "签名无法用该省市的密钥验证",
        )
    return str(claims["v"])


def record_scan(
    session: Session, body: ScanCreate, *, principal: Principal, clock: Clock
) -> ScanRead:
    """Store a scan in the venue's jurisdiction (its data steward: the scanning platform)."""
    now = clock()
    if (body.venue_id is None) == (body.venue_code is None):
        raise_if_any(
            FieldError(
                "body.venue_id",
                "Give exactly one of venue_id and venue_code.",
                "venue_id 与 venue_code 须且只须提供一个。",
            ),
            what="scan",
        )
    venue_id = body.venue_id or verify_venue_code(session, body.venue_code or "", at=now)
    repo = TracingRepository(session)
    venue = require_venue(repo, venue_id)
    actor = acting(principal, Role.DATA_STEWARD, venue.jurisdiction)
    problems: list[FieldError | None] = [
        jurisdiction_problem(body.home_jurisdiction, "body.home_jurisdiction")
    ]
    for name, value in (("entered_at", body.entered_at), ("left_at", body.left_at)):
        if value is not None and value.tzinfo is None:
            problems.append(
                FieldError(
                    f"body.{name}",
                    "Give the time zone (e.g. 2020-02-01T08:00:00+08:00).",
                    "请注明时区（如 2020-02-01T08:00:00+08:00）。",
                )
            )
    raise_if_any(*problems, what="scan")
    if body.entered_at > now + CLOCK_SKEW:
        problems.append(FieldError("body.entered_at", "Lies in the future.", "时间晚于现在。"))
    if body.left_at is not None and not (
        body.entered_at <= body.left_at <= body.entered_at + MAX_DWELL
    ):
        problems.append(
            FieldError(
                "body.left_at",
                "Must lie between entered_at and 24 hours after it.",
                "离开时间须在进入时间之后 24 小时以内。",
            )
        )
    local = repo.residents_among([body.resident_ref])
    if local and local[0].jurisdiction != body.home_jurisdiction:
        problems.append(
            FieldError(
                "body.home_jurisdiction",
                "The pseudonymous id belongs to a resident of another jurisdiction.",
                "该假名 ID 属于其他省市的居民。",
            )
        )
    raise_if_any(*problems, what="scan")
    row = Scan(
        venue_id=venue.id,
        resident_ref=body.resident_ref,
        home_jurisdiction=body.home_jurisdiction,
        entered_at=body.entered_at,
        left_at=body.left_at,
        created_by=actor.user,
        created_for=actor.member,
        created_at=now,
    )
    repo.add(row)
    session.commit()
    return scan_read(row)
