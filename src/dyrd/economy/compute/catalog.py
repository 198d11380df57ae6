"""The indicator catalog under the five development concepts, and derived indicators; pure.

The indicators themselves (definitions, units, directions, formulas, data gaps) are listed in
``indicators``. Base indicators are read as stored (region statistics: the bundled 2019 city
table, the bundled economy panel, users' yearbook imports). Derived indicators are computed from
base indicators *of the same year*: a ratio never mixes years (patents 2017 over population 2019
stays missing). A derived value whose input is missing, or stored in another unit than the
catalog's, is missing, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dyrd.economy.compute.indicators import BASE, DERIVED
from dyrd.economy.compute.inequality import urban_rural_theil
from dyrd.economy.types import (
    Concept,
    IndicatorSpec,
    Observation,
    Ratio,
)

__all__ = [
    "BASE",
    "CATALOG",
    "DERIVED",
    "Missing",
    "default_index_indicators",
    "inputs_of",
    "value_of",
]

CATALOG: dict[str, IndicatorSpec] = {s.code: s for s in (*BASE, *DERIVED)}
"""Every indicator by code."""


def default_index_indicators() -> tuple[str, ...]:
    """Codes of the indicators of the default composite index, by concept."""
    order = list(CATALOG)
    chosen = [s for s in CATALOG.values() if s.in_default_index]
    return tuple(
        s.code
        for s in sorted(chosen, key=lambda s: (list(Concept).index(s.concept), order.index(s.code)))
    )


def inputs_of(code: str) -> tuple[str, ...]:
    """Base indicators a catalog indicator reads (itself for a base indicator)."""
    spec = CATALOG[code]
    return (code,) if spec.formula is None else spec.formula.inputs


@dataclass(frozen=True, slots=True)
class Missing:
    """Why a unit has no value for an indicator in a year."""

    reason: str
    reason_zh: str


Values = Mapping[str, Mapping[str, Observation]]
"""Base indicator code -> unit (city) code -> observation, all of one year."""


def _input(values: Values, code: str, unit_code: str, year: int) -> Observation | Missing:
    obs = values.get(code, {}).get(unit_code)
    if obs is None:
        return Missing(f"{code} has no {year} value", f"{code} 缺少 {year} 年数值")
    expected = CATALOG[code].unit
    if obs.unit != expected:
        return Missing(
            f"{code} {year} is stored in {obs.unit!r}, the catalog needs {expected!r}",
            f"{code} {year} 年单位为 {obs.unit}，目录要求 {expected}",
        )
    return obs


def value_of(code: str, values: Values, unit_code: str, year: int) -> Observation | Missing:
    """One unit's value of a catalog indicator in one year, derived from same-year inputs."""
    spec = CATALOG[code]
    if spec.formula is None:
        return _input(values, code, unit_code, year)
    got = {c: _input(values, c, unit_code, year) for c in spec.formula.inputs}
    missing = [m for m in got.values() if isinstance(m, Missing)]
    if missing:
        return Missing(
            "; ".join(m.reason for m in missing), "；".join(m.reason_zh for m in missing)
        )
    obs = {c: o for c, o in got.items() if isinstance(o, Observation)}
    sources = "; ".join(dict.fromkeys(o.source for o in obs.values()))
    formula = spec.formula
    if isinstance(formula, Ratio):
        denom = obs[formula.denominator].value
        if denom == 0:
            return Missing(
                f"{formula.denominator} is 0 in {year}: the ratio is undefined",
                f"{formula.denominator} {year} 年为 0，比值无定义",
            )
        num = sum(obs[c].value for c in formula.numerators)
        value = num / denom * formula.factor
    else:
        parts = [obs[c].value for c in formula.inputs]
        if min(parts) <= 0:
            return Missing(
                "urban–rural Theil needs positive incomes and populations",
                "城乡泰尔指数要求收入与人口为正",
            )
        value = urban_rural_theil(*parts)
    return Observation(value, spec.unit, f"computed: {spec.definition} Inputs: {sources}")
