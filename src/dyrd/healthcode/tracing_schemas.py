"""Pydantic I/O of venues (场所码), scans and contact tracing. Nothing here names a person."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid")
RefPattern = r"^[A-Za-z0-9-]{1,36}$"


class VenueKind(StrEnum):
    """What kind of place a venue is (the categories venue-code schemes used in 2020-2022)."""

    RESTAURANT = "restaurant"
    RETAIL = "retail"
    MARKET = "market"
    TRANSPORT = "transport"
    OFFICE = "office"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    HOTEL = "hotel"
    ENTERTAINMENT = "entertainment"
    OTHER = "other"


class VenueCreate(BaseModel):
    """A venue to register in the jurisdiction it lies in."""

    model_config = _STRICT
    name: str = Field(min_length=1, max_length=200)
    city_code: str = Field(description="GB/T 2260 code of the city (one of the 41)")
    kind: VenueKind = VenueKind.OTHER


class VenueRead(BaseModel):
    """A registered venue."""

    id: str
    jurisdiction: str
    city_code: str
    name: str
    kind: VenueKind
    created_at: datetime


class VenueCodeRead(BaseModel):
    """A venue code (场所码): the signed text and its QR renderings."""

    venue_id: str
    text: str
    chars: int
    key_id: str
    svg: str
    png_base64: str


class ScanCreate(BaseModel):
    """A scan of a venue code: the venue (its id, or the scanned code text) and a window."""

    model_config = _STRICT
    venue_id: str | None = Field(default=None, max_length=36)
    venue_code: str | None = Field(default=None, max_length=2000, description="Scanned text")
    resident_ref: str = Field(
        pattern=RefPattern, description="The visitor's pseudonymous id at their home node"
    )
    home_jurisdiction: str = Field(description="310000, 320000, 330000 or 340000")
    entered_at: datetime
    left_at: datetime | None = None


class ScanRead(BaseModel):
    """A stored scan."""

    id: int
    venue_id: str
    resident_ref: str
    home_jurisdiction: str
    entered_at: datetime
    left_at: datetime | None


class RemoteLookup(BaseModel):
    """Another jurisdiction's co-visitor lookup service, and the grant to call it under."""

    model_config = _STRICT
    consumer_member: str = Field(max_length=128, description="Your member (the grant's consumer)")
    provider_member: str = Field(max_length=128)
    resource_id: str = Field(max_length=100, description="The lookup service's catalog id")
    grant_id: str = Field(max_length=36)


class TraceCreate(BaseModel):
    """Trace a confirmed case: locally, and through other jurisdictions' lookup services."""

    model_config = _STRICT
    since: datetime | None = Field(default=None, description="Only visits from then (default 14 d)")
    margin_minutes: int = Field(default=30, ge=0, le=24 * 60)
    dwell_minutes: int = Field(default=60, ge=1, le=24 * 60)
    remotes: list[RemoteLookup] = Field(default_factory=list, max_length=10)


class RemoteOutcome(BaseModel):
    """What one other jurisdiction's lookup answered."""

    provider_member: str
    message_id: str
    flagged_there: int = Field(description="Its residents carrying this trace's flag")
    pushed: int = Field(description="Its residents seen at this node's venues, sent to it to flag")
    returned: int = Field(description="Pseudonyms of this jurisdiction's residents it returned")
    flagged_here: int
    other_jurisdictions: dict[str, int] = Field(
        description="Co-visitors from third jurisdictions: counts only"
    )


class TraceRead(BaseModel):
    """What a trace found and flagged."""

    case_ref: str
    jurisdiction: str
    flagged_on: date
    local_visits: int
    local_co_visitors: int
    flagged_here: int
    unresolved: dict[str, int] = Field(
        description="Co-visitors at this node's venues living in a jurisdiction no remote "
        "lookup was called for: counts"
    )
    remotes: list[RemoteOutcome]
