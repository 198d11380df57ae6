"""The economy panel shipped with the package (MIT; see data/README.md)."""

from __future__ import annotations

import csv
from importlib import resources

PANEL_SOURCE = (
    "xiaofanliang/intercity_connectivity Data/CN_Public.csv @f4952e2 (MIT); "
    "see economy/data/README.md"
)


def read_panel_rows() -> list[dict[str, str]]:
    """Rows of city_panel.csv: code, name_zh, indicator, year, value, unit, source_id."""
    text = (
        resources.files("dyrd.economy")
        .joinpath("data")
        .joinpath("city_panel.csv")
        .read_text(encoding="utf-8")
    )
    return list(csv.DictReader(text.splitlines()))
