"""OCDS 1.1.5 + bids extension validation: the sample validates, broken data names its path."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dyrd.market.bundled import ocds_schemas, ocds_validator
from dyrd.market.compute.ocds_validate import OcdsKind, extended_release_schema, merge_patch

SAMPLE = Path(__file__).resolve().parents[1] / "external" / "ocds" / "sample-fictional-1.1"
PACKAGES = sorted(SAMPLE.glob("*.json"))


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_sample_has_seven_release_packages() -> None:
    assert len(PACKAGES) == 7


@pytest.mark.parametrize("path", PACKAGES, ids=lambda p: p.name)
def test_every_sample_release_package_validates(path: Path) -> None:
    assert ocds_validator().validate(_load(path)) == []


def test_the_sample_record_package_validates() -> None:
    document = _load(SAMPLE / "record" / "ocds-213czf-000-00001.json")
    assert ocds_validator().validate(document, OcdsKind.RECORD_PACKAGE) == []


def test_single_releases_validate_on_their_own() -> None:
    for release in _load(SAMPLE / "ocds-213czf-000-00001.json")["releases"]:
        assert ocds_validator().validate(release, OcdsKind.RELEASE) == []


def test_a_missing_required_field_names_its_path() -> None:
    package = _load(SAMPLE / "ocds-213czf-000-00001-02-tender.json")
    del package["releases"][0]["ocid"]
    issues = ocds_validator().validate(package)
    assert [(i.path, i.keyword) for i in issues] == [("/releases/0", "required")]
    assert "'ocid' is a required property" in issues[0].message
    assert "缺少必填字段" in issues[0].message_zh


def test_a_wrong_type_and_a_bad_code_are_both_reported() -> None:
    package = _load(SAMPLE / "ocds-213czf-000-00001-02-tender.json")
    tender = package["releases"][0]["tender"]
    tender["value"]["amount"] = "a lot"
    tender["procurementMethod"] = "auction-by-phone"
    paths = {(i.path, i.keyword) for i in ocds_validator().validate(package)}
    assert ("/releases/0/tender/value/amount", "type") in paths
    assert ("/releases/0/tender/procurementMethod", "enum") in paths


def test_the_bids_extension_is_applied() -> None:
    release = copy.deepcopy(_load(SAMPLE / "ocds-213czf-000-00001-04-award.json")["releases"][0])
    release["bids"] = {
        "details": [
            {"id": "b1", "status": "valid", "value": {"amount": 10.0, "currency": "CNY"}},
        ]
    }
    assert ocds_validator().validate(release, OcdsKind.RELEASE) == []
    release["bids"]["details"][0]["status"] = "opened-early"
    issues = ocds_validator().validate(release, OcdsKind.RELEASE)
    assert [(i.path, i.keyword) for i in issues] == [("/bids/details/0/status", "enum")]


def test_core_schema_alone_has_no_bids() -> None:
    schemas = ocds_schemas()
    assert "bids" not in schemas.release["properties"]
    assert "bids" in extended_release_schema(schemas)["properties"]


def test_a_non_object_is_refused() -> None:
    issues = ocds_validator().validate([1, 2])
    assert len(issues) == 1
    assert issues[0].path == ""


def test_merge_patch_follows_rfc_7386_examples() -> None:
    # RFC 7386 Appendix A, a selection of the test cases.
    assert merge_patch({"a": "b"}, {"a": "c"}) == {"a": "c"}
    assert merge_patch({"a": "b"}, {"a": None}) == {}
    assert merge_patch({"a": [{"b": "c"}]}, {"a": [1]}) == {"a": [1]}
    assert merge_patch({"e": None}, {"a": 1}) == {"e": None, "a": 1}
    assert merge_patch([1, 2], {"a": "b", "c": None}) == {"a": "b"}
    assert merge_patch({}, {"a": {"bb": {"ccc": None}}}) == {"a": {"bb": {}}}
