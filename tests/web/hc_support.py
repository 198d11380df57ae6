"""Health-code data for the dashboard tests: keys, the sample rules, a few residents, a code.

Residents are made up (identity numbers built with a valid check digit, never real people).
At the test clock (2026-11-26 16:00 Beijing time) with the bundled SAMPLE rules they are:

=====  =============  ==========  ==================================  ======
who    jurisdiction   last stay   input                                colour
=====  =============  ==========  ==================================  ======
ZJ-1   330000         Hangzhou    -                                    green
ZJ-2   330000         Hangzhou    close-contact flag (ZJ-HC-002)       red
ZJ-3   330000         Hangzhou    symptoms declared (ZJ-HC-004)        yellow
SH-1   310000         Shanghai    -                                    green
SH-2   310000         (none)      -                                    green
=====  =============  ==========  ==================================  ======
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.healthcode import service as hc
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.compute.idnumber import check_char
from dyrd.healthcode.schemas import (
    CodeRead,
    ContactCreate,
    ResidentCreate,
    StayCreate,
    SymptomCreate,
)
from dyrd.trust import service as trust_service
from tests.fakes import InMemoryKeyStore

JURISDICTIONS = ("310000", "320000", "330000", "340000")
STEWARD = Principal(
    "hc.steward",
    {f"CN-YRD/GOV/{j}": frozenset({Role.DATA_STEWARD}) for j in JURISDICTIONS},
)
SECRET = b"dashboard-test-secret-0123456789"
HANGZHOU, SHANGHAI = "330100", "310000"
YESTERDAY = date(2026, 11, 25)


def id_number(first17: str) -> str:
    """A valid identity number from its first 17 digits."""
    return first17 + check_char(first17)


def keys_and_rules(session: Session, clock: Clock) -> InMemoryKeyStore:
    """The region's root key, each jurisdiction's keys and DSC, and the signed sample rules."""
    store = InMemoryKeyStore()
    trust_service.init_default_keys(session, keystore=store, clock=clock)
    for code in JURISDICTIONS:
        trust_service.issue_certificate(
            session, f"CN-YRD/GOV/{code}", keystore=store, by=Actor.system(), clock=clock
        )
    session.commit()
    hc.load_sample_rules(session, keystore=store, clock=clock)
    return store


def _resident(session: Session, clock: Clock, first17: str, initials: str, j: str) -> str:
    body = ResidentCreate(id_number=id_number(first17), initials=initials, jurisdiction=j)
    return hc.register_resident(
        session, body, principal=STEWARD, clock=clock, secret=lambda: SECRET
    ).id


def _stay(session: Session, clock: Clock, rid: str, city: str) -> None:
    body = StayCreate(city_code=city, stay_date=YESTERDAY)
    hc.record_stay(session, rid, body, principal=STEWARD, clock=clock)


@dataclass(frozen=True, slots=True)
class World:
    """The residents by label."""

    ids: dict[str, str]


def residents(session: Session, clock: Clock) -> World:
    """The five residents of the table above, with their inputs."""
    ids = {
        "ZJ-1": _resident(session, clock, "33010619850101001", "ZS", "330000"),
        "ZJ-2": _resident(session, clock, "33010619860202002", "LS", "330000"),
        "ZJ-3": _resident(session, clock, "33010619870303003", "WW", "330000"),
        "SH-1": _resident(session, clock, "31010119880404004", "ZL", "310000"),
        "SH-2": _resident(session, clock, "31010119890505005", "QQ", "310000"),
    }
    for label in ("ZJ-1", "ZJ-2", "ZJ-3"):
        _stay(session, clock, ids[label], HANGZHOU)
    _stay(session, clock, ids["SH-1"], SHANGHAI)
    hc.record_contact(
        session,
        ids["ZJ-2"],
        ContactCreate(flagged_on=YESTERDAY, source="test tracing"),
        principal=STEWARD,
        clock=clock,
    )
    hc.record_symptoms(
        session,
        ids["ZJ-3"],
        SymptomCreate(declared_on=YESTERDAY, symptoms=["fever"]),
        principal=STEWARD,
        clock=clock,
    )
    return World(ids)


def issue(session: Session, clock: Clock, keystore: InMemoryKeyStore, rid: str) -> CodeRead:
    """A freshly issued code for ``rid`` (HC1 text and QR images)."""
    return hc.issue_code(
        session, rid, principal=STEWARD, clock=clock, keystore=keystore, codec=HcertCodec()
    )


OFFICER = "sh.checkpoint"
OFFICER_MEMBER = "CN-YRD/GOV/310000"


def checkpoint_officer(session: Session, clock: Clock) -> str:
    """A viewer of Shanghai (a checkpoint officer) and their API token."""
    trust_service.create_user(
        session,
        username=OFFICER,
        member_id=OFFICER_MEMBER,
        role=Role.VIEWER.value,
        by=Actor.system(),
        clock=clock,
    )
    return trust_service.create_token(
        session, OFFICER, days=7, by=Actor.system(), clock=clock
    ).token
