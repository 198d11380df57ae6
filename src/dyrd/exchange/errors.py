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
