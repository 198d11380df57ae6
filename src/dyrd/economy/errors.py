"""Errors of the economy domain."""

from __future__ import annotations

from dyrd.core.errors import NotFoundError, ValidationFailed
from dyrd.economy.types import InputError


class UnknownIndicator(NotFoundError):
    """An indicator name that is not in the catalog."""

    code = "unknown-indicator"
    title = "Unknown indicator"
    title_zh = "未知指标"


class InsufficientData(ValidationFailed):
    """Too few units with values (after leaving out missing ones) for the computation."""

    code = "insufficient-data"
    title = "Insufficient data"
    title_zh = "数据不足"


class ComputationRefused(ValidationFailed):
    """The data cannot give a defined result (constant column, zero under a log, ...)."""

    code = "computation-refused"
    title = "Computation refused"
    title_zh = "无法计算"


def refused(exc: InputError, hint: str = "") -> ComputationRefused:
    """The service-level error for a pure computation's refusal."""
    return ComputationRefused(exc.message, exc.message_zh, hint=hint)


class CityNotInIndex(NotFoundError):
    """A city code that has no row in the composite index asked for."""

    code = "city-not-in-index"
    title = "City not in the index"
    title_zh = "城市不在综合指数中"
