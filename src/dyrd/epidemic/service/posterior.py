"""A calibration's posterior saved as JSON and read back for forecasts and backtests.

The file is the hand-over between ``dyrd epidemic calibrate --save`` and ``dyrd epidemic
forecast|backtest --posterior``: the IF point estimates, every posterior member and where they
came from. Reading validates everything (format, parameter names, shapes, ranges) and names the
offending field, so a hand-edited or truncated file fails with a clear message, never NaNs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from dyrd.epidemic.errors import InvalidParameter, field
from dyrd.epidemic.service.calibration import CalibrationReport, PosteriorRow
from dyrd.epidemic.types import PARAMETERS, ModelParams, Posterior

FORMAT = "dyrd-epidemic-posterior/1"
PUBLISHED = "Li et al. (2020) published posterior medians (Table 1), 10-23 Jan 2020"
"""What forecasts run on unless a calibration's posterior is given."""


def posterior_document(report: CalibrationReport) -> dict[str, Any]:
    """The JSON document of a calibration's posterior."""
    return {
        "format": FORMAT,
        "source": (
            f"IF-EAKF on {report.dataset}, {report.first_day}..{report.last_day}, "
            f"{report.members} members x {report.iterations} iterations ({report.scheme}), "
            f"seed {report.seed}"
        ),
        "parameters": [str(p) for p in PARAMETERS],
        "estimate": list(report.estimate.as_tuple()),
        "ensemble": [list(row) for row in report.ensemble],
        # Diagnostics for people (the dashboard): the summary table and the convergence.
        "summary": report.as_dict(),
        "iteration_means": [list(row) for row in report.iteration_means],
    }


def save_posterior(report: CalibrationReport, path: Path) -> None:
    """Write the posterior to ``path`` (UTF-8 JSON); an unwritable path is a clear error."""
    try:
        path.write_text(json.dumps(posterior_document(report)), encoding="utf-8")
    except OSError as exc:
        raise InvalidParameter(
            f"cannot write the posterior to {path}: {exc.strerror}",
            f"无法写入后验文件 {path}：{exc.strerror}",
            errors=[field("save", "not writable", "不可写", str(path))],
        ) from None


def _bad(name: str, message: str, message_zh: str, value: Any = None) -> InvalidParameter:
    return InvalidParameter(
        f"posterior file: {name}: {message}",
        f"后验文件：{name}：{message_zh}",
        errors=[field(name, message, message_zh, value)],
    )


def _row(values: Any, name: str) -> tuple[float, ...]:
    if not isinstance(values, list) or len(values) != len(PARAMETERS):
        raise _bad(name, f"must be a list of {len(PARAMETERS)} numbers", "须为 6 个数值的列表")
    out = []
    for k, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise _bad(f"{name}[{k}]", "must be a finite number", "须为有限数值", v)
        out.append(float(v))
    return tuple(out)


def _params(row: tuple[float, ...], name: str) -> ModelParams:
    """The row as parameters; the model's range checks (alpha in [0, 1], Z, D > 0) and beta > 0."""
    try:
        params = ModelParams(*row)
    except InvalidParameter as exc:
        raise _bad(name, exc.message, exc.message_zh, list(row)) from None
    if params.beta <= 0:
        raise _bad(f"{name}[0]", "beta must be > 0", "beta 须大于 0", params.beta)
    return params


def read_posterior(doc: Any) -> Posterior:
    """A :class:`Posterior` from a parsed document, after checking every field."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _bad(
            "format",
            f"must be {FORMAT!r} (write it with `calibrate --save`)",
            f"须为 {FORMAT!r}（请用 `calibrate --save` 生成）",
        )
    if doc.get("parameters") != [str(p) for p in PARAMETERS]:
        raise _bad("parameters", f"must be {[str(p) for p in PARAMETERS]}", "参数名称或顺序不符")
    estimate = _row(doc.get("estimate"), "estimate")
    members = doc.get("ensemble")
    if not isinstance(members, list) or len(members) < 10:
        raise _bad("ensemble", "must list at least 10 members", "须至少含 10 个成员")
    rows = tuple(_row(m, f"ensemble[{i}]") for i, m in enumerate(members))
    for i, row in enumerate(rows):
        _params(row, f"ensemble[{i}]")
    source = doc.get("source")
    return Posterior(
        estimate=_params(estimate, "estimate"),
        ensemble=rows,
        source=source if isinstance(source, str) else "posterior file",
    )


def load_posterior(path: Path) -> Posterior:
    """Read and validate a posterior file written by :func:`save_posterior`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidParameter(
            f"cannot read the posterior file {path}: {exc.strerror}",
            f"无法读取后验文件 {path}：{exc.strerror}",
            errors=[field("posterior", "not readable", "不可读", str(path))],
        ) from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _bad("posterior", f"not JSON ({exc})", f"不是 JSON（{exc}）", str(path)) from None
    return read_posterior(doc)


BUNDLED_CALIBRATION = "calibration_li2020.json"
"""``dyrd epidemic calibrate --save`` on Li et al.'s data, 300 members x 10 iterations (rk4),
seed 0 (the source line inside says so); regenerate it with that command after model changes."""


@dataclass(frozen=True, slots=True)
class Diagnostics:
    """A saved calibration for people: the posterior table and the iterated filter's path."""

    posterior: Posterior
    rows: tuple[PosteriorRow, ...]
    iteration_means: tuple[tuple[float, ...], ...]
    """Parameter means starting each iteration (``PARAMETERS`` order)."""
    seconds: float


def _row_from(doc: Any) -> PosteriorRow:
    paper = doc.get("paper") or {}
    return PosteriorRow(
        name=str(doc["name"]),
        estimate=float(doc["estimate"]),
        median=float(doc["median"]),
        low=float(doc["low"]),
        high=float(doc["high"]),
        paper_median=paper.get("median"),
        paper_low=paper.get("low"),
        paper_high=paper.get("high"),
    )


def bundled_calibration() -> Diagnostics:
    """The calibration shipped with the package (checked like any posterior file)."""
    text = (
        resources.files("dyrd.epidemic")
        .joinpath("data", BUNDLED_CALIBRATION)
        .read_text(encoding="utf-8")
    )
    doc = json.loads(text)
    posterior = read_posterior(doc)
    try:
        rows = tuple(_row_from(r) for r in doc["summary"]["posterior"])
        means = tuple(
            _row(m, f"iteration_means[{i}]") for i, m in enumerate(doc["iteration_means"])
        )
        seconds = float(doc["summary"]["seconds"])
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(
            "summary", f"incomplete diagnostics ({exc})", f"诊断信息不完整（{exc}）"
        ) from None
    return Diagnostics(posterior=posterior, rows=rows, iteration_means=means, seconds=seconds)


def parameters_source(posterior: Posterior | None, member_spread: bool = False) -> str:
    """What a forecast or scenario ran on: the published medians or a calibration."""
    base = PUBLISHED if posterior is None else posterior.source
    spread = "; members drawn from its posterior ensemble" if member_spread and posterior else ""
    return f"{base}{spread}"
