"""Page model of one catalog resource: metadata, column schema, quality, versions, exports.

Everything shown here is public in the catalog API as well (metadata, versions, metadata diffs,
quality figures); row-level data and row diffs are not, so they are not on these pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.exchange import ResourceRead, VersionSummary
from dyrd.exchange import service as exchange
from dyrd.exchange.types import LICENCES, ResourceKind
from dyrd.region import service as region
from dyrd.web.catalogpage import PATH, Names, Sharing, names, sharing, theme_label
from dyrd.web.common import Kpi, local_date, local_time
from dyrd.web.i18n import Lang, t

API = "/api/v1/catalog"


@dataclass(frozen=True, slots=True)
class Fact:
    """One row of the metadata list: plain text, chips, a link, or 未填写."""

    label: str
    text: str = ""
    chips: tuple[str, ...] = ()
    href: str | None = None
    mono: bool = False
    note: str = ""
    text_lang: str | None = None

    @property
    def missing(self) -> bool:
        """Whether the field was left empty."""
        return not self.text and not self.chips


@dataclass(frozen=True, slots=True)
class ColumnRow:
    """One declared column."""

    name: str
    type: str
    required: bool
    unique: bool
    description: str
    personal: str
    personal_label: str


@dataclass(frozen=True, slots=True)
class Meter:
    """A ratio as text and as a bar width (0-100); missing when undefined."""

    text: str
    width: float
    missing: bool
    level: str  # "good" / "fair" / "poor" / "none": the bar colour


@dataclass(frozen=True, slots=True)
class ColumnQuality:
    """Quality figures of one column."""

    name: str
    completeness: Meter
    validity: Meter
    uniqueness: Meter


@dataclass(frozen=True, slots=True)
class QualityView:
    """The quality report of the current data."""

    summary: str
    completeness: Meter
    validity: Meter
    freshness: str
    freshness_label: str
    freshness_detail: str
    columns: tuple[ColumnQuality, ...]


@dataclass(frozen=True, slots=True)
class VersionRow:
    """One entry of the version history."""

    version: int
    time: str
    by: str
    kind: str
    kind_label: str
    summary: str
    fields: tuple[str, ...]
    diff_href: str | None


@dataclass(frozen=True, slots=True)
class Link:
    """A machine-readable export of the resource."""

    label: str
    href: str
    kind: str


@dataclass(frozen=True, slots=True)
class ResourcePage:
    """Everything the resource page shows."""

    id: str
    name: str
    href: str
    title: str
    title_other: str
    sharing: Sharing
    is_sample: bool
    withdrawn: bool
    kind: str
    version: int
    modified: str
    kpis: tuple[Kpi, ...]
    facts: tuple[Fact, ...]
    columns: tuple[ColumnRow, ...]
    is_table: bool
    quality: QualityView | None
    quality_note: str
    versions: tuple[VersionRow, ...]
    version_numbers: tuple[int, ...]
    links: tuple[Link, ...]
    access: str
    owner: str


def _pct(value: float | None, *, judged: bool = True) -> Meter:
    """A ratio as a meter; ``judged=False`` draws it neutral (a figure, not a defect)."""
    if value is None:
        return Meter("—", 0.0, missing=True, level="none")
    level = "good" if value >= 0.95 else "fair" if value >= 0.8 else "poor"
    return Meter(
        f"{value * 100:.1f}%",
        round(value * 100, 1),
        missing=False,
        level=level if judged else "info",
    )


def joined(items: Sequence[str], lang: Lang) -> str:
    """Items listed the way ``lang`` lists them (、 in Chinese)."""
    return ("、" if lang == "zh" else ", ").join(items)


def frequency_label(code: str, lang: Lang) -> str:
    """The update frequency in ``lang`` (the code when unknown)."""
    key = f"freq.{code}"
    try:
        return t(key, lang)
    except KeyError:
        return code


def _place_names(session: Session, who: Names) -> dict[str, tuple[str, str]]:
    places = {c.code: (c.name_zh, c.name_en) for c in region.list_cities(session)}
    places.update(who.jurisdictions)
    return places


def titles(res: ResourceRead, lang: Lang) -> tuple[str, str]:
    """(title in ``lang``, title in the other language); Chinese when there is no English."""
    if lang == "en" and res.title_en:
        return res.title_en, res.title_zh
    return res.title_zh, res.title_en


def _facts(
    res: ResourceRead, lang: Lang, who: Names, places: Mapping[str, tuple[str, str]]
) -> tuple[Fact, ...]:
    desc, desc_lang = res.description_zh, "zh-CN"
    if lang == "en" and res.description_en:
        desc, desc_lang = res.description_en, "en"
    start = str(res.temporal_start) if res.temporal_start else ""
    end = str(res.temporal_end) if res.temporal_end else t("res.temporal.open", lang)
    lic = LICENCES.get(res.licence or "")
    contact = " · ".join(x for x in (res.contact_name, res.contact_email) if x)
    facts = [
        Fact(t("res.description", lang), desc, text_lang=desc_lang),
        Fact(t("res.owner", lang), who.owner(res.owner_member, lang), note=res.owner_member),
        Fact(t("res.department", lang), res.department or ""),
        Fact(
            t("res.sharing", lang),
            t(f"sharing.{res.sharing_class.value}", lang),
            note=res.sharing_class.access_right.rsplit("/", 1)[-1],
        ),
    ]
    if res.not_shared_reason:
        facts.append(Fact(t("res.not_shared_reason", lang), res.not_shared_reason))
    facts += [
        Fact(t("res.themes", lang), chips=tuple(theme_label(x.value, lang) for x in res.themes)),
        Fact(t("res.keywords", lang), chips=tuple(res.keywords)),
        Fact(t("res.frequency", lang), frequency_label(res.frequency.value, lang)),
        Fact(
            t("res.spatial", lang),
            chips=tuple(
                (places[c][0] if lang == "zh" else places[c][1]) if c in places else c
                for c in res.spatial
            ),
        ),
        Fact(t("res.temporal", lang), f"{start} – {end}" if start else ""),
        Fact(
            t("res.licence", lang),
            (lic.title_zh if lang == "zh" else lic.title_en) if lic else (res.licence or ""),
            note=lic.uri if lic else "",
        ),
        Fact(
            t("res.contact", lang),
            contact,
            href=f"mailto:{res.contact_email}" if res.contact_email else None,
        ),
    ]
    if res.kind is ResourceKind.SERVICE:
        facts += [
            Fact(t("res.service", lang), res.service_base_url or "", mono=True),
            Fact(t("res.openapi", lang), res.service_openapi_url or "", mono=True),
        ]
    facts += [
        Fact(t("res.formats", lang), chips=tuple(res.formats)),
        Fact(t("res.identifier", lang), res.name, mono=True, note=res.id),
        Fact(t("res.issued", lang), local_time(res.issued_at), note=t("time.zone", lang)),
        Fact(t("res.modified", lang), local_time(res.modified_at), note=t("time.zone", lang)),
    ]
    return tuple(facts)


def _columns(res: ResourceRead, lang: Lang) -> tuple[ColumnRow, ...]:
    rows = []
    for c in res.columns:
        desc = (c.description_en if lang == "en" else "") or c.description_zh or c.description_en
        role = c.personal_data.value
        rows.append(
            ColumnRow(
                name=c.name,
                type=c.type.value,
                required=c.required,
                unique=c.unique,
                description=desc,
                personal=role,
                personal_label=t(f"personal.{role}", lang),
            )
        )
    return tuple(rows)


def _quality(
    session: Session, res: ResourceRead, lang: Lang, clock: Clock
) -> tuple[QualityView | None, str]:
    if res.kind is not ResourceKind.TABLE:
        return None, t("res.quality.service", lang)
    if res.data is None:
        return None, t("res.quality.none", lang)
    q = exchange.quality(session, res.id, clock=clock)
    # Repeated values are a defect only in a column declared unique (credit grades repeat).
    unique = {c.name for c in res.columns if c.unique}
    f = q.freshness
    freq = frequency_label(f.frequency.value, lang)
    last = local_time(f.last_update)
    detail = (
        t("fresh.detail", lang, frequency=freq, last=last, due=local_time(f.due_at))
        if f.due_at is not None
        else t("fresh.detail.nodue", lang, frequency=freq, last=last)
    )
    return (
        QualityView(
            summary=t("res.quality.rows", lang, n=f"{q.rows:,}", v=q.data_version),
            completeness=_pct(q.completeness),
            validity=_pct(q.validity),
            freshness=f.status,
            freshness_label=t(f"fresh.{f.status}", lang),
            freshness_detail=detail,
            columns=tuple(
                ColumnQuality(
                    c.name,
                    _pct(c.completeness),
                    _pct(c.validity),
                    _pct(c.uniqueness, judged=c.name in unique),
                )
                for c in q.columns
            ),
        ),
        "",
    )


def field_label(key: str, lang: Lang) -> str:
    """A versioned field's name in ``lang`` (the key when unknown)."""
    try:
        return t(f"field.{key}", lang)
    except KeyError:
        return key


