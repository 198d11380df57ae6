"""Page model of the epidemic monitor: forecast map and table, fan charts, scenarios, levels.

Every figure comes from the epidemic services (forecast, response levels, scenarios) on the
bundled 2020 series; charts are inline SVG drawn here (no script library, nothing from a CDN).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from dyrd.core.errors import DyrdError
from dyrd.epidemic.compute.scenarios import InterventionKind
from dyrd.epidemic.schemas import (
    CityForecastRead,
    ForecastReport,
    InterventionIn,
    LevelReport,
    ScenarioReport,
    ScenarioRequest,
)
from dyrd.epidemic.service.forecasts import forecast
from dyrd.epidemic.service.levels import response_levels
from dyrd.epidemic.service.posterior import bundled_calibration
from dyrd.epidemic.service.scenarios import scenario
from dyrd.epidemic.types import LI2020_PRIOR, PARAMETERS, Parameter
from dyrd.region import service as region
from dyrd.region.schemas import StatisticValue
from dyrd.web.choropleth import ChoroplethMap, build_map
from dyrd.web.common import Notice, notice
from dyrd.web.i18n import Lang, t

PATH = "/epidemic"
DEFAULT_ORIGIN = date(2020, 2, 12)
"""A mid-epidemic origin with four observed weeks after it, so forecasts meet the truth."""
DEFAULT_CITY = "330300"
"""Wenzhou: the most reported cases in the delta in early 2020."""
MEMBERS = 100
"""Ensemble members per page view: quantiles stable to a few per cent, about a second to run."""
SCENARIO_START = date(2020, 1, 24)
SCENARIO_DAYS = 90
CHART_W, CHART_H, PAD = 640.0, 260.0, 36.0
LEFT = 60.0
"""Room for the y-axis labels (up to seven digits with separators)."""


@dataclass(frozen=True, slots=True)
class ForecastRow:
    """One city in the forecast table."""

    code: str
    name: str
    cells: tuple[str, ...]
    observed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FanChart:
    """SVG geometry of one city's fan chart (weekly counts)."""

    code: str
    name: str
    band95: str
    band50: str
    median: str
    observed: tuple[tuple[float, float, str], ...]
    truth: tuple[tuple[float, float, str], ...]
    origin_x: float
    y_ticks: tuple[tuple[float, str], ...]
    x_ticks: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class ScenarioRow:
    """One scenario against the baseline."""

    key: str
    name: str
    averted: str
    averted_share: str
    delay: str
    peak: str
    gdp_share: str
    path: str


@dataclass(frozen=True, slots=True)
class LevelRow:
    """One city's recommended and declared level."""

    code: str
    name: str
    level: str
    level_num: int
    declared: str
    comparison: str
    incidence: str
    reason: str


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    """One parameter of the bundled IF-EAKF calibration."""

    name: str
    estimate: str
    interval: str
    paper: str
    inside: str
    """"yes" / "no" / "" (no published value)."""
    path: str
    """SVG polyline points of the iteration means, scaled to the prior range (100 x 24 box)."""


@dataclass(frozen=True, slots=True)
class CalibrationPanel:
    """The calibration diagnostics: posterior against the paper and the filter's convergence."""

    rows: tuple[CalibrationRow, ...]
    source: str
    seconds: str


@dataclass(frozen=True, slots=True)
class EpidemicPage:
    """Everything the epidemic page shows."""

    notices: tuple[Notice, ...]
    origin: date
    city: str
    cities: tuple[tuple[str, str], ...]
    map: ChoroplethMap
    forecasts: tuple[ForecastRow, ...]
    horizons: tuple[str, ...]
    fan: FanChart | None
    scenarios: tuple[ScenarioRow, ...]
    scenario_baseline_path: str
    scenario_ticks: tuple[tuple[float, str], ...]
    levels: tuple[LevelRow, ...]
    agreement: str
    kappa: str
    calibration: CalibrationPanel | None = None


def _calibration(lang: Lang) -> CalibrationPanel:
    diag = bundled_calibration()
    lo, hi = LI2020_PRIOR.low(), LI2020_PRIOR.high()
    steps = max(len(diag.iteration_means) - 1, 1)
    rows = []
    for r in diag.rows:
        path = ""
        if r.name in PARAMETERS:
            k = PARAMETERS.index(Parameter(r.name))
            path = " ".join(
                f"{100 * i / steps:.1f},{24 - 24 * (m[k] - lo[k]) / (hi[k] - lo[k]):.1f}"
                for i, m in enumerate(diag.iteration_means)
            )
        paper = (
            ""
            if r.paper_median is None
            else f"{r.paper_median:.2f} ({r.paper_low:.2f}–{r.paper_high:.2f})"
        )
        inside = r.inside_paper_interval
        rows.append(
            CalibrationRow(
                name=r.name,
                estimate=f"{r.estimate:.3f}",
                interval=f"{r.low:.2f}–{r.high:.2f}",
                paper=paper,
                inside="" if inside is None else t("epi.cal.yes" if inside else "epi.cal.no", lang),
                path=path,
            )
        )
    return CalibrationPanel(
        rows=tuple(rows), source=diag.posterior.source, seconds=f"{diag.seconds:.0f}"
    )


