"""Record compilation agrees with the published compiledRelease and with ocdsmerge."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from dyrd.market.bundled import ocds_validator, release_schema
from dyrd.market.compute.merge import compile_record, compile_release
from dyrd.market.compute.ocds_validate import OcdsKind
from dyrd.market.types import OcdsInputError

SAMPLE = Path(__file__).resolve().parents[1] / "external" / "ocds" / "sample-fictional-1.1"


def _releases() -> list[dict[str, Any]]:
    data: dict[str, Any] = json.loads((SAMPLE / "ocds-213czf-000-00001.json").read_text("utf-8"))
    releases: list[dict[str, Any]] = data["releases"]
    return releases


def test_compiled_release_equals_the_published_record() -> None:
    record = json.loads((SAMPLE / "record" / "ocds-213czf-000-00001.json").read_text("utf-8"))
    assert compile_release(_releases(), release_schema()) == record["records"][0]["compiledRelease"]


def test_compiled_release_equals_ocdsmerge() -> None:
    ocdsmerge = pytest.importorskip("ocdsmerge")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        merger = ocdsmerge.Merger(schema=release_schema())
        expected = merger.create_compiled_release(_releases())
    ours = compile_release(_releases(), release_schema())
    assert ours == expected
    print(f"ocdsmerge agreement: {len(json.dumps(ours))} characters, identical")


def test_release_order_does_not_matter() -> None:
    schema = release_schema()
    forward = compile_release(_releases(), schema)
    assert compile_release(list(reversed(_releases())), schema) == forward


def test_the_compiled_record_validates() -> None:
    record = compile_record(_releases(), release_schema())
    package = {
        "uri": "https://example.org/records/ocds-213czf-000-00001.json",
        "publishedDate": "2026-01-01T00:00:00Z",
        "publisher": {"name": "Digital YRD test"},
        "version": "1.1",
        "records": [record],
    }
    assert ocds_validator().validate(package, OcdsKind.RECORD_PACKAGE) == []


def test_mixed_ocids_are_refused() -> None:
    releases = _releases()
    releases[1] = {**releases[1], "ocid": "ocds-other-1"}
    with pytest.raises(OcdsInputError, match="several"):
        compile_release(releases, release_schema())


def test_null_removes_and_ids_merge() -> None:
    base = {"ocid": "o", "id": "1", "date": "2020-01-01T00:00:00Z", "tag": ["tender"]}
    first = {**base, "tender": {"title": "A", "items": [{"id": "i1", "quantity": 1}]}}
    second = {
        **base,
        "id": "2",
        "date": "2020-02-01T00:00:00Z",
        "tender": {
            "title": None,
            "items": [{"id": "i2", "quantity": 2}, {"id": "i1", "quantity": 3}],
        },
    }
    compiled = compile_release([first, second], release_schema())
    assert "title" not in compiled["tender"]
    assert compiled["tender"]["items"] == [{"id": "i1", "quantity": 3}, {"id": "i2", "quantity": 2}]
    assert compiled["id"] == "o-2020-02-01T00:00:00Z"
    assert compiled["tag"] == ["compiled"]


_UPDATES = [
    [{"title": "A"}, {"title": None}],
    [{"title": "A", "status": "active"}, {"description": "d"}, {"status": "complete"}],
    [{"status": None}, {"title": "B"}],
    [{"title": "A"}, {}, {"title": "C", "description": None}],
]


@pytest.mark.parametrize("tenders", _UPDATES)
def test_agrees_with_ocdsmerge_on_tender_updates(tenders: list[dict[str, Any]]) -> None:
    ocdsmerge = pytest.importorskip("ocdsmerge")
    releases = [
        {
            "ocid": "o",
            "id": str(i),
            "date": f"2020-01-{i + 1:02d}T00:00:00Z",
            "tag": ["tender"],
            "tender": t,
        }
        for i, t in enumerate(tenders)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = ocdsmerge.Merger(schema=release_schema()).create_compiled_release(releases)
    assert compile_release(releases, release_schema()) == expected
