"""Pydantic I/O schemas of the exchange domain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from dyrd.exchange.compute.catalog import NAME_PATTERN, OWNER_PATTERN, THEME_BY_URI
from dyrd.exchange.types import (
    LICENCES,
    ColumnType,
    Frequency,
    PersonalDataRole,
    ResourceKind,
    SharingClass,
    Theme,
)

# No strip_whitespace: a value is stored exactly as sent, so its declared length is its length.
Text200 = Annotated[str, StringConstraints(max_length=200)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S")]
Description = Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=r"\S")]
LongText = Annotated[str, StringConstraints(max_length=5000)]
ShortText = Annotated[str, StringConstraints(max_length=128)]
Keyword = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")]
DivisionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2000)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]

_NOT_NULL = (
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "sharing_class",
    "themes",
    "keywords",
    "frequency",
    "spatial",
    "columns",
)


class ColumnIn(BaseModel):
    """A declared column of a table."""

    model_config = ConfigDict(extra="forbid")

    name: ColumnName
    type: ColumnType = ColumnType.STRING
    required: bool = False
    unique: bool = False
    description_zh: LongText = ""
    description_en: LongText = ""
    personal_data: PersonalDataRole = Field(
        default=PersonalDataRole.NONE,
        description="Role for the privacy gates: none, identifier, quasi_identifier, sensitive",
    )


def _themes(value: Any) -> Any:
    """Accept theme codes or EU data-theme IRIs; store codes."""
    if isinstance(value, list):
        return [
            THEME_BY_URI[v].value if isinstance(v, str) and v in THEME_BY_URI else v for v in value
        ]
    return value


def _dedupe(value: list[Any] | None) -> list[Any] | None:
    return None if value is None else list(dict.fromkeys(value))


class _MetadataIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("themes", mode="before", check_fields=False)
    @classmethod
    def _theme_uris(cls, value: Any) -> Any:
        return _themes(value)

    @field_validator("keywords", "spatial", "themes", check_fields=False)
    @classmethod
    def _unique(cls, value: list[Any] | None) -> list[Any] | None:
        return _dedupe(value)

    @field_validator("licence", check_fields=False)
    @classmethod
    def _licence(cls, value: str | None) -> str | None:
        if value is not None and value not in LICENCES:
            raise ValueError(f"unknown licence; use one of {', '.join(LICENCES)}")
        return value


class ResourceCreate(_MetadataIn):
    """A new catalog entry: a table (with columns) or a service (with its URLs)."""

    owner_member: Annotated[str, StringConstraints(pattern=OWNER_PATTERN)] = Field(
        description="Owning member, e.g. CN-YRD/GOV/330000/SCJGJ"
    )
    kind: ResourceKind
    name: Annotated[str, StringConstraints(pattern=NAME_PATTERN)] | None = Field(
        default=None, description="URL name (CKAN 'name'); derived from title_en when omitted"
    )
    is_sample: bool = False
    title_zh: Title
    title_en: Text200 = ""
    description_zh: Description
    description_en: LongText = ""
    department: ShortText | None = None
    owner_name_zh: ShortText | None = None
    owner_name_en: ShortText | None = None
    sharing_class: SharingClass
    not_shared_reason: LongText | None = None
    themes: list[Theme] = Field(default_factory=list, max_length=13)
    keywords: list[Keyword] = Field(default_factory=list, max_length=50)
    frequency: Frequency = Frequency.UNKNOWN
    spatial: list[DivisionCode] = Field(default_factory=list, max_length=100)
    temporal_start: date | None = None
    temporal_end: date | None = None
    licence: str | None = None
    contact_name: ShortText | None = None
    contact_email: Email | None = None
    columns: list[ColumnIn] = Field(default_factory=list, max_length=500)
    service_base_url: Url | None = None
    service_openapi_url: Url | None = None


class ResourceUpdate(_MetadataIn):
    """Changes to a catalog entry; only the fields sent change. Owner, kind and name are fixed."""

    title_zh: Title | None = None
    title_en: Text200 | None = None
    description_zh: Description | None = None
    description_en: LongText | None = None
    department: ShortText | None = None
    owner_name_zh: ShortText | None = None
    owner_name_en: ShortText | None = None
    sharing_class: SharingClass | None = None
    not_shared_reason: LongText | None = None
    themes: list[Theme] | None = Field(default=None, max_length=13)
    keywords: list[Keyword] | None = Field(default=None, max_length=50)
    frequency: Frequency | None = None
    spatial: list[DivisionCode] | None = Field(default=None, max_length=100)
    temporal_start: date | None = None
    temporal_end: date | None = None
    licence: str | None = None
    contact_name: ShortText | None = None
    contact_email: Email | None = None
    columns: list[ColumnIn] | None = Field(default=None, max_length=500)
    service_base_url: Url | None = None
    service_openapi_url: Url | None = None
    change_summary: LongText | None = Field(
        default=None, description="Why this change was made; generated from the diff if omitted"
    )
    expected_version: int | None = Field(
        default=None,
        ge=1,
        description="Refuse with 409 if the resource is no longer at this version",
    )

    @model_validator(mode="after")
    def _no_null_for_required(self) -> ResourceUpdate:
        nulls = [f for f in _NOT_NULL if f in self.model_fields_set and getattr(self, f) is None]
        if nulls:
            raise ValueError(f"these fields cannot be null: {', '.join(nulls)}")
        return self

    def changes(self) -> dict[str, Any]:
        """The metadata fields that were sent, in snapshot (JSON) form.

        Only top-level fields are filtered by what was sent; a sent column list is dumped whole,
        with its defaults, exactly as a new resource's columns are.
        """
        sent = self.model_fields_set - {"change_summary", "expected_version"}
        return self.model_dump(mode="json", include=sent)


class ColumnRead(BaseModel):
    """A declared column."""

    name: str
    type: ColumnType
    required: bool
    unique: bool
    description_zh: str
    description_en: str
    personal_data: PersonalDataRole


class DataInfoRead(BaseModel):
    """The upload a version serves."""

    version: int
    format: str
    row_count: int
    sha256: str
    byte_size: int
    uploaded_at: datetime


class ResourceRead(BaseModel):
    """A catalog entry at its current version."""

    id: str
    name: str
    kind: ResourceKind
    owner_member: str
    jurisdiction: str
    status: str
    is_sample: bool
    version: int
    issued_at: datetime
    modified_at: datetime
    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    department: str | None
    owner_name_zh: str | None
    owner_name_en: str | None
    sharing_class: SharingClass
    sharing_class_zh: str
    not_shared_reason: str | None
    themes: list[Theme]
    theme_uris: list[str]
    keywords: list[str]
    frequency: Frequency
    spatial: list[str]
    temporal_start: date | None
    temporal_end: date | None
    licence: str | None
    licence_uri: str | None
    contact_name: str | None
    contact_email: str | None
    columns: list[ColumnRead]
    service_base_url: str | None
    service_openapi_url: str | None
    formats: list[str]
    data: DataInfoRead | None


class FacetItem(BaseModel):
    """One facet value with its display label and count."""

    value: str
    label: str
    count: int


class ResourceSummary(BaseModel):
    """A search hit."""

    id: str
    name: str
    kind: ResourceKind
    title_zh: str
    title_en: str
    owner_member: str
    owner_name_zh: str | None
    jurisdiction: str
    sharing_class: SharingClass
    themes: list[Theme]
    keywords: list[str]
    formats: list[str]
    version: int
    modified_at: datetime
    is_sample: bool
    score: float


class SearchPage(BaseModel):
    """One page of search results with facet counts over all matches."""

    items: list[ResourceSummary]
    total: int
    limit: int
    offset: int
    facets: dict[str, list[FacetItem]]


class VersionSummary(BaseModel):
    """One entry of a resource's history."""

    version: int
    created_at: datetime
    created_by: str
    created_for: str
    change_kind: str
    summary: str
    summary_zh: str
    changed_fields: list[str]
    status: str
    data_version: int | None
    row_count: int | None


