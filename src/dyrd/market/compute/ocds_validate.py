"""Offline validation of OCDS 1.1.5 releases, records and packages with the bids extension.

The OCDS extension mechanism applies each extension's ``release-schema.json`` to the core release
schema as a JSON Merge Patch (RFC 7386). The package schemas refer to the release schema by its
canonical URL; that URL is resolved against the local, patched copy, so nothing is fetched.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

RELEASE_SCHEMA_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
"""The ``id`` of the OCDS 1.1.5 release schema, which the package schemas ``$ref``."""


class OcdsKind(StrEnum):
    """What a JSON document is, as far as OCDS goes."""

    RELEASE = "release"
    RELEASE_PACKAGE = "release-package"
    RECORD_PACKAGE = "record-package"


@dataclass(frozen=True, slots=True)
class OcdsIssue:
    """One schema violation: where (JSON Pointer), what, and which schema keyword failed."""

    path: str
    message: str
    message_zh: str
    keyword: str


@dataclass(frozen=True, slots=True)
class OcdsSchemas:
    """What validation needs: core release schema, extension patches, the two package schemas."""

    release: Mapping[str, Any]
    release_package: Mapping[str, Any]
    record_package: Mapping[str, Any]
    extensions: tuple[Mapping[str, Any], ...] = ()


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: objects merge recursively, null deletes, the rest replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result: dict[str, Any] = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def extended_release_schema(schemas: OcdsSchemas) -> dict[str, Any]:
    """The core release schema with every extension patch applied in order."""
    schema: dict[str, Any] = copy.deepcopy(dict(schemas.release))
    for patch in schemas.extensions:
        schema = merge_patch(schema, patch)
    return schema


_ZH = {
    "required": "缺少必填字段",
    "type": "类型不符",
    "enum": "取值不在代码表中",
    "format": "格式不符",
    "minItems": "数组元素过少",
    "uniqueItems": "数组元素重复",
    "minLength": "字符串过短",
    "minimum": "数值过小",
    "pattern": "不符合格式模式",
    "oneOf": "不符合任何一种允许的结构",
    "additionalProperties": "含有不允许的字段",
}


class OcdsValidator:
    """Validates documents against the patched schemas; build once and reuse it."""

    def __init__(self, schemas: OcdsSchemas) -> None:
        release = extended_release_schema(schemas)
        registry: Registry[Any] = Registry().with_resource(
            RELEASE_SCHEMA_URL, Resource.from_contents(release, default_specification=DRAFT4)
        )
        checker = FormatChecker()
        self._validators = {
            OcdsKind.RELEASE: Draft4Validator(release, registry=registry, format_checker=checker),
            OcdsKind.RELEASE_PACKAGE: Draft4Validator(
                dict(schemas.release_package), registry=registry, format_checker=checker
            ),
            OcdsKind.RECORD_PACKAGE: Draft4Validator(
                dict(schemas.record_package), registry=registry, format_checker=checker
            ),
        }

    def validate(self, document: Any, kind: OcdsKind | None = None) -> list[OcdsIssue]:
        """Every violation in ``document`` (empty when valid), by path; ``kind`` guessed if None."""
        if not isinstance(document, Mapping):
            return [
                OcdsIssue(
                    "",
                    "an OCDS document is a JSON object",
                    "OCDS 文档必须是 JSON 对象",
                    "type",
                )
            ]
        chosen = kind if kind is not None else detect_kind(document)
        issues = [_issue(e) for e in self._validators[chosen].iter_errors(document)]
        return sorted(issues, key=lambda i: (i.path, i.keyword, i.message))


def detect_kind(document: Mapping[str, Any]) -> OcdsKind:
    """A package has ``releases`` or ``records``; anything else is treated as a single release."""
    if "records" in document:
        return OcdsKind.RECORD_PACKAGE
    if "releases" in document:
        return OcdsKind.RELEASE_PACKAGE
    return OcdsKind.RELEASE


def _issue(error: ValidationError) -> OcdsIssue:
    path = "/" + "/".join(str(p) for p in error.absolute_path)
    keyword = str(error.validator)
    zh = _ZH.get(keyword, "不符合 OCDS 模式")
    return OcdsIssue(path, error.message, f"{path}: {zh}", keyword)
