"""The composite high-quality-development index over the cities."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

import numpy as np
from sqlalchemy.orm import Session

from dyrd.economy.compute.catalog import CATALOG, default_index_indicators
from dyrd.economy.compute.composite import (
    PERTURB_SPREAD,
    Method,
    RankStability,
    rank_stability,
)
from dyrd.economy.compute.composite import (
    composite_index as compute_index,
)
from dyrd.economy.errors import InsufficientData, refused
from dyrd.economy.schemas import (
    IndexCity,
    IndexIndicator,
    IndexReport,
    MethodRead,
    Stability,
)
from dyrd.economy.service.panel import Panel, read_panel
from dyrd.economy.service.stability import StabilityCache, stability_key
from dyrd.economy.types import Concept, InputError

MIN_CITIES = 3
"""Fewer cities than this give no meaningful spread (entropy needs n >= 2; ranks need more)."""
MIN_INDICATORS = 2


class MissingPolicy(StrEnum):
    """What to leave out when values are missing (nothing is ever imputed)."""

    DROP_INDICATOR = "drop-indicator"
    """Leave out every indicator that misses any city (keeps all cities comparable)."""
    DROP_CITY = "drop-city"
    """Leave out every city that misses any indicator (keeps the indicator system whole)."""


def _select(
    panel: Panel, policy: MissingPolicy
) -> tuple[list[str], list[str], dict[str, str], list[str]]:
    """(indicators kept, city codes kept, dropped indicators with reasons, dropped cities)."""
    n_cells = len(panel.cities) * len(panel.years)
    absent: dict[str, set[tuple[int, str]]] = {c: set() for c in panel.indicators}
    for m in panel.missing:
        absent[m.indicator].add((m.year, m.city_code))
    dropped: dict[str, str] = {}
    for code, cells in absent.items():
        if len(cells) == n_cells:
            dropped[code] = "no values in the years asked / 所选年份无数值"
        elif policy is MissingPolicy.DROP_INDICATOR and cells:
            cities = sorted({c for _, c in cells})
            dropped[code] = (
                f"missing for {len(cities)} city(ies) / {len(cities)} 个城市缺值: "
                + ", ".join(cities[:10])
                + (" ..." if len(cities) > 10 else "")
            )
    kept = [c for c in panel.indicators if c not in dropped]
    bad_cities = {city for code in kept for _, city in absent[code]}
    cities = [c.code for c in panel.cities if c.code not in bad_cities]
    return kept, cities, dropped, sorted(bad_cities)


def composite_index(
    session: Session,
    *,
    years: Sequence[int],
    indicators: Sequence[str] | None = None,
    method: Method = Method(),  # noqa: B008  # frozen dataclass: an immutable default
    missing: MissingPolicy = MissingPolicy.DROP_INDICATOR,
    weights: Mapping[str, float] | None = None,
    stability_draws: int = 0,
    seed: int = 0,
    stability_cache: StabilityCache | None = None,
) -> IndexReport:
    """Entropy-weighted TOPSIS (or linear) index of the cities in one or more years.

    Nothing is imputed: indicators or cities with missing values are left out by ``missing`` and
    listed in the report. ``weights`` replaces entropy weights. ``stability_draws`` > 0 adds
    each city's rank range under ±20 % weight perturbation (numpy Generator seeded with ``seed``);
    ``stability_cache`` reuses earlier draws on the very same inputs (the dashboard's page views).
    """
    codes = list(indicators) if indicators else list(default_index_indicators())
    years = sorted(set(years))
    if not years:
        raise InsufficientData("No year given.", "未给出年份。", hint="Pass --year 2019.")
    panel = read_panel(session, codes, years)
    kept, city_codes, dropped, dropped_cities = _select(panel, missing)
    missing_list = [m for m in panel.missing if m.indicator in codes]
    if len(kept) < MIN_INDICATORS or len(city_codes) < MIN_CITIES:
        raise InsufficientData(
            f"{len(kept)} indicator(s) and {len(city_codes)} city(ies) have complete values for "
            f"{', '.join(map(str, years))}; the index needs at least {MIN_INDICATORS} indicators "
            f"and {MIN_CITIES} cities.",
            f"{', '.join(map(str, years))} 年仅有 {len(kept)} 个指标、"
            f"{len(city_codes)} 个城市数据完整；"
            f"指数至少需要 {MIN_INDICATORS} 个指标和 {MIN_CITIES} 个城市。",
            hint="Import the missing statistics (`dyrd economy import`), choose other indicators, "
            "or use --missing drop-city.",
            errors=[],
        )
    specs = [CATALOG[c] for c in kept]
    x = np.array(
        [[panel.column(code, year, city_codes) for code in kept] for year in years]
    ).transpose(0, 2, 1)
    given = None
    if weights:
        given = [float(weights.get(c, 0.0)) for c in kept]
    try:
        result = compute_index(
            x,
            [s.direction for s in specs],
            [s.concept for s in specs],
            method=method,
            labels=kept,
            weights=given,
        )
        stability = []
        if stability_draws > 0:
            directions = [s.direction for s in specs]

            def draw() -> list[RankStability]:
                rng = np.random.default_rng(seed)
                return [
                    rank_stability(
                        x[t],
                        result.weights[t],
                        directions,
                        rng=rng,
                        method=method,
                        draws=stability_draws,
                        labels=kept,
                    )
                    for t in range(len(years))
                ]

            if stability_cache is None:
                stability = draw()
            else:
                key = stability_key(
                    values=x,
                    weights=result.weights,
                    directions=directions,
                    labels=kept,
                    units=city_codes,
                    method=method,
                    draws=stability_draws,
                    seed=seed,
                )
                stability = stability_cache.get_or_compute(key, draw)
    except InputError as exc:
        raise refused(exc, hint="Leave the named indicator out (--indicator ...).") from exc
    info = {c.code: c for c in panel.cities}
    rows: list[IndexCity] = []
    for t, year in enumerate(years):
        for i, code in enumerate(city_codes):
            city = info[code]
            stab = None
            if stability:
                st = stability[t]
                stab = Stability(
                    median_rank=float(st.median[i]),
                    rank_p05=float(st.p05[i]),
                    rank_p95=float(st.p95[i]),
                    unchanged_share=float(st.unchanged[i]),
                )
            rows.append(
                IndexCity(
                    city_code=code,
                    name_zh=city.name_zh,
                    name_en=city.name_en,
                    province_code=city.province_code,
                    year=year,
                    score=float(result.scores[t, i]),
                    rank=int(result.ranks[t, i]),
                    sub_indices={k.value: float(v[t, i]) for k, v in result.sub_indices.items()},
                    stability=stab,
                )
            )
    used_concepts = {s.concept for s in specs}
    return IndexReport(
        years=years,
        method=MethodRead(
            aggregation=method.aggregation,
            normalisation=method.normalisation,
            entropy=method.entropy if given is None else None,
            shift=method.shift,
            weights=method.scheme,
            missing=missing.value,
        ),
        indicators=[
            IndexIndicator(
                code=s.code,
                concept=s.concept,
                direction=s.direction,
                unit=s.unit,
                weight=[float(w) for w in result.weights[:, j]],
                entropy=[None if np.isnan(e) else float(e) for e in result.entropy[:, j]],
            )
            for j, s in enumerate(specs)
        ],
        cities=sorted(rows, key=lambda r: (r.year, r.rank, r.city_code)),
        concepts_without_data=[c for c in Concept if c not in used_concepts],
        dropped_indicators=dropped,
        dropped_cities=dropped_cities,
        missing=missing_list,
        stability_draws=stability_draws,
        stability_spread=PERTURB_SPREAD if stability_draws else 0.0,
        stability_seed=seed if stability_draws else None,
        sources=list(
            dict.fromkeys(
                panel.values[(c, y, city)].source
                for c in kept
                for y in years
                for city in city_codes
            )
        ),
    )
