"""CKAN package_search parameter parsing and CKAN dict shapes (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dyrd.exchange.compute.ckan import (
    CkanQueryError,
    ckan_time,
    organization_dict,
    package_dict,
    parse_package_search,
)
from dyrd.exchange.compute.search import SortField
from dyrd.exchange.types import CatalogEntry, DataInfo, ResourceKind

T = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def test_defaults_match_ckan() -> None:
    q = parse_package_search({})
    assert (q.text, q.offset, q.limit, q.facet_limit) == ("", 0, 10, 50)
    assert q.sort.field is SortField.RELEVANCE
    assert q.sort_text == "score desc, metadata_modified desc"


def test_fq_clauses_become_filters() -> None:
    q = parse_package_search(
        {
            "q": "企业 信用 tags:credit",
            "fq": "organization:cn-yrd-gov-330000-scjgj +res_format:csv groups:(econ OR gove) "
            '-sharing_class:not_shared tags:"企业 信用" '
            "metadata_modified:[2026-01-01T00:00:00Z TO *]",
            "fq_list": ["owner_org:CN-YRD/GOV/310000/WSJKW"],
        }
    )
    assert q.text == "企业 信用"
    assert q.filters == {
        "keyword": {"credit", "企业 信用"},
        "organization": {"cn-yrd-gov-330000-scjgj", "cn-yrd-gov-310000-wsjkw"},
        "format": {"CSV"},
        "theme": {"ECON", "GOVE"},
    }
    assert q.exclude == {"sharing_class": {"not_shared"}}
    assert q.modified_from == datetime(2026, 1, 1, tzinfo=UTC)
    assert q.modified_to is None


def test_match_all_query_and_sort_mapping() -> None:
    q = parse_package_search({"q": "*:*", "sort": "metadata_modified asc", "rows": "5"})
    assert q.text == ""
    assert (q.sort.field, q.sort.descending, q.limit) == (SortField.MODIFIED, False, 5)
    assert parse_package_search({"sort": "title_string asc"}).sort.field is SortField.TITLE


def test_facet_field_is_a_json_list() -> None:
    q = parse_package_search({"facet.field": '["organization","tags","organization"]'})
    assert q.facet_fields == ("organization", "tags")
    assert parse_package_search({"facet.field": ["groups"]}).facet_fields == ("groups",)


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"rows": "1001"}, "rows"),
        ({"rows": "many"}, "rows"),
        ({"start": "-1"}, "start"),
        ({"fq": "colour:red"}, "fq"),
        ({"fq": "just text"}, "fq"),
        ({"fq": "metadata_modified:2024"}, "fq"),
        ({"fq": "tags:[a TO b]"}, "fq"),
        ({"fq": "metadata_modified:[yesterday TO *]"}, "fq"),
        ({"facet.field": "organization"}, "facet.field"),
        ({"facet.field": '["colour"]'}, "facet.field"),
        ({"sort": "colour desc"}, "sort"),
        ({"sort": "title sideways"}, "sort"),
    ],
)
def test_bad_parameters_name_the_parameter(params: dict[str, str], param: str) -> None:
    with pytest.raises(CkanQueryError) as info:
        parse_package_search(params)
    assert info.value.param == param
    assert info.value.message_zh


def _entry(kind: ResourceKind, data: DataInfo | None = None) -> CatalogEntry:
    meta = {
        "title_zh": "企业信用信息",
        "title_en": "Enterprise credit",
        "description_zh": "说明",
        "description_en": "About",
        "owner_name_zh": "浙江省市场监督管理局",
        "owner_name_en": "Zhejiang AMR",
        "sharing_class": "conditional",
        "themes": ["ECON"],
        "keywords": ["信用", "credit"],
        "frequency": "DAILY",
        "licence": "CC_BY_4_0",
        "contact_name": "信用处",
        "contact_email": "a@example.invalid",
        "service_base_url": "https://api.example.invalid/v1",
    }
    return CatalogEntry(
        "id-1", "credit", kind, "CN-YRD/GOV/330000/SCJGJ", "330000", True, 3, T, T, meta, data
    )


def test_package_dict_uses_ckan_field_names() -> None:
    data = DataInfo(2, "csv", 10, "ab" * 32, 100, T)
    pkg = package_dict(_entry(ResourceKind.TABLE, data), base_url="http://h/")
    for key in (
        "id",
        "name",
        "title",
        "notes",
        "organization",
        "owner_org",
        "tags",
        "groups",
        "resources",
        "extras",
        "metadata_modified",
        "metadata_created",
        "license_id",
        "num_resources",
        "num_tags",
        "state",
        "type",
        "private",
    ):
        assert key in pkg
    assert pkg["title"] == "企业信用信息"
    assert pkg["notes"] == "说明"
    assert pkg["organization"]["name"] == "cn-yrd-gov-330000-scjgj"
    assert [t["name"] for t in pkg["tags"]] == ["信用", "credit"]
    assert pkg["groups"][0]["name"] == "econ"
    assert [r["format"] for r in pkg["resources"]] == ["CSV", "JSON"]
    assert pkg["resources"][0]["url"] == "http://h/api/v1/catalog/resources/id-1/data.csv"
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    assert extras["sharing_class"] == "conditional"
    assert extras["is_sample"] == "true"
    assert pkg["metadata_modified"] == "2026-11-26T08:00:00.000000"
    svc = package_dict(_entry(ResourceKind.SERVICE), base_url="http://h/")
    assert [(r["format"], r["url"]) for r in svc["resources"]] == [
        ("API", "https://api.example.invalid/v1")
    ]


def test_organization_and_time_shapes() -> None:
    org = organization_dict("CN-YRD/GOV/330000/SCJGJ", "浙江省市场监督管理局", None, 2)
    assert org["is_organization"] is True
    assert org["package_count"] == 2
    assert org["name"] == "cn-yrd-gov-330000-scjgj"
    assert ckan_time(datetime(2026, 1, 1, 8, tzinfo=UTC)) == "2026-01-01T08:00:00.000000"
