"""Page model of the economy monitor: composite index map and ranks, inequality, early warning.

Every figure comes from the economy services: the entropy-weighted TOPSIS index with its method
recorded, rank ranges under weight perturbation, the Gini / Theil T decomposition of GDP per capita
by province, and the alert rules. Nothing is estimated here; what has no data says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session

from dyrd.core.errors import DyrdError
from dyrd.economy import StabilityCache
from dyrd.economy import service as economy
from dyrd.economy.schemas import (
    CouplingReport,
    IndexReport,
    IndicatorRead,
    InequalityReport,
)
from dyrd.economy.service.inequality import Grouping
from dyrd.economy.types import Concept
from dyrd.region import service as region
from dyrd.region.schemas import StatisticValue
from dyrd.web.choropleth import ChoroplethMap, build_map
from dyrd.web.common import Notice
from dyrd.web.econcharts import (
    Radar,
    SigmaChart,
    TheilChart,
    radar,
    radar_scale,
    sigma_chart,
    theil_chart,
)
from dyrd.web.economyalerts import AlertRow, alert_rows
from dyrd.web.i18n import Lang, t

PATH = "/economy"
YEAR = 2019
"""The year of the bundled city table (GDP, population: the region's 2019 statistics)."""
INEQUALITY_INDICATOR = "gdp_per_capita"
STABILITY_DRAWS = 200
"""Weight-perturbation draws of the page: enough for stable 5-95 % rank ranges. They are drawn on
the first view of each data version only (``StabilityCache``), then reused."""
STABILITY_SEED = 0
CONVERGENCE_START = 2000
"""First year the σ/β chart looks for: every stored year from here to ``YEAR`` is drawn."""


@dataclass(frozen=True, slots=True)
class RankRow:
    """One city in the index ranking."""

    code: str
    name: str
    province: str
    rank: int
    score: str
    rank_range: str
    unchanged: str


@dataclass(frozen=True, slots=True)
class WeightRow:
    """One indicator of the index with its entropy weight."""

    code: str
    name: str
    concept: str
    direction: str
    weight: str


@dataclass(frozen=True, slots=True)
class ConceptRow:
    """One of the five development concepts: its indicators in the index, or no data."""

    code: str
    name: str
    indicators: tuple[str, ...]
    missing: tuple[tuple[str, str, str], ...] = ()
    """(code, name, why) of the concept's default-index indicators that have no values."""


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One province of the Theil decomposition."""

    code: str
    name: str
    n: int
    theil_t: str
    income_share: str
    population_share: str


@dataclass(frozen=True, slots=True)
class CouplingRow:
    """One city's coupling-coordination degree over the concepts with data."""

    code: str
    name: str
    coupling: str
    development: str
    coordination: str
    band: str


@dataclass(frozen=True, slots=True)
class EconomyPage:
    """Everything the economy page shows."""

    notices: tuple[Notice, ...]
    year: int
    map: ChoroplethMap
    index: IndexReport | None
    method: tuple[tuple[str, str], ...]
    weights: tuple[WeightRow, ...]
    ranks: tuple[RankRow, ...]
    concepts: tuple[ConceptRow, ...]
    dropped: tuple[tuple[str, str], ...]
    inequality: InequalityReport | None
    groups: tuple[GroupRow, ...]
    alerts: tuple[AlertRow, ...]
    alert_count: int
    index_sources: tuple[str, ...]
    coupling: tuple[CouplingRow, ...] = ()
    coupling_subsystems: str = ""
    coupling_formula: str = ""
    coupling_reference: str = ""
    export_query: str = ""
    radar: Radar | None = None
    theil: TheilChart | None = None
    sigma: SigmaChart | None = None
    radar_choices: tuple[tuple[str, str], ...] = ()
    """(code, name) of the cities the radar can show, in rank order."""
    """Query string of the index export links: the page's year, draws and seed."""


class _Named(Protocol):
    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...


def _nm(obj: _Named, lang: Lang) -> str:
    return obj.name_zh if lang == "zh" else obj.name_en


def _f(v: float | None, digits: int = 4) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _pct(v: float) -> str:
    return f"{v * 100:.1f}%"


def _index(
    session: Session, notices: list[Notice], cache: StabilityCache | None
) -> IndexReport | None:
    try:
        return economy.composite_index(
            session,
            years=[YEAR],
            stability_draws=STABILITY_DRAWS,
            seed=STABILITY_SEED,
            stability_cache=cache,
        )
    except DyrdError as exc:
        notices.append(Notice(zh=f"综合指数无法计算：{exc.message_zh}", en=f"No index: {exc}"))
        return None


def _inequality(session: Session, notices: list[Notice]) -> InequalityReport | None:
    try:
        return economy.inequality(
            session, indicator=INEQUALITY_INDICATOR, year=YEAR, groups=Grouping.PROVINCE
        )
    except DyrdError as exc:
        notices.append(
            Notice(zh=f"不平等测度无法计算：{exc.message_zh}", en=f"No inequality: {exc}")
        )
        return None


def _sigma(session: Session, notices: list[Notice], lang: Lang) -> SigmaChart | None:
    try:
        report = economy.convergence(
            session, indicator=INEQUALITY_INDICATOR, start=CONVERGENCE_START, end=YEAR
        )
    except DyrdError as exc:
        notices.append(
            Notice(zh=f"收敛分析无法计算：{exc.message_zh}", en=f"No convergence: {exc}")
        )
        return None
    return sigma_chart(report, lang)


def _coupling(report: IndexReport | None, notices: list[Notice]) -> CouplingReport | None:
    if report is None:
        return None
    try:
        return economy.coupling_of_index(report)
    except DyrdError as exc:
        notices.append(Notice(zh=f"耦合协调度无法计算：{exc.message_zh}", en=f"No coupling: {exc}"))
        return None


def _missing(
    names: dict[str, IndicatorRead], concept: Concept, lang: Lang
) -> tuple[tuple[str, str, str], ...]:
    return tuple(
        (
            i.code,
            _nm(i, lang),
            (i.no_data_reason_zh if lang == "zh" else i.no_data_reason) or "",
        )
        for i in names.values()
        if i.concept is concept and i.in_default_index and not i.years
    )


def _radar(
    report: IndexReport | None, city: str | None, lang: Lang, notices: list[Notice]
) -> tuple[Radar | None, tuple[tuple[str, str], ...]]:
    if report is None or not report.cities:
        return None, ()
    ordered = sorted(report.cities, key=lambda c: (c.rank, c.city_code))
    choices = tuple((c.city_code, c.name_zh if lang == "zh" else c.name_en) for c in ordered)
    chosen = next((c for c in ordered if c.city_code == city), None)
    if chosen is None:
        if city is not None:
            notices.append(
                Notice(
                    zh=f"城市 {city} 不在综合指数中，雷达图显示第 1 名。",
                    en=f"City {city} is not in the index; the radar shows rank 1.",
                )
            )
        chosen = ordered[0]
    return radar(chosen, radar_scale(report), lang), choices


def economy_page(
    session: Session,
    *,
    lang: Lang,
    stability_cache: StabilityCache | None = None,
    city: str | None = None,
) -> EconomyPage:
    """The economy monitor for the bundled year; ``city`` chooses the radar's city."""
    notices: list[Notice] = []
    cities = {c.code: c for c in region.list_cities(session)}
    provinces = {j.code: j for j in region.list_jurisdictions(session)}
    report = _index(session, notices, stability_cache)
    names = {i.code: i for i in economy.list_indicators(session)}
    values: dict[str, StatisticValue] = {}
    ranks: list[RankRow] = []
    if report is not None:
        for c in report.cities:
            values[c.city_code] = StatisticValue(
                value=c.score, year=c.year, unit="", source=t("econ.map.source", lang)
            )
            st = c.stability
            prov = provinces.get(c.province_code)
            ranks.append(
                RankRow(
                    code=c.city_code,
                    name=c.name_zh if lang == "zh" else c.name_en,
                    province=_nm(prov, lang) if prov is not None else c.province_code,
                    rank=c.rank,
                    score=_f(c.score),
                    rank_range=f"{st.rank_p05:.0f}–{st.rank_p95:.0f}" if st else "—",
                    unchanged=_pct(st.unchanged_share) if st else "—",
                )
            )
    features = region.boundaries(session).features
    choropleth = build_map(features, cities, values, lang=lang)
    method: tuple[tuple[str, str], ...] = ()
    weights: tuple[WeightRow, ...] = ()
    concepts: list[ConceptRow] = []
    dropped: tuple[tuple[str, str], ...] = ()
    if report is not None:
        m = report.method
        method = (
            (t("econ.method.aggregation", lang), m.aggregation.value),
            (t("econ.method.normalisation", lang), m.normalisation.value),
            (t("econ.method.entropy", lang), m.entropy.value if m.entropy else "—"),
            (t("econ.method.convention", lang), m.entropy_convention),
            (t("econ.method.weights", lang), m.weights.value),
            (t("econ.method.missing", lang), m.missing),
            (
                t("econ.method.stability", lang),
                t(
                    "econ.method.stability.v",
                    lang,
                    draws=report.stability_draws,
                    spread=f"{report.stability_spread:.0%}",
                    seed=report.stability_seed,
                ),
            ),
        )
        weights = tuple(
            WeightRow(
                code=i.code,
                name=_nm(names[i.code], lang) if i.code in names else i.code,
                concept=i.concept.zh if lang == "zh" else i.concept.value,
                direction="+" if i.direction.value == "benefit" else "−",
                weight=_f(i.weight[0]),
            )
            for i in report.indicators
        )
        for concept in Concept:
            used = tuple(
                _nm(names[i.code], lang)
                for i in report.indicators
                if i.concept is concept and i.code in names
            )
            concepts.append(
                ConceptRow(
                    concept.value,
                    concept.zh if lang == "zh" else concept.value,
                    used,
                    _missing(names, concept, lang),
                )
            )
        dropped = tuple(sorted(report.dropped_indicators.items()))
    ineq = _inequality(session, notices)
    groups: tuple[GroupRow, ...] = ()
    if ineq is not None:
        groups = tuple(
            GroupRow(
                code=g.group,
                name=_nm(provinces[g.group], lang) if g.group in provinces else g.group,
                n=g.n,
                theil_t=_f(g.theil_t),
                income_share=_pct(g.income_share),
                population_share=_pct(g.population_share),
            )
            for g in ineq.groups
        )
    ccd = _coupling(report, notices)
    coupling_rows: tuple[CouplingRow, ...] = ()
    if ccd is not None:
        coupling_rows = tuple(
            CouplingRow(
                code=r.city_code,
                name=r.name_zh if lang == "zh" else r.name_en,
                coupling=_f(r.coupling),
                development=_f(r.development),
                coordination=_f(r.coordination),
                band=f"{r.band} {r.band_zh if lang == 'zh' else r.band_en}",
            )
            for r in ccd.cities
        )
    alerts = economy.evaluate_alerts(session)
    radar_chart, radar_choices = _radar(report, city, lang, notices)
    theil = (
        theil_chart(ineq, {k: _nm(v, lang) for k, v in provinces.items()}, lang)
        if ineq is not None
        else None
    )
    sigma = _sigma(session, notices, lang)
    return EconomyPage(
        notices=tuple(notices),
        year=YEAR,
        map=choropleth,
        index=report,
        method=method,
        weights=weights,
        ranks=tuple(sorted(ranks, key=lambda r: (r.rank, r.code))),
        concepts=tuple(concepts),
        dropped=dropped,
        inequality=ineq,
        groups=groups,
        alerts=alert_rows(alerts, lang),
        alert_count=alerts.alerts,
        index_sources=tuple(report.sources) if report is not None else (),
        coupling=coupling_rows,
        coupling_subsystems=(
            "、".join(c.zh if lang == "zh" else c.value for c in ccd.subsystems) if ccd else ""
        ),
        coupling_formula=ccd.formula if ccd else "",
        coupling_reference=ccd.reference if ccd else "",
        radar=radar_chart,
        radar_choices=radar_choices,
        theil=theil,
        sigma=sigma,
        export_query=f"year={YEAR}&stability={STABILITY_DRAWS}&seed={STABILITY_SEED}",
    )
