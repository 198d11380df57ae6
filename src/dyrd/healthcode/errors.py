"""Errors of the health-code domain (all in the one DyrdError tree)."""

from __future__ import annotations

from dyrd.core.errors import ConfigurationError, ConflictError, NotFoundError, ValidationFailed


class ResidentNotFound(NotFoundError):
    """No resident with that pseudonymous id."""

    code = "healthcode-resident-not-found"
    title = "Resident not found"
    title_zh = "未找到居民"


class ResidentExists(ConflictError):
    """A resident with the same identity number is already registered."""

    code = "healthcode-resident-exists"
    title = "Resident already registered"
    title_zh = "居民已登记"


class HealthInputInvalid(ValidationFailed):
    """A stay, risk list, test, vaccination, flag or declaration has invalid fields."""

    code = "healthcode-input-invalid"
    title = "Invalid health-code input"
    title_zh = "健康码输入数据无效"


class RuleInvalid(ValidationFailed):
    """A colour rule document is not valid (shape, CertLogic, version, dates)."""

    code = "healthcode-rule-invalid"
    title = "Invalid colour rule"
    title_zh = "赋码规则无效"


class RuleSignatureInvalid(ValidationFailed):
    """A stored rule's signature does not verify with its jurisdiction's key."""

    code = "healthcode-rule-signature-invalid"
    title = "Rule signature invalid"
    title_zh = "规则签名无效"


class AppealNotFound(NotFoundError):
    """No appeal with that id."""

    code = "healthcode-appeal-not-found"
    title = "Appeal not found"
    title_zh = "未找到申诉"


class AppealClosed(ConflictError):
    """The appeal has already been answered."""

    code = "healthcode-appeal-closed"
    title = "Appeal already answered"
    title_zh = "申诉已答复"


class IssuanceUnavailable(ConfigurationError):
    """Codes cannot be issued: no credential codec or no signing key is wired."""

    code = "healthcode-issuance-unavailable"
    title = "Code issuance unavailable"
    title_zh = "无法签发健康码"


class VenueNotFound(NotFoundError):
    """No venue with that id on this node."""

    code = "healthcode-venue-not-found"
    title = "Venue not found"
    title_zh = "未找到场所"


class VenueCodeInvalid(ValidationFailed):
    """A scanned venue code is garbled, or its signature does not verify."""

    code = "healthcode-venue-code-invalid"
    title = "Invalid venue code"
    title_zh = "场所码无效"


class PolicyInvalid(ValidationFailed):
    """An acceptance policy document is not valid (shape, CertLogic, version, dates)."""

    code = "healthcode-policy-invalid"
    title = "Invalid acceptance policy"
    title_zh = "互认策略无效"


class PolicyNotFound(NotFoundError):
    """No stored acceptance policy (version) with that id."""

    code = "healthcode-policy-not-found"
    title = "Acceptance policy not found"
    title_zh = "未找到互认策略"
