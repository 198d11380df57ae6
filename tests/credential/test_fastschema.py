"""The compiled DCC schema check answers exactly as jsonschema (draft 2020-12, no format)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from dyrd.credential.compute.dcc import SCHEMA_VERSIONS, normalise
from dyrd.credential.compute.fastschema import UnsupportedSchema, compile_schema
from tests.credential.test_hcert import dcc

SUITE = Path(__file__).resolve().parents[1] / "external" / "hcert"
SCHEMAS = {
    v: json.loads(next((SUITE / "schema" / v).glob("*combined-schema.json")).read_text("utf-8"))
    for v in SCHEMA_VERSIONS
}
COMPILED = {v: compile_schema(s) for v, s in SCHEMAS.items()}
REFERENCE = {v: Draft202012Validator(s) for v, s in SCHEMAS.items()}


def _documents() -> list[Any]:
    docs: list[Any] = []
    for path in sorted((SUITE / "schema" / "conformance").rglob("*.json")):
        docs.append(json.loads(path.read_text("utf-8")))
    for line in (SUITE / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]:
        vector = json.loads((SUITE / line.split("\t")[0]).read_text("utf-8"))
        if isinstance(vector.get("JSON"), dict):
            docs.append(vector["JSON"])
    return docs


DOCUMENTS = _documents()


def test_documents_include_valid_and_invalid() -> None:
    """The corpus exercises both answers for the 1.3.0 schema."""
    answers = {REFERENCE["1.3.0"].is_valid(d) for d in DOCUMENTS}
    assert answers == {True, False}
    assert len(DOCUMENTS) > 40


@pytest.mark.parametrize("version", SCHEMA_VERSIONS)
def test_same_answer_on_conformance_files_and_vectors(version: str) -> None:
    """Every upstream conformance document and vector payload, under every schema version."""
    for document in DOCUMENTS:
        assert COMPILED[version](document) == REFERENCE[version].is_valid(document), document


LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10),
    st.floats(allow_nan=False, allow_infinity=False, width=16),
    st.text(max_size=3),
    st.sampled_from(["1980-01-01", "1980", "", "CN", "840539006", "X" * 81, "ZHANG<SAN"]),
)
VALUES = st.recursive(
    LEAF,
    lambda inner: (
        st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner, max_size=2)
    ),
    max_leaves=5,
)
PATHS = st.sampled_from(
    [
        ("ver",),
        ("dob",),
        ("nam",),
        ("nam", "fnt"),
        ("nam", "gn"),
        ("t",),
        ("t", 0),
        ("t", 0, "co"),
        ("t", 0, "sc"),
        ("t", 0, "tg"),
        ("t", 0, "ci"),
        ("v",),
        ("r",),
    ]
)


@settings(max_examples=400, deadline=None)
@given(path=PATHS, value=VALUES, version=st.sampled_from(SCHEMA_VERSIONS), delete=st.booleans())
def test_same_answer_on_mutated_payloads(
    path: tuple[Any, ...], value: Any, version: str, delete: bool
) -> None:
    """A valid payload with one field replaced or removed: both validators agree."""
    document = normalise(dcc(ver=version))
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    if delete and isinstance(target, dict):
        target.pop(path[-1], None)
    elif isinstance(target, dict) or (isinstance(target, list) and path[-1] < len(target)):
        target[path[-1]] = copy.deepcopy(value)
    assert COMPILED[version](document) == REFERENCE[version].is_valid(document)


def test_unsupported_keywords_are_refused() -> None:
    """A keyword the compiler does not know is an error, never silently ignored."""
    with pytest.raises(UnsupportedSchema, match="additionalProperties"):
        compile_schema({"type": "object", "additionalProperties": False})
    with pytest.raises(UnsupportedSchema, match="reference"):
        compile_schema({"$ref": "https://example.org/schema"})
