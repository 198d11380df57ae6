"""Inequality across cities and convergence over time."""

from __future__ import annotations

from enum import StrEnum

import numpy as np
from sqlalchemy.orm import Session

from dyrd.economy.compute import inequality as ineq
from dyrd.economy.errors import InsufficientData, refused
from dyrd.economy.schemas import (
    ConvergenceReport,
    DagumRead,
    GroupPart,
    InequalityReport,
    MissingValue,
)
from dyrd.economy.service.panel import check_indicator, read_panel
from dyrd.economy.types import InputError

POPULATION = "population_resident"
MIN_CITIES = 3


class Weighting(StrEnum):
    """Unit weights of an inequality index."""

    NONE = "none"
    POPULATION = "population"


class Grouping(StrEnum):
    """Groups of a between/within decomposition."""

    NONE = "none"
    PROVINCE = "province"


def inequality(
    session: Session,
    *,
    indicator: str,
    year: int,
    weight: Weighting = Weighting.NONE,
    groups: Grouping = Grouping.NONE,
) -> InequalityReport:
    """Gini, Theil T and L (decomposed by province if asked), CV and Dagum of one indicator."""
    check_indicator(indicator)
    wanted = [indicator] + ([POPULATION] if weight is Weighting.POPULATION else [])
    panel = read_panel(session, list(dict.fromkeys(wanted)), [year])
    missing_cities = {m.city_code for m in panel.missing}
    cities = [c for c in panel.cities if c.code not in missing_cities]
    if len(cities) < MIN_CITIES:
        raise InsufficientData(
            f"Only {len(cities)} city(ies) have {indicator} in {year}"
            f"{' with population' if weight is Weighting.POPULATION else ''}; "
            f"inequality needs at least {MIN_CITIES}.",
            f"{year} 年仅 {len(cities)} 个城市有 {indicator} 数据；"
            f"不平等测度至少需要 {MIN_CITIES} 个。",
            hint="Import the values (`dyrd economy import`) or pick a year listed by "
            "`dyrd economy indicators`.",
        )
    codes = [c.code for c in cities]
    y = np.array(panel.column(indicator, year, codes))
    w = np.array(panel.column(POPULATION, year, codes)) if weight is Weighting.POPULATION else None
    labels = [c.province_code for c in cities]
    notes: list[str] = []
    try:
        gini = ineq.gini(y, w)
        cv = ineq.coefficient_of_variation(y, w)
        theil = ineq.theil_t_decomposition(y, labels, w)
        theil_l: ineq.Decomposition | None = None
        if (y > 0).all():
            theil_l = ineq.theil_l_decomposition(y, labels, w)
        else:
            notes.append(
                "Theil L left out: some value is 0 and ln(0) is undefined / 存在零值，泰尔 L 无定义"
            )
        dagum = None
        if groups is Grouping.PROVINCE:
            dagum = ineq.dagum_gini(y, labels, w)
    except InputError as exc:
        raise refused(exc) from exc
    grouped = groups is Grouping.PROVINCE
    return InequalityReport(
        indicator=indicator,
        year=year,
        weighted_by=POPULATION if w is not None else None,
        grouped_by=groups.value if grouped else None,
        n=len(codes),
        gini=gini,
        theil_t=theil.total,
        theil_t_between=theil.between if grouped else None,
        theil_t_within=theil.within if grouped else None,
        theil_l=theil_l.total if theil_l else None,
        theil_l_between=theil_l.between if theil_l and grouped else None,
        theil_l_within=theil_l.within if theil_l and grouped else None,
        cv=cv,
        dagum=(
            DagumRead(
                total=dagum.total,
                within=dagum.within,
                net_between=dagum.net_between,
                transvariation=dagum.transvariation,
            )
            if dagum
            else None
        ),
        groups=[
            GroupPart(
                group=str(g),
                n=labels.count(str(g)),
                theil_t=float(theil.group_index[k]),
                income_share=float(theil.group_income_share[k]),
                population_share=float(theil.group_population_share[k]),
            )
            for k, g in enumerate(theil.groups)
        ]
        if grouped
        else [],
        missing=panel.missing,
        notes=notes,
        sources=panel.sources(),
    )


def convergence(session: Session, *, indicator: str, start: int, end: int) -> ConvergenceReport:
    """σ (sd of ln y) and CV per year with values in [start, end]; β from the first to the last.

    β uses the cities with values in both end years; each σ uses the cities of its year.
    """
    check_indicator(indicator)
    if end <= start:
        raise InsufficientData(
            "The end year must come after the start year.", "终止年份必须晚于起始年份。"
        )
    panel = read_panel(session, [indicator], list(range(start, end + 1)))
    years: list[int] = []
    sig: list[float] = []
    cvs: list[float] = []
    ns: list[int] = []
    notes: list[str] = []
    by_year: dict[int, dict[str, float]] = {}
    for (_, yr, city), obs in panel.values.items():
        by_year.setdefault(yr, {})[city] = obs.value
    try:
        for yr in sorted(by_year):
            vals = np.array(list(by_year[yr].values()))
            if vals.size < MIN_CITIES or (vals <= 0).any():
                notes.append(f"{yr}: skipped (fewer than {MIN_CITIES} positive values)")
                continue
            years.append(yr)
            sig.append(ineq.sigma(vals))
            cvs.append(ineq.coefficient_of_variation(vals))
            ns.append(int(vals.size))
        first, last = (min(by_year), max(by_year)) if by_year else (start, end)
        both = sorted(set(by_year.get(first, {})) & set(by_year.get(last, {})))
        beta = None
        if first < last and len(both) >= MIN_CITIES:
            beta = ineq.beta_convergence(
                [by_year[first][c] for c in both], [by_year[last][c] for c in both], last - first
            )
        else:
            notes.append(
                f"β not estimated: fewer than {MIN_CITIES} cities have values in two different "
                "years / 少于 3 个城市在两个年份均有数值，未估计 β"
            )
    except InputError as exc:
        raise refused(exc) from exc
    missing: list[MissingValue] = [m for m in panel.missing if m.year in by_year]
    return ConvergenceReport(
        indicator=indicator,
        years=years,
        sigma=sig,
        cv=cvs,
        n=ns,
        beta=beta.beta if beta else None,
        alpha=beta.alpha if beta else None,
        se_beta=beta.se_beta if beta else None,
        r_squared=beta.r_squared if beta else None,
        speed=beta.speed if beta else None,
        half_life=beta.half_life if beta else None,
        beta_n=beta.n if beta else 0,
        missing=missing,
        notes=notes,
    )
