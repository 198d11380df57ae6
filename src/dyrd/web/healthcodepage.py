"""Page models of the health-code colour map and the rule browser.

The colour map reuses the overview's choropleth: each city is shaded by the share of its
residents holding a yellow or red code, computed now from the stored inputs with the verified
rules (the health-code domain's own computation); a city with no resident placed in it is
无数据, never zero. The rule browser lists every signed rule version with its signature status,
effective dates, explanations and its CertLogic expression as indented JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from dyrd.healthcode.errors import RuleSignatureInvalid
from dyrd.healthcode.schemas import RuleRead
from dyrd.healthcode.service import dashboard
from dyrd.healthcode.types import JURISDICTION_PREFIX
from dyrd.region import service as region
from dyrd.region.schemas import CityRead, StatisticValue
from dyrd.web import mapsvg
from dyrd.web.choropleth import ChoroplethMap, build_map
from dyrd.web.common import BEIJING, Kpi, Notice, clip, local_time, name_in, notice
from dyrd.web.i18n import Lang, t

PATH = "/healthcode"
RULES_PATH = "/healthcode/rules"
SHARE_UNIT = "fraction"  # shown as a percentage by mapsvg

# The overview's ramp mapped onto a green -> amber -> red one: a higher share of yellow and red
# codes reads as warmer. Same class count and order as mapsvg.PALETTE, so the legend still holds.
HEALTH_PALETTE: dict[str, str] = dict(
    zip(mapsvg.PALETTE, ("#2f8f5b", "#8fb443", "#e0c341", "#ec8a3a", "#d9483b"), strict=True)
)

JURISDICTION_NAMES: dict[str, tuple[str, str]] = {
    "310000": ("上海市", "Shanghai"),
    "320000": ("江苏省", "Jiangsu"),
    "330000": ("浙江省", "Zhejiang"),
    "340000": ("安徽省", "Anhui"),
}
"""The four YRD jurisdictions' names (their GB/T 2260 codes are the health-code domain's)."""


def jurisdiction_name(code: str, lang: Lang) -> str:
    """The name of a YRD jurisdiction in ``lang`` (the code itself when unknown)."""
    names = JURISDICTION_NAMES.get(code)
    if names is None:
        return code
    return names[0] if lang == "zh" else names[1]


@dataclass(frozen=True, slots=True)
class CountRow:
    """One row of a colour-count table: a city or a jurisdiction."""

    code: str
    name: str
    name_other: str
    href: str
    green: int
    yellow: int
    red: int
    total: int
    share: float
    share_text: str


@dataclass(frozen=True, slots=True)
class HealthcodeMap:
    """Everything the health-code colour page shows."""

    notices: tuple[Notice, ...]
    kpis: tuple[Kpi, ...]
    map: ChoroplethMap
    cities: tuple[CountRow, ...]
    jurisdictions: tuple[CountRow, ...]
    residents: int
    without_city: int
    empty: bool
    at: str


def _share(yellow: int, red: int, total: int) -> float:
    return (yellow + red) / total if total else 0.0


def _recolour(m: ChoroplethMap) -> ChoroplethMap:
    regions = tuple(replace(r, fill=HEALTH_PALETTE.get(r.fill, r.fill)) for r in m.regions)
    legend = tuple(replace(e, fill=HEALTH_PALETTE.get(e.fill, e.fill)) for e in m.legend)
    return replace(m, regions=regions, legend=legend)


def _city_row(c: dashboard.ColourCounts, city: CityRead | None, lang: Lang) -> CountRow:
    share = _share(c.yellow, c.red, c.total)
    if city is None:
        name, other, href = c.code, "", ""
    else:
        name = name_in(city, lang)
        other = city.name_en if lang == "zh" else city.name_zh
        href = f"/cities/{c.code}"
    return CountRow(
        code=c.code,
        name=name,
        name_other=other,
        href=href,
        green=c.green,
        yellow=c.yellow,
        red=c.red,
        total=c.total,
        share=share,
        share_text=mapsvg.format_value(share, SHARE_UNIT) + "%",
    )


def _jurisdiction_row(c: dashboard.ColourCounts, lang: Lang) -> CountRow:
    share = _share(c.yellow, c.red, c.total)
    return CountRow(
        code=c.code,
        name=jurisdiction_name(c.code, lang),
        name_other=jurisdiction_name(c.code, "en" if lang == "zh" else "zh"),
        href="",
        green=c.green,
        yellow=c.yellow,
        red=c.red,
        total=c.total,
        share=share,
        share_text=mapsvg.format_value(share, SHARE_UNIT) + "%",
    )


def _kpis(
    juris: Sequence[CountRow], residents: int, *, counted: bool, when: str, lang: Lang
) -> tuple[Kpi, ...]:
    """Residents, colour totals, the yellow-and-red share, and when it was computed."""
    totals = {k: sum(getattr(r, k) for r in juris) for k in ("green", "yellow", "red")}
    return (
        Kpi(
            label=t("hc.kpi.residents", lang),
            value=f"{residents:,}" if counted else "—",
            note=t("hc.kpi.residents.note", lang) if residents else "",
        ),
        Kpi(
            label=f"{t('colour.green', lang)} · {t('colour.yellow', lang)} · "
            f"{t('colour.red', lang)}",
            value=(
                f"{totals['green']:,} · {totals['yellow']:,} · {totals['red']:,}"
                if residents
                else "—"
            ),
        ),
        Kpi(
            label=t("hc.kpi.share", lang),
            value=(
                mapsvg.format_value(_share(totals["yellow"], totals["red"], residents), SHARE_UNIT)
                + "%"
                if residents
                else "—"
            ),
        ),
        Kpi(
            label=t("hc.kpi.at", lang),
            value=when[11:16],
            note=f"{when[:10]} · {t('time.zone', lang)}",
        ),
    )


def healthcode_map(
    session: Session,
    *,
    lang: Lang,
    at: datetime,
    cache: dashboard.DistributionCache | None = None,
) -> HealthcodeMap:
    """Colours per city on the map, the counts per city and per jurisdiction, key figures.

    With ``cache`` the counts are computed once per minute and version of the inputs.
    """
    notices: list[Notice] = []
    try:
        dist: dashboard.ColourDistribution | None = (
            dashboard.colour_distribution(session, at=at)
            if cache is None
            else cache.distribution(session, at=at)
        )
    except RuleSignatureInvalid as exc:
        zh = t("hc.rules_invalid", "zh", reason=exc.message_zh)
        notices.append(Notice(zh=zh, en=t("hc.rules_invalid", "en", reason=exc.message)))
        dist = None
    cities = {c.code: c for c in region.list_cities(session)}
    year = at.astimezone(BEIJING).year
    source = t("hc.source", lang)
    values: dict[str, StatisticValue] = {}
    city_rows: list[CountRow] = []
    for c in dist.by_city if dist is not None else ():
        row = _city_row(c, cities.get(c.code), lang)
        city_rows.append(row)
        if c.code in cities:
            values[c.code] = StatisticValue(
                value=row.share, year=year, unit=SHARE_UNIT, source=source
            )
    choropleth = _recolour(
        build_map(region.boundaries(session).features, cities, values, lang=lang, unit=SHARE_UNIT)
    )
    juris = tuple(_jurisdiction_row(c, lang) for c in (dist.by_jurisdiction if dist else ()))
    residents = dist.residents if dist is not None else 0
    when = local_time(at)
    kpis = _kpis(juris, residents, counted=dist is not None, when=when, lang=lang)
    city_rows.sort(key=lambda r: (-r.share, -r.total, r.code))
    return HealthcodeMap(
        notices=tuple(notices),
        kpis=kpis,
        map=choropleth,
        cities=tuple(city_rows),
        jurisdictions=juris,
        residents=residents,
        without_city=dist.without_city if dist is not None else 0,
        empty=dist is not None and residents == 0,
        at=when,
    )


# --- the rule browser ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleVersionView:
    """One signed version of one rule, as the browser shows it."""

    rule_id: str
    version: int
    colour: str
    colour_label: str
    priority: int
    valid_from: str
    valid_until: str
    in_force: bool
    sample: bool
    signature_ok: bool
    signed_by: str
    key_id: str
    description: str
    description_other: str
    reason: str
    reason_other: str
    logic: str


@dataclass(frozen=True, slots=True)
class JurisdictionRules:
    """A jurisdiction's rules, newest version of each rule first within it."""

    code: str
    name: str
    name_other: str
    rules: tuple[RuleVersionView, ...]
    rule_count: int


