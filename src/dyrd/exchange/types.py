"""Pure value types of the exchange domain: vocabularies, column schemas and catalog entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

EU_AUTHORITY = "http://publications.europa.eu/resource/authority"
"""Base of the EU Publications Office controlled vocabularies that DCAT-AP 3 recommends."""


class ResourceKind(StrEnum):
    """What a catalog entry describes."""

    TABLE = "table"
    SERVICE = "service"


class SharingClass(StrEnum):
    """Sharing attribute of 国发〔2016〕51号 and the 2025 《政务数据共享条例》."""

    UNCONDITIONAL = "unconditional"
    CONDITIONAL = "conditional"
    NOT_SHARED = "not_shared"

    @property
    def label_zh(self) -> str:
        """Chinese name used in the catalogue."""
        return _SHARING_ZH[self]

    @property
    def access_right(self) -> str:
        """EU access-right concept (relative to the platform's members, not the public)."""
        return f"{EU_AUTHORITY}/access-right/{_SHARING_ACCESS[self]}"


_SHARING_ZH = {
    SharingClass.UNCONDITIONAL: "无条件共享",
    SharingClass.CONDITIONAL: "有条件共享",
    SharingClass.NOT_SHARED: "不予共享",
}
_SHARING_ACCESS = {
    SharingClass.UNCONDITIONAL: "PUBLIC",
    SharingClass.CONDITIONAL: "RESTRICTED",
    SharingClass.NOT_SHARED: "NON_PUBLIC",
}


class ColumnType(StrEnum):
    """Logical type of a table column (the Frictionless Table Schema subset we accept)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


class PersonalDataRole(StrEnum):
    """Role of a column for the privacy gates (k-anonymity and differential privacy)."""

    NONE = "none"
    IDENTIFIER = "identifier"
    QUASI_IDENTIFIER = "quasi_identifier"
    SENSITIVE = "sensitive"


class Theme(StrEnum):
    """EU data-theme vocabulary (Publications Office authority table `data-theme`)."""

    AGRI = "AGRI"
    ECON = "ECON"
    EDUC = "EDUC"
    ENER = "ENER"
    ENVI = "ENVI"
    GOVE = "GOVE"
    HEAL = "HEAL"
    INTR = "INTR"
    JUST = "JUST"
    REGI = "REGI"
    SOCI = "SOCI"
    TECH = "TECH"
    TRAN = "TRAN"

    @property
    def uri(self) -> str:
        """The concept IRI, as DCAT-AP's dcat:theme expects."""
        return f"{EU_AUTHORITY}/data-theme/{self.value}"

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return _THEME_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """English label (the authority table's preferred label)."""
        return _THEME_LABELS[self][1]


_THEME_LABELS = {
    Theme.AGRI: ("农业、渔业、林业和食品", "Agriculture, fisheries, forestry and food"),
    Theme.ECON: ("经济和金融", "Economy and finance"),
    Theme.EDUC: ("教育、文化和体育", "Education, culture and sport"),
    Theme.ENER: ("能源", "Energy"),
    Theme.ENVI: ("环境", "Environment"),
    Theme.GOVE: ("政府和公共部门", "Government and public sector"),
    Theme.HEAL: ("卫生健康", "Health"),
    Theme.INTR: ("国际事务", "International issues"),
    Theme.JUST: ("司法、法律体系和公共安全", "Justice, legal system and public safety"),
    Theme.REGI: ("地区和城市", "Regions and cities"),
    Theme.SOCI: ("人口和社会", "Population and society"),
    Theme.TECH: ("科学和技术", "Science and technology"),
    Theme.TRAN: ("交通", "Transport"),
}


class Frequency(StrEnum):
    """Update frequency (EU Publications Office authority table `frequency`)."""

    UPDATE_CONT = "UPDATE_CONT"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    BIWEEKLY = "BIWEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    ANNUAL_2 = "ANNUAL_2"
    ANNUAL = "ANNUAL"
    BIENNIAL = "BIENNIAL"
    IRREG = "IRREG"
    NEVER = "NEVER"
    UNKNOWN = "UNKNOWN"

    @property
    def uri(self) -> str:
        """The concept IRI, as DCAT-AP's dct:accrualPeriodicity expects."""
        return f"{EU_AUTHORITY}/frequency/{self.value}"

    @property
    def label_zh(self) -> str:
        """Chinese label."""
        return _FREQUENCY_ZH[self]

    @property
    def max_interval(self) -> timedelta | None:
        """Longest gap between two updates that still keeps the promise; None when none is made.

        Each value is the longest calendar period of the frequency's definition (a month can have
        31 days, a quarter 92, a half-year 184, a year 366), so a dataset is never called stale
        early. Continuous updates are held to one hour.
        """
        return _FREQUENCY_INTERVAL[self]


_FREQUENCY_ZH = {
    Frequency.UPDATE_CONT: "持续更新",
    Frequency.HOURLY: "每小时",
    Frequency.DAILY: "每日",
    Frequency.WEEKLY: "每周",
    Frequency.BIWEEKLY: "每两周",
    Frequency.MONTHLY: "每月",
    Frequency.QUARTERLY: "每季度",
    Frequency.ANNUAL_2: "每半年",
    Frequency.ANNUAL: "每年",
    Frequency.BIENNIAL: "每两年",
    Frequency.IRREG: "不定期",
    Frequency.NEVER: "不再更新",
    Frequency.UNKNOWN: "未知",
}
_FREQUENCY_INTERVAL: dict[Frequency, timedelta | None] = {
    Frequency.UPDATE_CONT: timedelta(hours=1),
    Frequency.HOURLY: timedelta(hours=1),
    Frequency.DAILY: timedelta(days=1),
    Frequency.WEEKLY: timedelta(days=7),
    Frequency.BIWEEKLY: timedelta(days=14),
    Frequency.MONTHLY: timedelta(days=31),
    Frequency.QUARTERLY: timedelta(days=92),
    Frequency.ANNUAL_2: timedelta(days=184),
    Frequency.ANNUAL: timedelta(days=366),
    Frequency.BIENNIAL: timedelta(days=731),
    Frequency.IRREG: None,
    Frequency.NEVER: None,
    Frequency.UNKNOWN: None,
}


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence a resource can carry."""

    code: str
    uri: str
    title_zh: str
    title_en: str


LICENCES: dict[str, Licence] = {
    lic.code: lic
    for lic in (
        Licence(
            "CC_BY_4_0",
            f"{EU_AUTHORITY}/licence/CC_BY_4_0",
            "知识共享 署名 4.0",
            "Creative Commons Attribution 4.0",
        ),
        Licence("CC0", f"{EU_AUTHORITY}/licence/CC0", "CC0 公有领域贡献", "CC0 1.0 Universal"),
        Licence(
            "CC_BYSA_4_0",
            f"{EU_AUTHORITY}/licence/CC_BYSA_4_0",
            "知识共享 署名-相同方式共享 4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
        ),
        Licence(
            "GOV_SHARING",
            "urn:dyrd:licence:gov-sharing",
            "政务数据共享使用条款（限依法履职使用）",
            "Government data-sharing terms (use only for statutory duties)",
        ),
    )
}
"""Licences by code; EU licence-authority IRIs where one exists."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One declared column of a table resource."""

    name: str
    type: ColumnType
    required: bool = False
    unique: bool = False
    description_zh: str = ""
    description_en: str = ""
    personal_data: PersonalDataRole = PersonalDataRole.NONE

    def as_dict(self) -> dict[str, Any]:
        """JSON form stored in version snapshots."""
        return {
            "name": self.name,
            "type": self.type.value,
            "required": self.required,
            "unique": self.unique,
            "description_zh": self.description_zh,
            "description_en": self.description_en,
            "personal_data": self.personal_data.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnSpec:
        """Inverse of as_dict."""
        return cls(
            name=data["name"],
            type=ColumnType(data["type"]),
            required=bool(data.get("required", False)),
            unique=bool(data.get("unique", False)),
            description_zh=data.get("description_zh", ""),
            description_en=data.get("description_en", ""),
            personal_data=PersonalDataRole(data.get("personal_data", "none")),
        )


METADATA_FIELDS: tuple[str, ...] = (
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "department",
    "owner_name_zh",
    "owner_name_en",
    "sharing_class",
    "not_shared_reason",
    "themes",
    "keywords",
    "frequency",
    "spatial",
    "temporal_start",
    "temporal_end",
    "licence",
    "contact_name",
    "contact_email",
    "columns",
    "service_base_url",
    "service_openapi_url",
)
"""Fields of a resource that are versioned; a version snapshot has exactly these keys."""


@dataclass(frozen=True, slots=True)
class DataInfo:
    """Which upload a version serves, and what it held."""

    version: int
    format: str
    row_count: int
    sha256: str
    byte_size: int
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A catalog entry at its current version: what search, CKAN and DCAT read."""

    id: str
    name: str
    kind: ResourceKind
    owner_member: str
    jurisdiction: str
    is_sample: bool
    version: int
    issued_at: datetime
    modified_at: datetime
    metadata: dict[str, Any] = field(hash=False)
    data: DataInfo | None = None
    version_summary: str = ""

    @property
    def sharing_class(self) -> SharingClass:
        """The entry's sharing class."""
        return SharingClass(self.metadata["sharing_class"])

    @property
    def themes(self) -> list[Theme]:
        """The entry's themes."""
        return [Theme(t) for t in self.metadata.get("themes") or []]

    @property
    def keywords(self) -> list[str]:
        """The entry's keywords."""
        return list(self.metadata.get("keywords") or [])

    @property
    def formats(self) -> list[str]:
        """Formats in which the entry can be had (the CKAN `res_format` facet)."""
        if self.kind is ResourceKind.SERVICE:
            return ["API"]
        return ["CSV", "JSON"] if self.data is not None else []

    @property
    def columns(self) -> list[ColumnSpec]:
        """Declared columns (tables only)."""
        return [ColumnSpec.from_dict(c) for c in self.metadata.get("columns") or []]

    def temporal(self) -> tuple[date | None, date | None]:
        """Temporal coverage as dates."""
        start, end = self.metadata.get("temporal_start"), self.metadata.get("temporal_end")
        return (
            date.fromisoformat(start) if start else None,
            date.fromisoformat(end) if end else None,
        )


@dataclass(frozen=True, slots=True)
class CellProblem:
    """One problem found in an uploaded file (row 0 means the header)."""

    row: int
    column: str
    message: str
    message_zh: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with a metadata field."""

    field: str
    message: str
    message_zh: str