def diff_href(ref: str, a: int, b: int) -> str:
    """The diff page between versions ``a`` and ``b``."""
    return f"{PATH}/{ref}/diff?" + urlencode({"from": a, "to": b})


def _versions(
    versions: Sequence[VersionSummary], ref: str, lang: Lang, who: Names
) -> tuple[VersionRow, ...]:
    rows = [
        VersionRow(
            version=v.version,
            time=local_time(v.created_at),
            by=f"{v.created_by} · {who.owner(v.created_for, lang)}",
            kind=v.change_kind,
            kind_label=(
                t(f"change.{v.change_kind}", lang)
                if v.change_kind in ("create", "metadata", "data", "withdraw")
                else v.change_kind
            ),
            summary=v.summary_zh if lang == "zh" else v.summary,
            fields=tuple(field_label(f, lang) for f in v.changed_fields),
            diff_href=diff_href(ref, v.version - 1, v.version) if v.version > 1 else None,
        )
        for v in versions
    ]
    return tuple(reversed(rows))  # newest first


def _link_specs(res: ResourceRead) -> list[tuple[str, str, str]]:
    specs = [("res.link.json", f"{API}/resources/{res.id}", "JSON")]
    if res.status == "active":
        specs.append(
            ("res.link.ckan", "/api/3/action/package_show?" + urlencode({"id": res.name}), "JSON")
        )
    specs += [
        ("res.link.dcat_ttl", f"{API}/dcat.ttl", "Turtle"),
        ("res.link.dcat_jsonld", f"{API}/dcat.jsonld", "JSON-LD"),
        ("res.link.versions", f"{API}/resources/{res.id}/versions", "JSON"),
    ]
    if res.kind is ResourceKind.TABLE:
        specs.append(("res.link.quality", f"{API}/resources/{res.id}/quality", "JSON"))
    return specs


