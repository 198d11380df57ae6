"""DCAT-AP 3.0.1 export of the catalog as an RDF graph (Turtle or JSON-LD).

Tables become ``dcat:Dataset`` (with CSV and JSON distributions once data is uploaded); services
become ``dcat:DataService``. Controlled values use the EU Publications Office vocabularies (data
themes, frequencies, access rights, licences, file types, languages). SHACL runs without inference,
so every object node also states its own ``rdf:type`` (README of the DCAT-AP test suite, "Traps").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from dyrd.exchange.compute.catalog import org_name
from dyrd.exchange.types import (
    EU_AUTHORITY,
    LICENCES,
    CatalogEntry,
    Frequency,
    ResourceKind,
    Theme,
)

DCAT = Namespace("http://www.w3.org/ns/dcat#")
"""DCAT 3 (rdflib's closed DCAT namespace predates dcat:version and warns on it)."""
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
DYRD = Namespace("urn:dyrd:vocab#")
"""Our own terms for what DCAT-AP has no property for (sharing class, refusal reason)."""

OPENAPI_3 = URIRef("https://spec.openapis.org/oas/v3.1.0")

CONTEXT: dict[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "adms": str(ADMS),
    "xsd": str(XSD),
    "rdfs": str(RDFS),
    "dyrd": str(DYRD),
}
"""JSON-LD context of the export: the prefixes used in the Turtle form."""


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    """What the catalog says about itself."""

    title_zh: str
    title_en: str
    description_zh: str
    description_en: str
    publisher_id: str
    publisher_zh: str
    publisher_en: str
    modified: datetime


def _texts(g: Graph, node: URIRef | BNode, prop: URIRef, zh: str | None, en: str | None) -> None:
    if zh:
        g.add((node, prop, Literal(zh, lang="zh")))
    if en:
        g.add((node, prop, Literal(en, lang="en")))


def _stamp(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def _typed(g: Graph, iri: str, cls: URIRef) -> URIRef:
    node = URIRef(iri)
    g.add((node, RDF.type, cls))
    return node


class _Builder:
    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.g = Graph()
        for prefix, ns in CONTEXT.items():
            self.g.bind(prefix, Namespace(ns))
        self.scheme = _typed(self.g, f"{EU_AUTHORITY}/data-theme", SKOS.ConceptScheme)
        self.g.add((self.scheme, DCTERMS.title, Literal("Data theme", lang="en")))
        self.g.add((self.scheme, DCTERMS.title, Literal("数据主题", lang="zh")))

    def agent(self, member_id: str, zh: str | None, en: str | None) -> URIRef:
        node = _typed(
            self.g, f"{self.base}api/v1/catalog/organizations/{org_name(member_id)}", FOAF.Agent
        )
        _texts(self.g, node, FOAF.name, zh or member_id, en)
        self.g.add((node, DCTERMS.identifier, Literal(member_id)))
        return node

    def theme(self, theme: Theme) -> URIRef:
        node = _typed(self.g, theme.uri, SKOS.Concept)
        _texts(self.g, node, SKOS.prefLabel, theme.label_zh, theme.label_en)
        self.g.add((node, SKOS.inScheme, self.scheme))
        return node

    def licence(self, code: str | None) -> URIRef | None:
        lic = LICENCES.get(code or "")
        if lic is None:
            return None
        node = _typed(self.g, lic.uri, DCTERMS.LicenseDocument)
        _texts(self.g, node, RDFS.label, lic.title_zh, lic.title_en)
        return node

    def contact(self, name: str | None, email: str | None) -> BNode | None:
        if not name and not email:
            return None
        node = BNode()
        self.g.add((node, RDF.type, VCARD.Kind))
        self.g.add((node, RDF.type, VCARD.Organization))
        if name:
            self.g.add((node, VCARD.fn, Literal(name)))
        if email:
            self.g.add((node, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        return node

    def common(self, node: URIRef, e: CatalogEntry) -> None:
        g, m = self.g, e.metadata
        _texts(g, node, DCTERMS.title, m["title_zh"], m.get("title_en"))
        _texts(g, node, DCTERMS.description, m["description_zh"], m.get("description_en"))
        g.add((node, DCTERMS.identifier, Literal(e.id)))
        g.add((node, DCTERMS.issued, _stamp(e.issued_at)))
        g.add((node, DCTERMS.modified, _stamp(e.modified_at)))
        for keyword in e.keywords:
            g.add((node, DCAT.keyword, Literal(keyword)))
        for theme in e.themes:
            g.add((node, DCAT.theme, self.theme(theme)))
        owner = self.agent(e.owner_member, m.get("owner_name_zh"), m.get("owner_name_en"))
        g.add((node, DCTERMS.publisher, owner))
        rights = _typed(g, e.sharing_class.access_right, DCTERMS.RightsStatement)
        g.add((node, DCTERMS.accessRights, rights))
        g.add((node, DYRD.sharingClass, Literal(e.sharing_class.value)))
        _texts(g, node, DYRD.sharingClassLabel, e.sharing_class.label_zh, e.sharing_class.value)
        if m.get("not_shared_reason"):
            g.add((node, DYRD.notSharedReason, Literal(m["not_shared_reason"], lang="zh")))
        g.add((node, DYRD.isSample, Literal(e.is_sample)))
        contact = self.contact(m.get("contact_name"), m.get("contact_email"))
        if contact is not None:
            g.add((node, DCAT.contactPoint, contact))

    def dataset(self, e: CatalogEntry) -> URIRef:
        g, m = self.g, e.metadata
        node = _typed(g, f"{self.base}api/v1/catalog/resources/{e.id}", DCAT.Dataset)
        self.common(node, e)
        g.add((node, DCAT.version, Literal(str(e.version))))
        if e.version_summary:
            g.add((node, ADMS.versionNotes, Literal(e.version_summary)))
        if m.get("frequency"):
            freq = Frequency(m["frequency"])
            g.add((node, DCTERMS.accrualPeriodicity, _typed(g, freq.uri, DCTERMS.Frequency)))
        for code in m.get("spatial") or []:
            place = _typed(g, f"urn:dyrd:division:{code}", DCTERMS.Location)
            g.add((place, DCTERMS.identifier, Literal(code)))
            g.add((node, DCTERMS.spatial, place))
        start, end = e.temporal()
        if start or end:
            period = BNode()
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if start:
                g.add((period, DCAT.startDate, Literal(start.isoformat(), datatype=XSD.date)))
            if end:
                g.add((period, DCAT.endDate, Literal(end.isoformat(), datatype=XSD.date)))
            g.add((node, DCTERMS.temporal, period))
        if e.data is not None:
            self.distributions(node, e)
        return node

    def distributions(self, dataset: URIRef, e: CatalogEntry) -> None:
        g = self.g
        assert e.data is not None  # noqa: S101  # only called for entries with data
        data_url = f"{self.base}api/v1/catalog/resources/{e.id}/data"
        licence = self.licence(e.metadata.get("licence"))
        for fmt, mime, url in (
            ("CSV", "text/csv", f"{data_url}.csv"),
            ("JSON", "application/json", data_url),
        ):
            dist = _typed(g, f"{dataset}#distribution-{fmt.lower()}", DCAT.Distribution)
            g.add((dist, DCTERMS.title, Literal(f"{e.metadata['title_zh']} ({fmt})", lang="zh")))
            g.add((dist, DCAT.accessURL, URIRef(url)))
            g.add((dist, DCAT.downloadURL, URIRef(url)))
            file_type = f"{EU_AUTHORITY}/file-type/{fmt}"
            g.add((dist, DCTERMS.format, _typed(g, file_type, DCTERMS.MediaTypeOrExtent)))
            media = f"https://www.iana.org/assignments/media-types/{mime}"
            g.add((dist, DCAT.mediaType, _typed(g, media, DCTERMS.MediaType)))
            g.add((dist, DCTERMS.modified, _stamp(e.data.uploaded_at)))
            if licence is not None:
                g.add((dist, DCTERMS.license, licence))
            g.add((dataset, DCAT.distribution, dist))

    def service(self, e: CatalogEntry) -> URIRef:
        g, m = self.g, e.metadata
        node = _typed(g, f"{self.base}api/v1/catalog/resources/{e.id}", DCAT.DataService)
        self.common(node, e)
        g.add((node, DCAT.endpointURL, _typed(g, m["service_base_url"], RDFS.Resource)))
        if m.get("service_openapi_url"):
            spec = _typed(g, m["service_openapi_url"], RDFS.Resource)
            g.add((node, DCAT.endpointDescription, spec))
            g.add((node, DCTERMS.conformsTo, _typed(g, str(OPENAPI_3), DCTERMS.Standard)))
        licence = self.licence(m.get("licence"))
        if licence is not None:
            g.add((node, DCTERMS.license, licence))
        return node


def catalog_graph(entries: Iterable[CatalogEntry], info: CatalogInfo, *, base_url: str) -> Graph:
    """The whole catalog as a DCAT-AP 3 graph; ``base_url`` ends with '/'."""
    b = _Builder(base_url)
    g = b.g
    cat = _typed(g, f"{base_url}api/v1/catalog", DCAT.Catalog)
    _texts(g, cat, DCTERMS.title, info.title_zh, info.title_en)
    _texts(g, cat, DCTERMS.description, info.description_zh, info.description_en)
    g.add(
        (cat, DCTERMS.publisher, b.agent(info.publisher_id, info.publisher_zh, info.publisher_en))
    )
    g.add((cat, DCTERMS.modified, _stamp(info.modified)))
    g.add((cat, FOAF.homepage, _typed(g, base_url, FOAF.Document)))
    g.add((cat, DCAT.themeTaxonomy, b.scheme))
    for lang in ("ZHO", "ENG"):
        language = _typed(g, f"{EU_AUTHORITY}/language/{lang}", DCTERMS.LinguisticSystem)
        g.add((cat, DCTERMS.language, language))
    for e in entries:
        if e.kind is ResourceKind.SERVICE:
            g.add((cat, DCAT.service, b.service(e)))
        else:
            g.add((cat, DCAT.dataset, b.dataset(e)))
    return g


def serialise(graph: Graph, fmt: str) -> str:
    """Turtle (``ttl``) or compacted JSON-LD (``jsonld``)."""
    if fmt == "jsonld":
        context: dict[str, Any] = dict(CONTEXT)
        return graph.serialize(format="json-ld", context=context, indent=2)
    return graph.serialize(format="turtle")
