"""DCAT-AP 3 graph of the catalog, checked with the DCAT-AP 3.0.1 SHACL shapes (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF

from dyrd.exchange.compute.dcat import CatalogInfo, catalog_graph, serialise
from dyrd.exchange.types import CatalogEntry, DataInfo, ResourceKind
from tests.exchange.conftest import DCAT_AP

SH = Namespace("http://www.w3.org/ns/shacl#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
T = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
INFO = CatalogInfo("目录", "Catalog", "说明", "About", "CN-YRD", "平台", "Platform", T)


def violations(data: Graph, shapes: Graph) -> list[tuple[str, str]]:
    """(path, constraint) of every Violation pyshacl reports."""
    _, report, _ = validate(data, shacl_graph=shapes, inference="none")
    return sorted(
        (str(report.value(r, SH.resultPath)), str(report.value(r, SH.sourceConstraintComponent)))
        for r in report.subjects(SH.resultSeverity, SH.Violation)
    )


def test_valid_sample_conforms(dcat_shapes: Graph) -> None:
    data = Graph().parse(DCAT_AP / "samples" / "valid-minimal-catalog.ttl")
    assert violations(data, dcat_shapes) == []


def test_invalid_sample_gives_exactly_the_three_expected_violations(dcat_shapes: Graph) -> None:
    data = Graph().parse(DCAT_AP / "samples" / "invalid-minimal-catalog.ttl")
    assert violations(data, dcat_shapes) == [
        (str(DCTERMS.description), str(SH.MinCountConstraintComponent)),
        (str(DCTERMS.format), str(SH.ClassConstraintComponent)),
        (str(DCAT.accessURL), str(SH.MinCountConstraintComponent)),
    ]


def _meta(**extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title_zh": "企业信用信息",
        "title_en": "Enterprise credit",
        "description_zh": "说明",
        "description_en": "About",
        "department": "信用处",
        "owner_name_zh": "浙江省市场监督管理局",
        "owner_name_en": "Zhejiang AMR",
        "sharing_class": "conditional",
        "not_shared_reason": None,
        "themes": ["ECON", "GOVE"],
        "keywords": ["信用", "credit"],
        "frequency": "DAILY",
        "spatial": ["330000", "330100"],
        "temporal_start": "2020-01-01",
        "temporal_end": "2025-12-31",
        "licence": "CC_BY_4_0",
        "contact_name": "信用处",
        "contact_email": "a@example.invalid",
        "columns": [{"name": "code", "type": "string", "required": True, "unique": True}],
        "service_base_url": None,
        "service_openapi_url": None,
    }
    meta.update(extra)
    return meta


ENTRIES = [
    CatalogEntry(
        "t1",
        "credit",
        ResourceKind.TABLE,
        "CN-YRD/GOV/330000/SCJGJ",
        "330000",
        True,
        3,
        T,
        T,
        _meta(),
        DataInfo(2, "csv", 10, "ab" * 32, 100, T),
        "Uploaded 10 rows.",
    ),
    CatalogEntry(
        "t2",
        "cards",
        ResourceKind.TABLE,
        "CN-YRD/GOV/320000/RST",
        "320000",
        False,
        1,
        T,
        T,
        _meta(
            sharing_class="not_shared",
            not_shared_reason="个人信息",
            licence=None,
            contact_name=None,
            contact_email=None,
            temporal_start=None,
            temporal_end=None,
        ),
    ),
    CatalogEntry(
        "s1",
        "air",
        ResourceKind.SERVICE,
        "CN-YRD/GOV/340000/STHJT",
        "340000",
        True,
        1,
        T,
        T,
        _meta(
            columns=[],
            licence="GOV_SHARING",
            service_base_url="https://api.example.invalid/air/v1",
            service_openapi_url="https://api.example.invalid/air/v1/openapi.json",
        ),
    ),
]


def test_export_of_tables_and_services_conforms(dcat_shapes: Graph) -> None:
    graph = catalog_graph(ENTRIES, INFO, base_url="http://h/")
    assert violations(graph, dcat_shapes) == []
    cat = URIRef("http://h/api/v1/catalog")
    assert len(list(graph.objects(cat, DCAT.dataset))) == 2
    assert len(list(graph.objects(cat, DCAT.service))) == 1
    ds = URIRef("http://h/api/v1/catalog/resources/t1")
    assert len(list(graph.objects(ds, DCAT.distribution))) == 2
    assert (
        URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON"),
        RDF.type,
        URIRef("http://www.w3.org/2004/02/skos/core#Concept"),
    ) in graph
    rights = graph.value(URIRef("http://h/api/v1/catalog/resources/t2"), DCTERMS.accessRights)
    assert str(rights).endswith("/access-right/NON_PUBLIC")


def test_the_validator_would_catch_a_broken_export(dcat_shapes: Graph) -> None:
    graph = catalog_graph(ENTRIES, INFO, base_url="http://h/")
    ds = URIRef("http://h/api/v1/catalog/resources/t1")
    graph.remove((ds, DCTERMS.description, None))
    assert violations(graph, dcat_shapes) == [
        (str(DCTERMS.description), str(SH.MinCountConstraintComponent))
    ]


# rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph and warns about its deprecation.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_serialisations_round_trip(fmt: str) -> None:
    graph = catalog_graph(ENTRIES, INFO, base_url="http://h/")
    text = serialise(graph, fmt)
    parsed = Graph().parse(data=text, format="json-ld" if fmt == "jsonld" else "turtle")
    assert isomorphic(graph, parsed)