def _kpis(
    res: ResourceRead,
    n_versions: int,
    quality: QualityView | None,
    lang: Lang,
) -> tuple[Kpi, ...]:
    personal = sum(1 for c in res.columns if c.personal_data.value != "none")
    kpis = [
        Kpi(
            label=t("res.kpi.version", lang),
            value=f"v{res.version}",
            note=t("res.kpi.versions", lang, n=n_versions),
        ),
        Kpi(
            label=t("res.kpi.columns", lang),
            value=str(len(res.columns)) if res.kind is ResourceKind.TABLE else "—",
            note=t("res.kpi.personal", lang, n=personal) if personal else "",
        ),
        Kpi(
            label=t("res.kpi.rows", lang),
            value=f"{res.data.row_count:,}" if res.data else t("nodata", lang),
            note=t("res.kpi.rows.note", lang, n=res.data.version) if res.data else "",
        ),
        Kpi(
            label=t("res.kpi.completeness", lang),
            value=quality.completeness.text if quality else t("nodata", lang),
            note=t("res.kpi.completeness.note", lang) if quality else "",
        ),
    ]
    return tuple(kpis)


def resource_page(
    session: Session, ref: str, *, lang: Lang, clock: Clock, answer_days: int
) -> ResourcePage:
    """One catalog resource. Raises the exchange's ResourceNotFound for an unknown id or name.

    ``answer_days`` is the access policy's answer limit, quoted in the access panel.
    """
    res = exchange.get_resource(session, ref)
    versions = exchange.list_versions(session, res.id)
    who = names(session, [(res.owner_member, res.owner_name_zh, res.owner_name_en)])
    quality, quality_note = _quality(session, res, lang, clock)
    title, other = titles(res, lang)
    page_links = tuple(Link(t(k, lang), href, kind) for k, href, kind in _link_specs(res))
    return ResourcePage(
        id=res.id,
        name=res.name,
        href=f"{PATH}/{res.name}",
        title=title,
        title_other=other,
        sharing=sharing(res.sharing_class.value, lang),
        is_sample=res.is_sample,
        withdrawn=res.status != "active",
        kind=t(f"kind.{res.kind.value}", lang),
        version=res.version,
        modified=local_date(res.modified_at),
        kpis=_kpis(res, len(versions), quality, lang),
        facts=_facts(res, lang, who, _place_names(session, who)),
        columns=_columns(res, lang),
        is_table=res.kind is ResourceKind.TABLE,
        quality=quality,
        quality_note=quality_note,
        versions=_versions(versions, res.name, lang, who),
        version_numbers=tuple(v.version for v in reversed(versions)),
        links=page_links,
        access=t(f"access.{res.sharing_class.value}", lang, days=answer_days),
        owner=res.owner_member,
    )
