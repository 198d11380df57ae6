"""Rows of the economy page's early-warning table: each rule, its status and triggered units."""

from __future__ import annotations

from dataclasses import dataclass

from dyrd.economy.schemas import AlertsReport
from dyrd.web.i18n import Lang, t


def _f(v: float | None) -> str:
    return "—" if v is None else f"{v:.4f}"


@dataclass(frozen=True, slots=True)
class AlertRow:
    """One rule evaluated: its status, its triggered units and the data behind them."""

    id: str
    description: str
    kind: str
    params: str
    sample: bool
    status: str
    note: str
    alerts: tuple[tuple[str, str, str], ...]
    """(unit name, years and values, statistic)."""


def alert_rows(report: AlertsReport, lang: Lang) -> tuple[AlertRow, ...]:
    """The table rows of the evaluated rules, in the report's order."""
    rows = []
    for r in report.results:
        rule = r.rule
        if r.status == "no_data":
            note = r.no_data_reason_zh if lang == "zh" else r.no_data_reason
        else:
            note = t("econ.alert.summary", lang, n=len(r.alerts), clear=r.units_clear)
        rows.append(
            AlertRow(
                id=rule.id,
                description=rule.description_zh if lang == "zh" else rule.description_en,
                kind=rule.kind,
                params=", ".join(f"{k}={v}" for k, v in rule.params.items()),
                sample=rule.sample,
                status=r.status,
                note=note,
                alerts=tuple(
                    (
                        a.name_zh if lang == "zh" else a.name_en,
                        ", ".join(f"{y}: {v:.4g}" for y, v in zip(a.years, a.values, strict=True)),
                        _f(a.statistic),
                    )
                    for a in r.alerts
                ),
            )
        )
    return tuple(rows)
