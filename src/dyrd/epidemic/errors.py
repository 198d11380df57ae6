"""Errors of the epidemic domain.

Each names the row, city or parameter at fault. The module depends only on
``dyrd.core.errors`` (plain dataclasses), so the pure ``compute`` package raises these too
instead of wrapping a second error tree.
"""

from __future__ import annotations

from dyrd.core.errors import DyrdError, FieldError, NotFoundError, ValidationFailed


class EpidemicError(DyrdError):
    """Base of every epidemic-domain error."""

    code = "epidemic-error"
    title = "Epidemic model error"
    title_zh = "疫情模型错误"


class InvalidParameter(EpidemicError, ValidationFailed):
    """A model or filter parameter outside its admissible range (names the parameter)."""

    code = "invalid-parameter"
    title = "Invalid parameter"
    title_zh = "参数无效"


class InvalidShape(EpidemicError, ValidationFailed):
    """An array (mobility matrix, state, multiplier, series) of the wrong shape."""

    code = "invalid-shape"
    title = "Wrong shape"
    title_zh = "维度不符"


class InvalidMobility(EpidemicError, ValidationFailed):
    """An origin-destination matrix with negative, missing or non-finite flows."""

    code = "invalid-mobility"
    title = "Invalid mobility matrix"
    title_zh = "人口流动矩阵无效"


class InvalidCaseSeries(EpidemicError, ValidationFailed):
    """A case series with negative, non-monotone (cumulative) or non-finite counts."""

    code = "invalid-case-series"
    title = "Invalid case series"
    title_zh = "病例序列无效"


class UnknownCity(EpidemicError, NotFoundError):
    """A city name or code that is not in the model's city list."""

    code = "unknown-city"
    title = "Unknown city"
    title_zh = "未知城市"


class DataUnavailable(EpidemicError, NotFoundError):
    """A data set (e.g. the Li et al. 2020 files) is not where it was looked for."""

    code = "epidemic-data-unavailable"
    title = "Data unavailable"
    title_zh = "数据不可用"


class CalibrationFailed(EpidemicError):
    """The filter diverged (no finite ensemble left); names the day and city."""

    code = "calibration-failed"
    title = "Calibration failed"
    title_zh = "校准失败"


def field(location: str, message: str, message_zh: str, value: object = None) -> FieldError:
    """One located problem (row, city or parameter), for the ``errors`` list of an error."""
    return FieldError(location, message, message_zh, None if value is None else str(value))
