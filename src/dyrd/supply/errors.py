"""Errors of the supply domain: every one a ``SupplyError``, itself a ``DyrdError``."""

from __future__ import annotations

from dyrd.core.errors import (
    ConflictError,
    DyrdError,
    NotFoundError,
    PayloadTooLarge,
    ValidationFailed,
)


class SupplyError(DyrdError):
    """Base of the supply domain's errors."""

    code = "supply-error"
    title = "Supply-chain error"
    title_zh = "供应链错误"


class InvalidCode(SupplyError, ValidationFailed):
    """A credit code, GTIN or GLN whose format or check character is wrong."""

    code = "invalid-code"
    title = "Invalid identifier"
    title_zh = "标识码无效"


class SupplyNotFound(SupplyError, NotFoundError):
    """An enterprise, chain, product, offer, need or scenario that does not exist."""

    code = "supply-not-found"
    title = "Not found"
    title_zh = "未找到"


class SupplyConflict(SupplyError, ConflictError):
    """A duplicate or a state that forbids the change (already a member, not a member)."""

    code = "supply-conflict"
    title = "Conflict"
    title_zh = "冲突"


class InvalidInput(SupplyError, ValidationFailed):
    """Input that is well-formed but wrong in content (rule set, scenario, quantities)."""

    code = "supply-invalid-input"
    title = "Invalid supply-chain input"
    title_zh = "供应链输入无效"


class EpcisInvalid(SupplyError, ValidationFailed):
    """An EPCIS document that fails the official schema or the standard's rules (EPCIS capture)."""

    code = "epcis-invalid"
    title = "Invalid EPCIS document"
    title_zh = "EPCIS 文档无效"


class EpcisQueryInvalid(SupplyError, ValidationFailed):
    """An EPCIS query parameter the standard rejects (QueryParameterException), or a bad token."""

    code = "epcis-query-invalid"
    title = "Invalid EPCIS query"
    title_zh = "EPCIS 查询参数无效"


class EpcisTooLarge(SupplyError, PayloadTooLarge):
    """A capture beyond the server's limits (GS1-EPCIS-Capture-Limit / -File-Size-Limit)."""

    code = "epcis-too-large"
    title = "EPCIS capture too large"
    title_zh = "EPCIS 捕获数据过大"
