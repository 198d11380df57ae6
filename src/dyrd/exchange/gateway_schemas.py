"""Pydantic I/O schemas of the consumer gateway's fetch endpoint."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dyrd.exchange.compute.catalog import OWNER_PATTERN
from dyrd.exchange.compute.dp import MAX_CATEGORIES, Aggregate

Member = Annotated[str, StringConstraints(pattern=OWNER_PATTERN)]
FieldName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")]


class FetchCreate(BaseModel):
    """Rows to fetch from another member through the signed gateway."""

    model_config = ConfigDict(extra="forbid")

    consumer_member: Member = Field(description="Member the data is fetched for (your member)")
    provider_member: Member = Field(description="Member that owns the resource")
    resource_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")] = Field(
        description="Resource id (UUID) or name"
    )
    grant_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,36}$")]
    fields: list[FieldName] = Field(
        default_factory=list, max_length=500, description="Columns wanted; empty: all granted"
    )
    issue: Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{0,256}$")] | None = Field(
        default=None, description="Case or purpose reference (X-Road-Issue)"
    )
    limit: int = Field(default=100, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=10_000_000)

    @model_validator(mode="after")
    def _unique(self) -> FetchCreate:
        if len(set(self.fields)) != len(self.fields):
            raise ValueError("fields must not repeat a name")
        return self


class FetchRead(BaseModel):
    """Rows released by the provider, and the evidence of the exchange."""

    message_id: str = Field(description="X-Road-Id of the exchange (the ledger subject)")
    provider_member: str
    resource_id: str
    data_version: int | None
    columns: list[str]
    pseudonymised: list[str] = Field(description="Columns holding per-grant pseudonyms")
    anonymity: dict[str, Any] | None = Field(
        default=None,
        description="k, l, generalisation level per quasi-identifier and suppressed rows of a "
        "k-anonymous release; null when the release needed no anonymity gate",
    )
    total: int
    limit: int
    offset: int
    rows: list[dict[str, Any]]
    request_hash: str = Field(description="SHA-256 of the signed request's signature base")
    response_hash: str = Field(description="SHA-256 of the provider's signed response body")
    provider_key_id: str = Field(description="Key that signed the response")


Category = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AggregateCreate(BaseModel):
    """A differentially private aggregate to ask another member, under a grant's ε budget."""

    model_config = ConfigDict(extra="forbid")

    consumer_member: Member = Field(description="Member the answer is for (your member)")
    provider_member: Member = Field(description="Member that owns the resource")
    resource_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,99}$")] = Field(
        description="Resource id (UUID) or name"
    )
    grant_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,36}$")]
    aggregate: Aggregate = Field(description="count, sum, mean or histogram")
    epsilon: float = Field(
        gt=0, le=1000, allow_inf_nan=False, description="ε this answer spends of the budget"
    )
    column: FieldName | None = Field(
        default=None, description="Granted column (sum, mean, histogram; optional for count)"
    )
    lower: float | None = Field(
        default=None, allow_inf_nan=False, description="Public clamping bound (sum, mean)"
    )
    upper: float | None = Field(
        default=None, allow_inf_nan=False, description="Public clamping bound (sum, mean)"
    )
    categories: list[Category] = Field(
        default_factory=list,
        max_length=MAX_CATEGORIES,
        description="Public categories of a histogram",
    )
    issue: Annotated[str, StringConstraints(pattern=r"^[\x20-\x7e]{0,256}$")] | None = Field(
        default=None, description="Case or purpose reference (X-Road-Issue)"
    )

    @model_validator(mode="after")
    def _bounds(self) -> AggregateCreate:
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both lower and upper, or neither")
        return self


class AggregateRead(BaseModel):
    """A released differentially private aggregate, the budget left, and the exchange evidence."""

    message_id: str = Field(description="X-Road-Id of the exchange (the ledger subject)")
    provider_member: str
    resource_id: str
    data_version: int | None
    aggregate: str
    column: str | None
    value: float | int | dict[str, int] = Field(description="The noisy answer")
    epsilon: float = Field(description="ε this answer spent")
    bounds: list[float] | None
    categories: list[str]
    noise: list[dict[str, Any]] = Field(description="Mechanism, sensitivity and scale per draw")
    budget: dict[str, float] = Field(description="The grant's ε total, spent and remaining")
    request_hash: str
    response_hash: str
    provider_key_id: str
