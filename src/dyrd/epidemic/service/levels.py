"""Recommended response levels per city at a forecast origin, against those declared in 2020."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from importlib import resources

from sqlalchemy.orm import Session

from dyrd.epidemic.compute.response_levels import (
    CityOutlook,
    DeclaredPeriod,
    LevelThresholds,
    ResponseLevel,
    declared_level,
    recommend,
)
from dyrd.epidemic.errors import InvalidParameter
from dyrd.epidemic.schemas import (
    Comparison,
    ForecastReport,
    LevelRead,
    LevelReport,
    LevelThresholdsIn,
)
from dyrd.epidemic.service.data import UserData
from dyrd.epidemic.service.forecasts import forecast
from dyrd.epidemic.service.inputs import inputs_for
from dyrd.epidemic.types import Posterior

DECLARED_SOURCE = (
    "Provincial public-health emergency response levels 2020 (Shanghai, Jiangsu, Zhejiang, "
    "Anhui), from the official notices and news reports cited row by row in "
    "epidemic/data/response_levels_2020.csv"
)


def _day(d: str, t: str) -> date:
    # "24:00" (24时) means in force from 00:00 of the next day; other times of day count from
    # the date itself (the comparison is by day).
    out = date.fromisoformat(d)
    return out + timedelta(days=1) if t.strip() == "24:00" else out


def declared_periods() -> list[DeclaredPeriod]:
    """The bundled 2020 provincial level periods."""
    text = (
        resources.files("dyrd.epidemic")
        .joinpath("data")
        .joinpath("response_levels_2020.csv")
        .read_text(encoding="utf-8")
    )
    out = []
    for r in csv.DictReader(text.splitlines()):
        end = _day(r["end_date"], r["end_time_local"]) if r["end_date"].strip() else None
        out.append(
            DeclaredPeriod(
                jurisdiction_code=r["jurisdiction_code"],
                level=ResponseLevel(int(r["level"])),
                start=_day(r["start_date"], r["start_time_local"]),
                end=end,
            )
        )
    return out


def _compare(rec: ResponseLevel, declared: ResponseLevel | None) -> Comparison:
    if declared is None:
        return Comparison.NONE_DECLARED
    if rec == declared:
        return Comparison.SAME
    return Comparison.MORE_SERIOUS if rec < declared else Comparison.LESS_SERIOUS


def response_levels(
    session: Session,
    *,
    origin: date | None = None,
    thresholds: LevelThresholdsIn | None = None,
    n_members: int = 200,
    seed: int = 0,
    forecast_report: ForecastReport | None = None,
    posterior: Posterior | None = None,
    user: UserData | None = None,
) -> LevelReport:
    """Level I-IV per city from the forecast at ``origin``, with reasons and the declared level.

    ``forecast_report`` reuses a forecast already made (the dashboard shows both); otherwise one
    is made with ``posterior`` and the ``user``'s files (see ``forecasts.forecast``).
    """
    th_in = thresholds or LevelThresholdsIn()
    try:
        th = LevelThresholds(**th_in.model_dump())
    except ValueError as exc:
        raise InvalidParameter(str(exc), "阈值设置无效：" + str(exc)) from None
    data = inputs_for(session, user)
    fc = forecast_report or forecast(
        session, origin=origin, n_members=n_members, seed=seed, posterior=posterior, user=user
    )
    idx = (fc.origin - data.dates[0]).days
    periods = declared_periods()
    out = []
    for i, city in enumerate(fc.cities):
        beds_rate = data.beds_per_1000[i]
        outlook = CityOutlook(
            code=city.code,
            name_zh=city.name_zh,
            name_en=city.name_en,
            population=city.population,
            observed_week_cases=float(data.incidence[max(idx - 7, 0) : idx, i].sum()),
            forecast_week_cases=city.forecasts[0].median,
            forecast_week2_cases=city.forecasts[1].median,
            hospital_beds=None if beds_rate is None else beds_rate * city.population / 1000.0,
        )
        rec = recommend(outlook, th)
        province = data.province_codes[i]
        declared = declared_level(periods, province, fc.origin)
        out.append(
            LevelRead(
                code=city.code,
                name_zh=city.name_zh,
                name_en=city.name_en,
                province_code=province,
                level=int(rec.level),
                level_roman=rec.level.roman,
                level_zh=rec.level.zh,
                incidence_per_100k=rec.incidence_per_100k,
                growth_ratio=rec.growth_ratio,
                bed_share=rec.bed_share,
                reason_zh=rec.reason_zh,
                reason_en=rec.reason_en,
                declared_level=None if declared is None else int(declared),
                comparison=_compare(rec.level, declared),
            )
        )
    compared = [c for c in out if c.declared_level is not None]
    agreement = (
        sum(c.comparison is Comparison.SAME for c in compared) / len(compared) if compared else None
    )
    return LevelReport(
        origin=fc.origin,
        thresholds=th_in,
        agreement=agreement,
        declared_source=DECLARED_SOURCE,
        parameters=fc.parameters,
        inputs=fc.inputs,
        cities=out,
    )
