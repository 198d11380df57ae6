"""Early warning: the rules evaluated over the stored indicator time series of the cities."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy.orm import Session

from dyrd.economy.compute import inequality as ineq
from dyrd.economy.compute.catalog import CATALOG
from dyrd.economy.compute.warning import (
    SAMPLE_RULES,
    Finding,
    GapMeasure,
    Rule,
    Scope,
    Status,
    evaluate,
)
from dyrd.economy.schemas import AlertRead, AlertRuleRead, AlertsReport, RuleResult
from dyrd.economy.service.panel import cities, list_indicators, read_panel
from dyrd.economy.types import InputError
from dyrd.region import service as region

MIN_CITIES = 3
"""A gap measure over fewer cities than this is not computed for that year."""


@dataclass
class _Series:
    """Values of one indicator by city and year, with sources; ``reason`` when there are none."""

    values: dict[str, dict[int, float]] = field(default_factory=dict)
    sources: dict[str, dict[int, str]] = field(default_factory=dict)
    reason: str = ""
    reason_zh: str = ""


def _read(session: Session, code: str, cache: dict[str, _Series]) -> _Series:
    if code in cache:
        return cache[code]
    out = _Series()
    listed = None
    if code in CATALOG:
        listed = next(i for i in list_indicators(session) if i.code == code)
        years = listed.years
        if years:
            panel = read_panel(session, [code], years)
            for (_, year, city), obs in panel.values.items():
                out.values.setdefault(city, {})[year] = obs.value
                out.sources.setdefault(city, {})[year] = obs.source
    else:
        stored = {i.code: i.years for i in region.list_indicators(session)}
        for year in stored.get(code, []):
            for city, stat in region.indicator_values(session, code, year).items():
                out.values.setdefault(city, {})[year] = stat.value
                out.sources.setdefault(city, {})[year] = stat.source
    if not out.values:
        out.reason = (
            f"no stored values of {code}: import a yearbook series "
            "(`dyrd economy import`) to evaluate this rule"
        )
        out.reason_zh = f"未存储 {code} 的数值：导入年鉴时间序列（dyrd economy import）后方可评估"
        if listed is not None and listed.no_data_reason:
            # Say why nothing ships (the catalog's data gap), not only that nothing is stored.
            out.reason += f" ({listed.no_data_reason})"
            out.reason_zh += f"（{listed.no_data_reason_zh}）"
    cache[code] = out
    return out


def _rule_read(rule: Rule) -> AlertRuleRead:
    return AlertRuleRead(
        id=rule.id,
        kind=rule.kind.value,
        scope=rule.scope.value,
        description_zh=rule.description_zh,
        description_en=rule.description_en,
        indicator=rule.indicator,
        other=rule.other,
        params=dict(rule.params),
        sample=rule.sample,
        source=rule.source,
    )


def _gap_series(
    series: _Series, provinces: dict[str, str], measure: GapMeasure
) -> tuple[dict[int, float], list[str]]:
    """The gap measure per year over the cities with a value that year (>= MIN_CITIES)."""
    by_year: dict[int, dict[str, float]] = {}
    for city, per_year in series.values.items():
        for year, v in per_year.items():
            by_year.setdefault(year, {})[city] = v
    gaps: dict[int, float] = {}
    sources: list[str] = []
    for year, vals in sorted(by_year.items()):
        codes = sorted(c for c in vals if c in provinces)
        y = np.array([vals[c] for c in codes])
        if len(codes) < MIN_CITIES or (y <= 0).any():
            continue
        try:
            if measure is GapMeasure.GINI:
                gaps[year] = ineq.gini(y)
            else:
                gaps[year] = ineq.theil_t_decomposition(y, [provinces[c] for c in codes]).between
        except InputError:
            continue
        sources.extend(series.sources[c][year] for c in codes)
    return gaps, list(dict.fromkeys(sources))


def _result(
    rule: Rule, findings: list[tuple[str, str, str, Finding, list[str]]], reason: tuple[str, str]
) -> RuleResult:
    alerts = [
        AlertRead(
            rule_id=rule.id,
            unit=unit,
            name_zh=zh,
            name_en=en,
            years=list(f.years),
            values=list(f.values),
            other_values=list(f.other_values),
            statistic=f.statistic,
            sources=src,
        )
        for unit, zh, en, f, src in findings
        if f.status is Status.ALERT
    ]
    clear = sum(1 for *_, f, _ in findings if f.status is Status.CLEAR)
    no_data = [f for *_, f, _ in findings if f.status is Status.NO_DATA]
    status = "alert" if alerts else ("clear" if clear else "no_data")
    why, why_zh = reason
    if not why and status == "no_data" and no_data:
        why, why_zh = no_data[0].reason, no_data[0].reason_zh
    return RuleResult(
        rule=_rule_read(rule),
        status=status,
        alerts=alerts,
        units_evaluated=len(findings),
        units_clear=clear,
        units_no_data=len(no_data),
        no_data_reason=why if status == "no_data" else "",
        no_data_reason_zh=why_zh if status == "no_data" else "",
    )


def evaluate_alerts(session: Session, *, rules: Sequence[Rule] = SAMPLE_RULES) -> AlertsReport:
    """Evaluate every rule; a rule whose indicator has no time series reports ``no_data``."""
    city_list = cities(session)
    provinces = {c.code: c.province_code for c in city_list}
    cache: dict[str, _Series] = {}
    results: list[RuleResult] = []
    for rule in rules:
        main = _read(session, rule.indicator, cache)
        other = _read(session, rule.other, cache) if rule.other else None
        reason = (main.reason, main.reason_zh)
        if other is not None and other.reason and not main.reason:
            reason = (other.reason, other.reason_zh)
        elif other is not None and other.reason:
            reason = (f"{main.reason}; {other.reason}", f"{main.reason_zh}；{other.reason_zh}")
        findings: list[tuple[str, str, str, Finding, list[str]]] = []
        if rule.scope is Scope.REGION:
            measure = GapMeasure(str(rule.params.get("measure", GapMeasure.GINI.value)))
            gaps, sources = _gap_series(main, provinces, measure)
            found = evaluate(rule, gaps)
            findings.append(("region", "长三角", "Yangtze River Delta", found, sources))
        else:
            for c in city_list:
                vals = main.values.get(c.code, {})
                other_vals = other.values.get(c.code, {}) if other is not None else None
                f = evaluate(rule, vals, other_vals)
                src = [main.sources[c.code][y] for y in f.years if y in vals]
                if other is not None:
                    src += [other.sources[c.code][y] for y in f.years if y in (other_vals or {})]
                findings.append((c.code, c.name_zh, c.name_en, f, list(dict.fromkeys(src))))
        results.append(_result(rule, findings, reason))
    return AlertsReport(
        results=results,
        alerts=sum(len(r.alerts) for r in results),
        rules_without_data=[r.rule.id for r in results if r.status == "no_data"],
    )