def _fmt(v: float) -> str:
    return f"{v:,.0f}"


def _scale(values: list[float]) -> float:
    top = max([1.0, *values])
    return top * 1.1


def _nice_ticks(top: float) -> list[float]:
    step = 10 ** max(len(str(int(top))) - 1, 0)
    for m in (1, 2, 5, 10):
        if top / (step * m) <= 5:
            step *= m
            break
    return [k * step for k in range(int(top // step) + 1)]


def _fan(c: CityForecastRead, origin: date, name: str) -> FanChart:
    # Weekly observed counts up to the origin (complete weeks ending the day before it).
    daily = c.observed_daily
    n_weeks = len(daily) // 7
    obs = [sum(daily[len(daily) - 7 * (k + 1) : len(daily) - 7 * k]) for k in range(n_weeks)][::-1]
    fc = c.forecasts
    weeks = len(obs) + len(fc)
    top = _scale(obs + [f.quantiles[-2] for f in fc] + [f.observed or 0.0 for f in fc])
    x0, x1, y0, y1 = LEFT, CHART_W - 8.0, CHART_H - PAD, 8.0

    def x(k: float) -> float:
        return round(x0 + (x1 - x0) * k / max(weeks - 1, 1), 1)

    def y(v: float) -> float:
        return round(y0 - (y0 - y1) * v / top, 1)

    xs = [x(len(obs) + h) for h in range(len(fc))]

    def band(lo: int, hi: int) -> str:
        upper = [f"{xs[h]},{y(fc[h].quantiles[hi])}" for h in range(len(fc))]
        lower = [f"{xs[h]},{y(fc[h].quantiles[lo])}" for h in reversed(range(len(fc)))]
        return " ".join(upper + lower)

    end_day = origin - timedelta(days=1)
    observed = tuple(
        (x(k), y(v), f"{end_day - timedelta(days=7 * (len(obs) - 1 - k))}: {_fmt(v)}")
        for k, v in enumerate(obs)
    )
    truth = tuple(
        (xs[h], y(f.observed), f"{f.target_end_date}: {_fmt(f.observed)}")
        for h, f in enumerate(fc)
        if f.observed is not None
    )
    ticks = tuple((y(v), _fmt(v)) for v in _nice_ticks(top / 1.1))
    xt = tuple(
        (x(k), (end_day + timedelta(days=7 * (k - len(obs) + 1))).strftime("%m-%d"))
        for k in range(0, weeks, 2)
    )
    return FanChart(
        code=c.code,
        name=name,
        band95=band(1, 21),
        band50=band(5, 17),
        median=" ".join(f"{xs[h]},{y(f.median)}" for h, f in enumerate(fc)),
        observed=observed,
        truth=truth,
        origin_x=round((x(len(obs) - 1) + xs[0]) / 2, 1) if fc and obs else x0,
        y_ticks=ticks,
        x_ticks=xt,
    )


def _scenarios(
    session: Session, lang: Lang
) -> tuple[list[ScenarioRow], str, list[tuple[float, str]]]:
    presets = (
        ("travel", "epi.scen.travel", [(InterventionKind.MOBILITY, 0.9)]),
        ("transmission", "epi.scen.transmission", [(InterventionKind.TRANSMISSION, 0.5)]),
        (
            "both",
            "epi.scen.both",
            [(InterventionKind.MOBILITY, 0.9), (InterventionKind.TRANSMISSION, 0.5)],
        ),
    )
    reports: list[tuple[str, str, ScenarioReport]] = []
    for key, label, cuts in presets:
        req = ScenarioRequest(
            name=key,
            start=SCENARIO_START,
            days=SCENARIO_DAYS,
            n_members=1,
            stochastic=False,
            interventions=[
                InterventionIn(kind=k, reduction=r, start=SCENARIO_START) for k, r in cuts
            ],
        )
        reports.append((key, t(label, lang), scenario(session, request=req)))
    base = reports[0][2].total_baseline
    top = _scale(base + [v for _, _, r in reports for v in r.total_scenario])

    def line(series: list[float]) -> str:
        n = len(series)
        return " ".join(
            f"{round(LEFT + (CHART_W - 8 - LEFT) * k / (n - 1), 1)},"
            f"{round(CHART_H - PAD - (CHART_H - PAD - 8) * v / top, 1)}"
            for k, v in enumerate(series)
        )

    rows = []
    total_base = sum(c.infections_baseline for c in reports[0][2].cities)
    for key, name, rep in reports:
        delays = sorted(
            c.arrival_delay_days for c in rep.cities if c.arrival_delay_days is not None
        )
        peak_b = max(range(len(rep.total_baseline)), key=rep.total_baseline.__getitem__)
        peak_s = max(range(len(rep.total_scenario)), key=rep.total_scenario.__getitem__)
        rows.append(
            ScenarioRow(
                key=key,
                name=name,
                averted=_fmt(rep.infections_averted),
                averted_share=f"{rep.infections_averted / total_base:.0%}" if total_base else "—",
                delay=f"{delays[len(delays) // 2]:.0f}" if delays else "—",
                peak=f"{SCENARIO_START + timedelta(days=peak_b)} → "
                f"{SCENARIO_START + timedelta(days=peak_s)}",
                gdp_share=f"{sum(c.exposed_gdp_share for c in rep.cities) / len(rep.cities):.0%}",
                path=line(rep.total_scenario),
            )
        )
    ticks = [
        (round(CHART_H - PAD - (CHART_H - PAD - 8) * v / top, 1), _fmt(v))
        for v in _nice_ticks(top / 1.1)
    ]
    return rows, line(base), ticks


def _levels(rep: LevelReport, lang: Lang) -> tuple[list[LevelRow], str]:
    roman = {1: "I", 2: "II", 3: "III", 4: "IV"}
    rows = [
        LevelRow(
            code=c.code,
            name=c.name_zh if lang == "zh" else c.name_en,
            level=c.level_zh if lang == "zh" else c.level_roman,
            level_num=c.level,
            declared=roman[c.declared_level] if c.declared_level else "—",
            comparison=t(f"epi.cmp.{c.comparison.value}", lang),
            incidence=f"{c.incidence_per_100k:.2f}",
            reason=c.reason_zh if lang == "zh" else c.reason_en,
        )
        for c in rep.cities
    ]
    agreement = "—" if rep.agreement is None else f"{rep.agreement:.0%}"
    return rows, agreement


def epidemic_page(
    session: Session, *, lang: Lang, origin: str | None = None, city: str | None = None
) -> EpidemicPage:
    """The epidemic monitor at ``origin`` (YYYY-MM-DD) with the fan chart of ``city``."""
    notices: list[Notice] = []
    day = DEFAULT_ORIGIN
    if origin:
        try:
            day = date.fromisoformat(origin)
        except ValueError:
            notices.append(notice("epi.bad_origin", value=origin[:20]))
    try:
        fc: ForecastReport | None = forecast(session, origin=day, n_members=MEMBERS)
    except DyrdError as exc:
        notices.append(Notice(zh=exc.message_zh or exc.message, en=exc.message))
        day = DEFAULT_ORIGIN
        try:
            fc = forecast(session, origin=day, n_members=MEMBERS)
        except DyrdError:  # region data not loaded: the page says what is missing
            fc = None
    cities = {c.code: c for c in region.list_cities(session)}
    if fc is None:
        empty = build_map([], cities, None, lang=lang)
        return EpidemicPage(
            tuple(notices), day, DEFAULT_CITY, (), empty, (), (), None, (), "", (), (), "—", "—"
        )
    names = {c.code: (c.name_zh if lang == "zh" else c.name_en) for c in fc.cities}
    chosen = city if city in names else DEFAULT_CITY
    if city and city not in names:
        notices.append(notice("epi.bad_city", value=city[:20]))
    values = {
        c.code: StatisticValue(
            value=round(c.forecasts[0].median / c.population * 1e5, 2),
            year=fc.origin.year,
            unit="",
            source=t("epi.map.source", lang),
        )
        for c in fc.cities
    }
    features = region.boundaries(session).features
    choropleth = build_map(features, cities, values, lang=lang, highlight=chosen)
    rows = tuple(
        ForecastRow(
            code=c.code,
            name=names[c.code],
            cells=tuple(
                f"{_fmt(f.median)} ({_fmt(f.quantiles[1])}–{_fmt(f.quantiles[21])})"
                for f in c.forecasts
            ),
            observed=tuple("—" if f.observed is None else _fmt(f.observed) for f in c.forecasts),
        )
        for c in sorted(fc.cities, key=lambda c: -c.forecasts[0].median)
    )
    fan_city = next(c for c in fc.cities if c.code == chosen)
    levels_rep = response_levels(session, origin=fc.origin, forecast_report=fc)
    level_rows, agreement = _levels(levels_rep, lang)
    scen_rows, base_path, scen_ticks = _scenarios(session, lang)
    return EpidemicPage(
        notices=tuple(notices),
        origin=fc.origin,
        city=chosen,
        cities=tuple(sorted(names.items())),
        map=choropleth,
        forecasts=rows,
        horizons=tuple(f"+{f.horizon_days}d" for f in fc.cities[0].forecasts),
        fan=_fan(fan_city, fc.origin, names[chosen]),
        scenarios=tuple(scen_rows),
        scenario_baseline_path=base_path,
        scenario_ticks=tuple(scen_ticks),
        levels=tuple(level_rows),
        agreement=agreement,
        kappa=f"{fc.transmission_factor:.2f}",
        calibration=_calibration(lang),
    )
