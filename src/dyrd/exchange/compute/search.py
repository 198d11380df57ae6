"""Catalog search: a tokeniser for Chinese and English, BM25F ranking, facets, sorting, paging.

Chinese has no spaces, so Chinese runs are indexed as overlapping character bigrams (a lone
character as a unigram); Latin letters and digits form lower-cased words. Queries are
tokenised the same way, so ``企业 信用`` and ``企业信用`` both match "企业信用信息". A lone
Chinese character in a query matches every indexed bigram that contains it.

Ranking is BM25F (Robertson, Zaragoza & Taylor 2004, "Simple BM25 extension to multiple weighted
fields", CIKM): per-field length-normalised term frequencies are weighted, summed, then saturated
once. The catalog holds thousands of entries, so the index is a plain dict of postings.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<word>(?:(?![{_CJK}])[^\W_])+)")
_CJK_CHAR = re.compile(rf"^[{_CJK}]$")

FIELD_WEIGHTS: Mapping[str, float] = {
    "title": 4.0,
    "name": 4.0,
    "keywords": 2.0,
    "themes": 2.0,
    "text": 1.0,
}
"""Field boosts: CKAN's default query fields ``name^4 title^4 tags^2 groups^2 text``
(ckan/lib/search/query.py, QUERY_FIELDS), with our keywords as tags and themes as groups."""

K1 = 1.2
"""BM25 term-frequency saturation; 1.2 is the usual default (Robertson & Zaragoza 2009, §3.3)."""
B = 0.75
"""BM25 length normalisation; 0.75 likewise (ibid.)."""


def tokenize(text: str) -> list[str]:
    """Tokens of ``text``: Chinese character bigrams (unigram for a lone character), words."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for match in _TOKEN.finditer(folded):
        run = match.group("cjk")
        if run is None:
            out.append(match.group("word"))
        elif len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def min_should_match(n_clauses: int) -> int:
    """Clauses a document must match: Solr ``mm=2<-1 5<80%``, CKAN's default for package_search.

    Up to 2 clauses all are required, up to 5 all but one, beyond that 80% (rounded down).
    """
    if n_clauses <= 2:
        return n_clauses
    if n_clauses <= 5:
        return n_clauses - 1
    return math.floor(n_clauses * 0.8)


class SortField(StrEnum):
    """What a result list can be ordered by."""

    RELEVANCE = "relevance"
    TITLE = "title"
    MODIFIED = "modified"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Sort:
    """One sort key and its direction."""

    field: SortField = SortField.RELEVANCE
    descending: bool = True


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One catalog entry as the index sees it; each facet's values are distinct."""

    id: str
    name: str
    fields: Mapping[str, str]
    facets: Mapping[str, tuple[str, ...]]
    title_key: str
    modified: datetime


@dataclass(frozen=True, slots=True)
class Hit:
    """A matching document and its score (0 when there was no query text)."""

    doc: SearchDoc
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of hits, the total count and facet counts over all matches."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


class SearchIndex:
    """An in-memory BM25F index over catalog entries; immutable once built."""

    def __init__(self, docs: Iterable[SearchDoc]) -> None:
        self.docs: list[SearchDoc] = list(docs)
        tokens = [
            {f: tokenize(text) for f, text in d.fields.items() if f in FIELD_WEIGHTS}
            for d in self.docs
        ]
        avg: dict[str, float] = {}
        for f in FIELD_WEIGHTS:
            lengths = [len(t.get(f, ())) for t in tokens]
            avg[f] = (sum(lengths) / len(lengths)) if lengths else 0.0
        self._postings: dict[str, dict[int, float]] = {}
        for i, per_field in enumerate(tokens):
            acc: dict[str, float] = {}
            for f, toks in per_field.items():
                if not toks:
                    continue
                norm = 1.0 - B + B * len(toks) / avg[f]
                weight = FIELD_WEIGHTS[f]
                for term, count in Counter(toks).items():
                    acc[term] = acc.get(term, 0.0) + weight * count / norm
            for term, tf in acc.items():
                self._postings.setdefault(term, {})[i] = tf
        self._by_char: dict[str, list[str]] = {}
        for term in self._postings:
            if len(term) == 2 and _CJK_CHAR.match(term[0]) and _CJK_CHAR.match(term[1]):
                for ch in set(term):
                    self._by_char.setdefault(ch, []).append(term)

    def __len__(self) -> int:
        return len(self.docs)

    def _clause_postings(self, token: str) -> dict[int, float]:
        """Postings of one query clause; a lone Chinese character expands to its bigrams."""
        if not _CJK_CHAR.match(token):
            return self._postings.get(token, {})
        merged = dict(self._postings.get(token, {}))
        for term in self._by_char.get(token, ()):
            for doc, tf in self._postings[term].items():
                merged[doc] = merged.get(doc, 0.0) + tf
        return merged

    def score(self, query: str) -> dict[int, float] | None:
        """Scores of matching documents by position; None when the query has no terms."""
        clauses = list(dict.fromkeys(tokenize(query)))
        if not clauses:
            return None
        n_docs = len(self.docs)
        scores: dict[int, float] = {}
        matched: Counter[int] = Counter()
        for token in clauses:
            postings = self._clause_postings(token)
            if not postings:
                continue
            df = len(postings)
            idf = math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
            for doc, tf in postings.items():
                scores[doc] = scores.get(doc, 0.0) + idf * tf / (K1 + tf)
                matched[doc] += 1
        need = min_should_match(len(clauses))
        return {d: s for d, s in scores.items() if matched[d] >= need}


