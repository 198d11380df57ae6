"""Pydantic I/O of EPCIS capture jobs, named queries and the inventory views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid")


class CaptureErrorRead(BaseModel):
    """One capture error: where in the document and what."""

    pointer: str
    message: str
    message_zh: str


class CaptureJobRead(BaseModel):
    """A capture job as the EPCIS 2.0 REST binding describes it (``CaptureJob``)."""

    model_config = ConfigDict(populate_by_name=True)
    captureID: str  # noqa: N815  # the REST binding's member names
    createdAt: datetime  # noqa: N815
    finishedAt: datetime | None  # noqa: N815
    running: bool
    success: bool
    captureErrorBehaviour: str = "rollback"  # noqa: N815
    errors: list[CaptureErrorRead] = Field(default_factory=list)
    eventCount: int  # noqa: N815


class NamedQueryCreate(BaseModel):
    """A named query: a name and the query parameters of ``GET /epcis/events``."""

    model_config = _STRICT
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.\-]+$")
    query: dict[str, str | list[str]] = Field(
        description='Query parameters, e.g. {"EQ_bizStep": "shipping"}'
    )


class NamedQueryRead(BaseModel):
    """A stored named query."""

    name: str
    query: dict[str, list[str]]
    createdAt: datetime  # noqa: N815


class StockLineRead(BaseModel):
    """Stock of one product at one location, with the identifiers and events behind it."""

    product: str
    location: str
    quantity: float
    uom: str | None
    instances: list[str]
    events: list[str]


class TransitLineRead(BaseModel):
    """One identifier in transit."""

    epc: str
    product: str
    origin: str | None
    destination: str | None
    since: datetime
    event: str


class LeadTimeRead(BaseModel):
    """Lead times on a lane; ``events`` pairs the shipping and the receiving event of each trip."""

    origin: str | None
    destination: str
    count: int
    mean_hours: float
    min_hours: float
    max_hours: float
    events: list[tuple[str, str]]


class InventoryRead(BaseModel):
    """The three views at a point in (event) time."""

    as_of: datetime | None
    stock: list[StockLineRead]
    in_transit: list[TransitLineRead]
    lead_times: list[LeadTimeRead]