@dataclass(frozen=True, slots=True)
class FilterOption:
    """An entry of the jurisdiction filter."""

    code: str
    label: str
    selected: bool


@dataclass(frozen=True, slots=True)
class RulesPage:
    """Everything the rule browser shows."""

    notices: tuple[Notice, ...]
    groups: tuple[JurisdictionRules, ...]
    options: tuple[FilterOption, ...]
    total_versions: int
    empty: bool


def pretty_logic(logic: Any) -> str:
    """A CertLogic expression as indented JSON, key order kept, Chinese left readable."""
    return json.dumps(logic, ensure_ascii=False, indent=2)


def _in_force(rule: RuleRead, today: date) -> bool:
    return rule.valid_from <= today and (rule.valid_until is None or today < rule.valid_until)


def _view(rule: RuleRead, ok: bool, today: date, lang: Lang) -> RuleVersionView:
    zh_first = lang == "zh"
    return RuleVersionView(
        rule_id=rule.rule_id,
        version=rule.version,
        colour=rule.colour.value,
        colour_label=t(f"colour.{rule.colour.value}", lang),
        priority=rule.priority,
        valid_from=rule.valid_from.isoformat(),
        valid_until=rule.valid_until.isoformat() if rule.valid_until else "",
        in_force=_in_force(rule, today),
        sample=rule.sample,
        signature_ok=ok,
        signed_by=rule.signed_by,
        key_id=rule.key_id,
        description=rule.description_zh if zh_first else rule.description_en,
        description_other=rule.description_en if zh_first else rule.description_zh,
        reason=rule.reason_zh if zh_first else rule.reason_en,
        reason_other=rule.reason_en if zh_first else rule.reason_zh,
        logic=pretty_logic(rule.logic),
    )


