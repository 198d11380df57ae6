"""Scenario files, and restrictions from any response-level source through a level -> share
table (the bridge the epidemic domain plugs into)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydantic import ValidationError

from dyrd.core.errors import FieldError
from dyrd.supply.compute import restrictions
from dyrd.supply.errors import InvalidInput
from dyrd.supply.ports import ResponseLevels
from dyrd.supply.schemas import ScenarioSpec

MAX_SCENARIO_BYTES = 2_000_000


def load_scenario(path: Path) -> ScenarioSpec:
    """Read and validate a scenario file; InvalidInput names every faulty field."""
    try:
        raw = path.read_bytes()[: MAX_SCENARIO_BYTES + 1]
    except OSError as exc:
        raise InvalidInput(
            f"Cannot read scenario file {path}: {exc.strerror}.",
            f"无法读取情景文件 {path}：{exc.strerror}。",
        ) from exc
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InvalidInput("Scenario file too large.", "情景文件过大。")
    try:
        return ScenarioSpec.model_validate(json.loads(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        errors = (
            [
                FieldError(".".join(map(str, e["loc"])) or "$", e["msg"])
                for e in exc.errors(include_url=False)
            ]
            if isinstance(exc, ValidationError)
            else [FieldError("$", str(exc))]
        )
        raise InvalidInput(
            f"Scenario file {path.name} is not a valid scenario.",
            f"情景文件 {path.name} 无效。",
            errors=errors,
            hint="See `dyrd supply disruption run --help` for the format.",
        ) from exc


class LevelRestrictions:
    """Turns a response-level source (the epidemic domain's, once wired) into restrictions
    with a scenario's own level -> share table."""

    def __init__(self, levels: ResponseLevels, shares: Mapping[int, float]) -> None:
        self._levels = levels
        self._shares = dict(shares)

    def shares(self, cities: Sequence[str], start: date, days: int) -> NDArray[np.float64]:
        """Shares lost per day and city."""
        return restrictions.from_levels(cities, start, days, self._levels.level, self._shares)


class ScenarioFileRestrictions:
    """A scenario file as a ``CityRestrictions`` source: its periods, and its levels through its
    own share table (e.g. another team's restriction plan run against our network)."""

    def __init__(self, path: Path) -> None:
        self._spec = load_scenario(path)

    def shares(self, cities: Sequence[str], start: date, days: int) -> NDArray[np.float64]:
        """Shares lost per day and city (the larger where periods and levels overlap)."""
        spec = self._spec
        out = restrictions.from_periods(
            cities, start, days, [(p.city, p.start, p.end, p.share) for p in spec.restrictions]
        )
        if spec.levels:
            lookup = restrictions.level_lookup(
                [(p.jurisdiction, p.start, p.end, p.level) for p in spec.levels]
            )
            table = {int(k): v for k, v in spec.level_shares.items()}
            out = np.maximum(out, restrictions.from_levels(cities, start, days, lookup, table))
        return out
