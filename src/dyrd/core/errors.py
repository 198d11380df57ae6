"""The one error tree. Every error says what was wrong and what to do, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem at a location (row/column of a file, or a request field)."""

    location: str
    message: str
    message_zh: str = ""
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form used by the API and the CLI."""
        out: dict[str, Any] = {"location": self.location, "message": self.message}
        if self.message_zh:
            out["message_zh"] = self.message_zh
        if self.value is not None:
            out["value"] = self.value
        return out


@dataclass(eq=False)
class DyrdError(Exception):
    """Base of every error the platform raises on purpose."""

    message: str
    message_zh: str = ""
    hint: str = ""
    errors: list[FieldError] = field(default_factory=list)

    code = "dyrd-error"
    title = "Error"
    title_zh = "错误"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class NotFoundError(DyrdError):
    """A named thing does not exist."""

    code = "not-found"
    title = "Not found"
    title_zh = "未找到"


class ValidationFailed(DyrdError):
    """Input was well-formed but its content is wrong; ``errors`` lists each problem."""

    code = "validation-failed"
    title = "Validation failed"
    title_zh = "校验失败"


class PayloadTooLarge(ValidationFailed):
    """An upload is larger than the endpoint accepts."""

    code = "payload-too-large"
    title = "Payload too large"
    title_zh = "上传内容过大"


class ConflictError(DyrdError):
    """The request conflicts with the current state (duplicate key, existing value)."""

    code = "conflict"
    title = "Conflict"
    title_zh = "冲突"


class AuthenticationRequired(DyrdError):
    """No credentials, or credentials that are unknown, expired or revoked."""

    code = "authentication-required"
    title = "Authentication required"
    title_zh = "需要身份认证"


class PermissionDenied(DyrdError):
    """A known caller lacks the role the action needs."""

    code = "permission-denied"
    title = "Permission denied"
    title_zh = "权限不足"


class ConfigurationError(DyrdError):
    """Settings are wrong or a required service cannot be reached."""

    code = "configuration-error"
    title = "Configuration error"
    title_zh = "配置错误"


@dataclass(eq=False)
class ServiceUnavailable(DyrdError):
    """Another node or service the request needs did not answer; try again after a while."""

    retry_after: int | None = None
    """Seconds the caller should wait before trying again (sent as HTTP ``Retry-After``)."""

    code = "service-unavailable"
    title = "Service unavailable"
    title_zh = "服务不可用"


class UpstreamInvalid(ServiceUnavailable):
    """Another node answered, but with something that cannot be trusted or understood."""

    code = "upstream-invalid"
    title = "Invalid answer from another node"
    title_zh = "其他节点的应答无效"