@dataclass(frozen=True, slots=True)
class Filter:
    """Which documents may match: facet values to require or exclude, a modified-time window.

    Values of one facet are alternatives (OR); different facets must all hold (AND), as with
    CKAN's repeated ``fq`` clauses.
    """

    include: Mapping[str, Collection[str]] = field(default_factory=dict)
    exclude: Mapping[str, Collection[str]] = field(default_factory=dict)
    modified_from: datetime | None = None
    modified_to: datetime | None = None

    def is_empty(self) -> bool:
        """True when the filter lets every document through."""
        return (
            self.modified_from is None
            and self.modified_to is None
            and not any(self.include.values())
            and not any(self.exclude.values())
        )

    def passes(self, doc: SearchDoc) -> bool:
        """True when ``doc`` satisfies every condition."""
        if self.modified_from is not None and doc.modified < self.modified_from:
            return False
        if self.modified_to is not None and doc.modified > self.modified_to:
            return False
        if any(
            any(v in unwanted for v in doc.facets.get(name, ()))
            for name, unwanted in self.exclude.items()
        ):
            return False
        return all(
            not wanted or any(v in wanted for v in doc.facets.get(name, ()))
            for name, wanted in self.include.items()
        )


def _order(hits: list[Hit], sort: Sort, *, scored: bool) -> list[Hit]:
    by_modified = sorted(hits, key=lambda h: (h.doc.modified, h.doc.id), reverse=True)
    if sort.field is SortField.RELEVANCE:
        if not scored:
            return by_modified
        # Stable sort: equal scores keep the newest first.
        return sorted(by_modified, key=lambda h: h.score, reverse=sort.descending)
    if sort.field is SortField.MODIFIED:
        return by_modified if sort.descending else by_modified[::-1]
    if sort.field is SortField.TITLE:
        return sorted(hits, key=lambda h: (h.doc.title_key, h.doc.id), reverse=sort.descending)
    return sorted(hits, key=lambda h: h.doc.name, reverse=sort.descending)


def facet_counts(
    docs: Iterable[SearchDoc], fields: Sequence[str], limit: int = 50
) -> dict[str, list[tuple[str, int]]]:
    """Value counts per facet field, most frequent first (ties by value).

    A document's values of one facet are distinct (SearchDoc's contract), so each counts once.
    """
    counts: dict[str, dict[str, int]] = {f: {} for f in fields}
    for doc in docs:
        for f in fields:
            bucket = counts[f]
            for v in doc.facets.get(f, ()):
                bucket[v] = bucket.get(v, 0) + 1
    return {
        f: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[: max(limit, 0)]
        for f, c in counts.items()
    }


def search(
    index: SearchIndex,
    query: str = "",
    *,
    filters: Filter | None = None,
    sort: Sort | None = None,
    offset: int = 0,
    limit: int = 10,
    facet_fields: Sequence[str] = (),
    facet_limit: int = 50,
) -> SearchResult:
    """Match, filter, count facets over all matches, order and cut one page."""
    scores = index.score(query)
    flt = filters or Filter()
    keep = (lambda _d: True) if flt.is_empty() else flt.passes
    if scores is None:
        hits = [Hit(d, 0.0) for d in index.docs if keep(d)]
    else:
        docs = index.docs
        hits = [Hit(docs[i], s) for i, s in scores.items() if keep(docs[i])]
    ordered = _order(hits, sort or Sort(), scored=scores is not None)
    return SearchResult(
        total=len(ordered),
        hits=ordered[offset : offset + limit],
        facets=facet_counts((h.doc for h in ordered), facet_fields, facet_limit),
    )