class VersionRead(VersionSummary):
    """One version in full: the metadata as it was, the diff from the previous, the data."""

    resource_id: str
    metadata: dict[str, Any]
    changes: dict[str, Any]
    data: DataInfoRead | None
    quality: dict[str, Any] | None


class RowDiffRead(BaseModel):
    """How the uploads of two versions differ, counted in rows."""

    from_data_version: int | None
    to_data_version: int | None
    key: str | None
    added: int
    removed: int
    changed: int
    unchanged: int
    added_keys: list[Any]
    removed_keys: list[Any]
    changed_keys: list[Any]


class VersionDiff(BaseModel):
    """What changed between two versions (either order)."""

    resource_id: str
    from_version: int
    to_version: int
    changes: dict[str, Any]
    data: RowDiffRead | None


class ColumnQualityRead(BaseModel):
    """Quality figures of one column."""

    name: str
    rows: int
    present: int
    valid: int
    distinct: int
    completeness: float | None
    validity: float | None
    uniqueness: float | None


class FreshnessRead(BaseModel):
    """Freshness against the declared update frequency, at the time of the request."""

    status: str
    frequency: Frequency
    last_update: datetime | None
    due_at: datetime | None
    age_seconds: float | None


class QualityRead(BaseModel):
    """Quality report of a table's data."""

    resource_id: str
    data_version: int | None
    rows: int
    completeness: float | None
    validity: float | None
    columns: list[ColumnQualityRead]
    freshness: FreshnessRead


class ProblemRead(BaseModel):
    """One problem of an uploaded file."""

    location: str
    row: int
    column: str
    message: str
    message_zh: str
    value: str | None


class ValidationReport(BaseModel):
    """Result of checking a file without storing it."""

    valid: bool
    rows: int
    problems: list[ProblemRead]
    quality: QualityRead


class DataPage(BaseModel):
    """A page of a table's rows at one version."""

    resource_id: str
    data_version: int
    columns: list[str]
    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class OrganizationRead(BaseModel):
    """A member that owns catalog entries."""

    member_id: str
    name: str
    title_zh: str
    title_en: str
    jurisdiction: str
    package_count: int


class SampleLoadReport(BaseModel):
    """What loading the sample entries did."""

    created: int
    updated: int
    unchanged: int