def _groups(
    checked: Sequence[tuple[RuleRead, bool]], today: date, lang: Lang
) -> tuple[JurisdictionRules, ...]:
    by_j: dict[str, list[tuple[RuleRead, bool]]] = {}
    for rule, ok in checked:
        by_j.setdefault(rule.jurisdiction, []).append((rule, ok))
    other: Lang = "en" if lang == "zh" else "zh"
    out = []
    for code in sorted(by_j):
        items = sorted(by_j[code], key=lambda p: (p[0].priority, p[0].rule_id, -p[0].version))
        out.append(
            JurisdictionRules(
                code=code,
                name=jurisdiction_name(code, lang),
                name_other=jurisdiction_name(code, other),
                rules=tuple(_view(r, ok, today, lang) for r, ok in items),
                rule_count=len({r.rule_id for r, _ in items}),
            )
        )
    return tuple(out)


def rules_page(
    session: Session, *, lang: Lang, at: datetime, jurisdiction: str | None = None
) -> RulesPage:
    """Every rule version (optionally of one jurisdiction) with signature status and logic."""
    notices: list[Notice] = []
    chosen = jurisdiction or None
    if chosen is not None and chosen not in JURISDICTION_PREFIX:
        notices.append(notice("rules.bad_jurisdiction", given=clip(chosen)))
        chosen = None
    checked = dashboard.rules_with_signatures(session, jurisdiction=chosen)
    today = at.astimezone(BEIJING).date()
    options = (
        FilterOption("", t("rules.filter.all", lang), chosen is None),
        *(
            FilterOption(code, jurisdiction_name(code, lang), code == chosen)
            for code in JURISDICTION_PREFIX
        ),
    )
    return RulesPage(
        notices=tuple(notices),
        groups=_groups(checked, today, lang),
        options=options,
        total_versions=len(checked),
        empty=not checked,
    )
