"""EU DCC payload checks: JSON schema of the payload's own version, one entry, value sets.

Rules as the hcert test data README states them (and the upstream vectors expect):
- the schema is the combined schema of the payload's ``ver``, read as draft 2020-12 with **no**
  ``format`` assertion (that would reject valid upstream vectors);
- exactly one of ``v``/``t``/``r``, with exactly one entry (hcert_spec v1.0.8 §3.3.2);
- the country (``co``), vaccine marketing-authorisation holder (``v.ma``) and rapid-test device
  (``t.ma``) are in their value sets; a check of every coded field rejects codes that were valid in
  2021 and so is not made.
- CBOR values with no JSON form are normalised first: date-times become RFC 3339 strings (SE/2
  tags ``sc`` with tag 0), tuples become lists, frozendicts dicts.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from dyrd.credential.compute.cose import CoseError, hcert_payload
from dyrd.credential.compute.fastschema import Check, UnsupportedSchema, compile_schema
from dyrd.credential.compute.payload import PAYLOAD_OK, PayloadCheck

DCC_TYPES = ("v", "t", "r")
"""Vaccination, test, recovery."""

DCC_TYPE_NAMES = {"v": "vaccination", "t": "test", "r": "recovery"}
DCC_TYPE_NAMES_ZH = {"v": "疫苗接种", "t": "检测", "r": "康复"}

EKU_OIDS: Mapping[str, tuple[str, ...]] = {
    "t": ("1.3.6.1.4.1.1847.2021.1.1", "1.3.6.1.4.1.0.1847.2021.1.1"),
    "v": ("1.3.6.1.4.1.1847.2021.1.2", "1.3.6.1.4.1.0.1847.2021.1.2"),
    "r": ("1.3.6.1.4.1.1847.2021.1.3", "1.3.6.1.4.1.0.1847.2021.1.3"),
}
"""hcert_spec v1.0.8 §5.1.1 ExtendedKeyUsage OIDs, with the early wrong-arc form that was in use."""

DCC_EKU_OIDS = frozenset(oid for oids in EKU_OIDS.values() for oid in oids)

MAX_NORMALISE_DEPTH = 64

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")

VALUE_SET_FILES: Mapping[str, tuple[str, ...]] = {
    "country": ("country-2-codes.json",),
    "vaccine-mah-manf": ("vaccine-mah-manf.json",),
    # The device list of 2021-05-27 (schema 1.3.0) and of 2021-07-01 (valuesets repo): either.
    "test-manf": ("test-manf.json", "test-manf-example.json"),
}
"""Value sets the check reads, by name, from the files shipped in ``dyrd/credential/data``."""


def _rfc3339(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def normalise(value: Any, _depth: int = 0) -> Any:
    """``value`` in JSON's data model: date-times as RFC 3339, sequences as lists, maps as dicts.

    Raises ValueError past ``MAX_NORMALISE_DEPTH`` levels.
    """
    if _depth > MAX_NORMALISE_DEPTH:
        raise ValueError("the payload nests too deeply")
    if isinstance(value, datetime):
        return _rfc3339(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str | bytes | int | float) or value is None:
        return value
    if isinstance(value, Mapping):
        return {k: normalise(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [normalise(v, _depth + 1) for v in value]
    return value


def _version_key(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(version)
    major, minor, patch = match.groups()
    return int(major), int(minor), int(patch)


class DccChecker:
    """Checks EU DCC payloads against the schemas and value sets it is given.

    ``schemas`` maps a version (``"1.3.0"``) to its combined schema; validators are compiled
    once. ``value_sets`` maps a name of ``VALUE_SET_FILES`` to the allowed codes.
    """

    def __init__(
        self, schemas: Mapping[str, Mapping[str, Any]], value_sets: Mapping[str, frozenset[str]]
    ) -> None:
        self._validators = {
            _version_key(ver): Draft202012Validator(dict(schema)) for ver, schema in schemas.items()
        }
        self._fast: dict[tuple[int, int, int], Check] = {}
        for ver, schema in schemas.items():
            try:
                self._fast[_version_key(ver)] = compile_schema(schema)
            except UnsupportedSchema:
                continue  # that version is checked by jsonschema alone
        self._value_sets = dict(value_sets)

    def __repr__(self) -> str:
        versions = ", ".join(".".join(map(str, v)) for v in sorted(self._validators))
        return f"DccChecker(versions=[{versions}])"

    def payload(self, claims: Mapping[Any, Any]) -> Any:
        """The DCC at ``-260 / 1``; a DCC that is not a map is a wrong CBOR structure (CBO1)."""
        payload = hcert_payload(claims)
        if not isinstance(payload, Mapping):
            raise CoseError(f"the DCC at -260/1 is a {type(payload).__name__}, not a map")
        return payload

    def _schema_version(self, version: str) -> tuple[int, int, int] | None:
        key = _version_key(version)
        if key in self._validators:
            return key
        # A patch release we do not ship: the newest schema of the same major.minor before it.
        older = [v for v in self._validators if v[:2] == key[:2] and v < key]
        return max(older) if older else None

    def check(self, payload: Any) -> PayloadCheck:
        """Schema of the payload's ``ver``, exactly one entry, value sets."""
        try:
            document = normalise(payload)
        except ValueError as exc:
            return PayloadCheck(False, f"The DCC cannot be read: {exc}.", "无法读取证书内容。")
        if not isinstance(document, dict):
            return PayloadCheck(False, "The DCC is not a map.", "证书内容不是映射（map）。")
        version = document.get("ver")
        if not isinstance(version, str) or not _VERSION.match(version):
            return PayloadCheck(
                False,
                f"The DCC has no schema version 'ver' of the form 1.3.0 (got {version!r}).",
                "证书缺少形如 1.3.0 的版本号 ver。",
            )
        schema = self._schema_check(version, document)
        if not schema.ok:
            return schema
        return self._entry_check(document)

    def _schema_check(self, version: str, document: dict[str, Any]) -> PayloadCheck:
        key = self._schema_version(version)
        if key is None:
            return PayloadCheck(
                False,
                f"The DCC's schema version {version} is not one this verifier knows.",
                f"不支持的证书结构版本 {version}。",
            )
        fast = self._fast.get(key)
        if fast is not None and fast(document):
            return PAYLOAD_OK
        validator = self._validators[key]  # the reference implementation, and its message
        if not validator.is_valid(document):
            error = best_match(validator.iter_errors(document))
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            return PayloadCheck(
                False,
                f"The DCC does not match schema {version} at {where}: {error.message[:200]}",
                f"证书内容不符合 {version} 版结构定义（位置 {where}）。",
            )
        return PAYLOAD_OK

    def _entry_check(self, document: dict[str, Any]) -> PayloadCheck:
        entries = [k for k in DCC_TYPES if k in document]
        if len(entries) != 1:
            return PayloadCheck(
                False,
                f"A DCC holds exactly one of v, t, r; this one holds {entries or 'none'}.",
                "证书必须且只能包含 v、t、r 之一。",
            )
        items = document[entries[0]]
        if not isinstance(items, list) or len(items) != 1:
            return PayloadCheck(
                False,
                f"A DCC holds exactly one {DCC_TYPE_NAMES[entries[0]]} entry.",
                f"证书只能包含一条{DCC_TYPE_NAMES_ZH[entries[0]]}记录。",
            )
        return self._value_set_check(entries[0], items[0])

    def _value_set_check(self, kind: str, entry: Any) -> PayloadCheck:
        if not isinstance(entry, dict):
            return PAYLOAD_OK
        fields = [("co", "country")]
        if kind == "v":
            fields.append(("ma", "vaccine-mah-manf"))
        elif kind == "t":
            fields.append(("ma", "test-manf"))
        for name, value_set in fields:
            value = entry.get(name)
            allowed = self._value_sets.get(value_set)
            if isinstance(value, str) and allowed is not None and value not in allowed:
                return PayloadCheck(
                    False,
                    f"{kind}[0].{name} {value!r} is not in the value set {value_set}.",
                    f"{kind}[0].{name} 的值 {value!r} 不在值集 {value_set} 中。",
                )
        return PAYLOAD_OK

    def key_usage(self, payload: Any, usages: frozenset[str]) -> bool | None:
        """A DSC with DCC EKU OIDs signs only those types; one with none signs every type."""
        if not isinstance(payload, Mapping):
            return None
        kinds = [k for k in DCC_TYPES if k in payload]
        if not kinds:
            return None
        listed = usages & DCC_EKU_OIDS
        if not listed:
            return True
        return all(any(oid in listed for oid in EKU_OIDS[k]) for k in kinds)


def _data_text(name: str) -> str:
    return resources.files("dyrd.credential").joinpath("data", name).read_text("utf-8")


SCHEMA_VERSIONS = ("1.0.0", "1.0.1", "1.1.0", "1.2.0", "1.2.1", "1.3.0", "1.3.1", "1.3.2", "1.3.3")
"""Every DCC schema release (ehn-dcc-development/eu-dcc-schema tags), shipped in the package."""


@functools.cache
def bundled_checker() -> DccChecker:
    """A DccChecker on the schemas and value sets shipped in the package (read once)."""
    schemas = {
        v: json.loads(_data_text(f"schema/{v}.combined-schema.json")) for v in SCHEMA_VERSIONS
    }
    value_sets: dict[str, frozenset[str]] = {}
    for name, files in VALUE_SET_FILES.items():
        codes: set[str] = set()
        for file in files:
            codes.update(json.loads(_data_text(f"valuesets/{file}"))["valueSetValues"])
        value_sets[name] = frozenset(codes)
    return DccChecker(schemas, value_sets)
