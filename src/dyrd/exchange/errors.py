"""Errors of the exchange domain; each subclasses the core error that fixes its HTTP status."""

from __future__ import annotations

from dyrd.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed


class ResourceNotFound(NotFoundError):
    """No catalog entry with that id or name."""

    code = "resource-not-found"
    title = "Resource not found"
    title_zh = "数据资源不存在"


class VersionNotFound(NotFoundError):
    """The resource has no version with that number."""

    code = "version-not-found"
    title = "Version not found"
    title_zh = "版本不存在"


class NoData(NotFoundError):
    """The table has no uploaded data (yet, or at that version)."""

    code = "no-data"
    title = "No data uploaded"
    title_zh = "尚未上传数据"


class MetadataInvalid(ValidationFailed):
    """Catalog metadata breaks a rule that spans fields."""

    code = "metadata-invalid"
    title = "Invalid metadata"
    title_zh = "元数据无效"


class DataInvalid(ValidationFailed):
    """An uploaded file does not match the declared schema; ``errors`` lists row and column."""

    code = "data-invalid"
    title = "Data does not match the schema"
    title_zh = "数据不符合字段定义"


class SearchQueryInvalid(ValidationFailed):
    """A search or CKAN package_search parameter cannot be understood."""

    code = "search-query-invalid"
    title = "Invalid search query"
    title_zh = "查询参数无效"


class NameTaken(ConflictError):
    """Another resource already uses that name."""

    code = "name-taken"
    title = "Name already used"
    title_zh = "名称已被使用"


class VersionConflict(ConflictError):
    """The resource changed since the version the caller based its edit on."""

    code = "version-conflict"
    title = "Edit conflict"
    title_zh = "版本冲突"


class ResourceWithdrawn(ConflictError):
    """The resource was withdrawn and can no longer be changed."""

    code = "resource-withdrawn"
    title = "Resource withdrawn"
    title_zh = "数据资源已撤回"


class DataAccessDenied(PermissionDenied):
    """The caller may read the metadata but not the data."""

    code = "data-access-denied"
    title = "No access to the data"
    title_zh = "无权访问数据"


# ---------------------------------------------------------------------------------------------
# Access requests and grants


class AccessRequestNotFound(NotFoundError):
    """No access request with that id."""

    code = "access-request-not-found"
    title = "Access request not found"
    title_zh = "共享申请不存在"


class AccessRequestInvalid(ValidationFailed):
    """An access request asks for something the resource or the policy does not allow."""

    code = "access-request-invalid"
    title = "Invalid access request"
    title_zh = "共享申请无效"


class AccessRequestDecided(ConflictError):
    """The request was already answered; a decision is final."""

    code = "access-request-decided"
    title = "Request already answered"
    title_zh = "共享申请已答复"


class NotAParty(PermissionDenied):
    """The caller belongs neither to the consumer nor to the owner of a request or grant."""

    code = "not-a-party"
    title = "Not a party to this request or grant"
    title_zh = "非该申请或授权的当事方"


class GrantNotFound(NotFoundError):
    """No grant with that id."""

    code = "grant-not-found"
    title = "Grant not found"
    title_zh = "授权不存在"


class GrantAlreadyRevoked(ConflictError):
    """The grant was revoked before."""

    code = "grant-already-revoked"
    title = "Grant already revoked"
    title_zh = "授权已撤销"


class GrantDenied(PermissionDenied):
    """A grant does not cover a use; the subclasses say why."""

    code = "grant-denied"
    title = "Grant does not cover this use"
    title_zh = "授权不涵盖此次使用"


class GrantExpired(GrantDenied):
    """The grant's validity ended (``valid_until`` is exclusive)."""

    code = "grant-expired"
    title = "Grant expired"
    title_zh = "授权已过期"


class GrantNotYetValid(GrantDenied):
    """The grant's validity has not started."""

    code = "grant-not-yet-valid"
    title = "Grant not yet valid"
    title_zh = "授权尚未生效"


class GrantRevoked(GrantDenied):
    """The owner revoked the grant."""

    code = "grant-revoked"
    title = "Grant revoked"
    title_zh = "授权已被撤销"


class GrantWrongConsumer(GrantDenied):
    """The grant was given to another member."""

    code = "grant-wrong-consumer"
    title = "Grant belongs to another member"
    title_zh = "授权不属于该成员"


class GrantWrongResource(GrantDenied):
    """The grant is for another resource."""

    code = "grant-wrong-resource"
    title = "Grant is for another resource"
    title_zh = "授权针对其他数据资源"


class GrantResourceWithdrawn(GrantDenied):
    """The grant's resource was withdrawn from the catalog: no grant covers it any more."""

    code = "grant-resource-withdrawn"
    title = "Resource withdrawn"
    title_zh = "数据资源已撤回"


class GrantResourceNotShared(GrantDenied):
    """The grant's resource is now classed not shared (不予共享): its grants no longer apply."""

    code = "not-shared"
    title = "Resource not shared"
    title_zh = "数据资源不予共享"


class FieldNotGranted(GrantDenied):
    """A requested column is not among the grant's columns; ``errors`` names each."""

    code = "field-not-granted"
    title = "Field not granted"
    title_zh = "字段未获授权"


# ---------------------------------------------------------------------------------------------
# Privacy gates


class AnonymityRefused(PermissionDenied):
    """A release of personal data fails k-anonymity or l-diversity, even after generalisation."""

    code = "anonymity-refused"
    title = "Release refused: not anonymous enough"
    title_zh = "拒绝发布：匿名化程度不足"


class PrivacyBudgetExhausted(PermissionDenied):
    """The grant's differential-privacy budget cannot pay for the query's ε."""

    code = "privacy-budget-exhausted"
    title = "Privacy budget exhausted"
    title_zh = "隐私预算已用尽"


class PrivacyQueryInvalid(ValidationFailed):
    """An aggregate query cannot be answered as declared (column, bounds, categories, ε)."""

    code = "privacy-query-invalid"
    title = "Invalid aggregate query"
    title_zh = "统计查询无效"


class PrivacyBudgetBelowSpent(ConflictError):
    """A grant's ε total cannot be set below what the grant has already spent."""

    code = "privacy-budget-below-spent"
    title = "Budget below what was spent"
    title_zh = "预算低于已使用额度"
