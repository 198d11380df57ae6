"""Pydantic I/O schemas of the consumer gateway's fetch endpoint."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from dyrd.exchange.compute.catalog import OWNER_PATTERN

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
    total: int
    limit: int
    offset: int
    rows: list[dict[str, Any]]
    request_hash: str = Field(description="SHA-256 of the signed request's signature base")
    response_hash: str = Field(description="SHA-256 of the provider's signed response body")
    provider_key_id: str = Field(description="Key that signed the response")
