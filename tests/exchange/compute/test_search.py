"""Tokeniser, BM25F ranking, filters, facets, sorting and paging (pure)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dyrd.exchange.compute.search import (
    Filter,
    SearchDoc,
    SearchIndex,
    Sort,
    SortField,
    min_should_match,
    search,
    tokenize,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
CJK = "企业信用信息医疗机构名录公共交通站点空气质量监测"
ALPHABET = st.sampled_from(list(CJK) + list("abcXYZ019") + [" ", "-", "，"])


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("企业信用信息", ["企业", "业信", "信用", "用信", "信息"]),
        ("企业 信用", ["企业", "信用"]),
        ("信", ["信"]),
        ("Enterprise CREDIT-info 2024", ["enterprise", "credit", "info", "2024"]),
        ("GB32100统一代码", ["gb32100", "统一", "一代", "代码"]),
        ("ＡＢＣ１２３", ["abc123"]),
        ("空气质量（AQI）", ["空气", "气质", "质量", "aqi"]),
        ("", []),
        ("!!! ...", []),
    ],
)
def test_tokenize_examples(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@given(st.text(ALPHABET, max_size=30), st.text(ALPHABET, max_size=30))
def test_tokens_of_space_joined_texts_concatenate(a: str, b: str) -> None:
    assert tokenize(f"{a} {b}") == tokenize(a) + tokenize(b)


@given(st.text(ALPHABET, max_size=40))
def test_tokens_are_case_folded_substrings_of_the_text(text: str) -> None:
    folded = unicodedata.normalize("NFKC", text).casefold()
    tokens = tokenize(text)
    assert tokens == tokenize(text.upper())
    for tok in tokens:
        assert tok in folded
        if tok[0] in CJK:
            assert 1 <= len(tok) <= 2


@given(st.text(st.sampled_from(list(CJK)), min_size=1, max_size=20))
def test_a_chinese_run_of_n_characters_gives_n_minus_1_bigrams(run: str) -> None:
    assert len(tokenize(run)) == max(len(run) - 1, 1)


@pytest.mark.parametrize(("n", "need"), [(0, 0), (1, 1), (2, 2), (3, 2), (5, 4), (6, 4), (10, 8)])
def test_min_should_match_follows_ckan_default(n: int, need: int) -> None:
    assert min_should_match(n) == need


def doc(
    i: int,
    title: str,
    text: str = "",
    *,
    keywords: str = "",
    owner: str = "a",
    theme: str = "ECON",
    minutes: int = 0,
) -> SearchDoc:
    return SearchDoc(
        id=f"d{i}",
        name=f"n{i:02d}",
        fields={"title": title, "text": text, "keywords": keywords},
        facets={"organization": (owner,), "theme": (theme,)},
        title_key=title.casefold(),
        modified=T0 + timedelta(minutes=minutes),
    )


CORPUS = [
    doc(1, "医疗机构名录 Medical institutions", "医院 床位", theme="HEAL", owner="sh"),
    doc(2, "企业名录 Enterprise directory", "企业登记"),
    doc(3, "信用卡消费统计 Credit card spending", "银行"),
    doc(4, "企业信用信息 Enterprise credit information", "信用等级", keywords="信用 credit"),
    doc(5, "市场主体年报", "企业 年报 以及 信用 承诺"),
    doc(6, "空气质量监测 Air quality", "AQI", theme="ENVI", owner="ah"),
]


def ids(result: object) -> list[str]:
    return [h.doc.id for h in result.hits]  # type: ignore[attr-defined]


def test_chinese_query_finds_the_credit_dataset_first() -> None:
    index = SearchIndex(CORPUS)
    result = search(index, "企业 信用")
    assert ids(result)[0] == "d4"
    # both words are required (two clauses): the directory and the card statistics do not match
    assert set(ids(result)) == {"d4", "d5"}


def test_unspaced_chinese_query_matches_the_phrase_best() -> None:
    result = search(SearchIndex(CORPUS), "企业信用")
    assert ids(result)[0] == "d4"


def test_english_query_is_case_insensitive_and_boosts_titles() -> None:
    index = SearchIndex(CORPUS)
    result = search(index, "CREDIT")
    assert ids(result)[0] in {"d3", "d4"}
    assert set(ids(result)) == {"d3", "d4"}
    assert ids(search(index, "air quality")) == ["d6"]


def test_single_chinese_character_matches_inside_bigrams() -> None:
    result = search(SearchIndex(CORPUS), "医")
    assert ids(result) == ["d1"]


def test_no_match_and_empty_query() -> None:
    index = SearchIndex(CORPUS)
    assert search(index, "不存在的词").total == 0
    assert search(index, "").total == len(CORPUS)


def test_filters_are_or_within_a_facet_and_and_across() -> None:
    index = SearchIndex(CORPUS)
    flt = Filter(include={"theme": {"HEAL", "ENVI"}})
    assert set(ids(search(index, "", filters=flt))) == {"d1", "d6"}
    both = Filter(include={"theme": {"HEAL", "ENVI"}, "organization": {"ah"}})
    assert ids(search(index, "", filters=both)) == ["d6"]
    excl = Filter(exclude={"organization": {"a"}})
    assert set(ids(search(index, "", filters=excl))) == {"d1", "d6"}


def test_modified_window() -> None:
    docs = [doc(i, f"t{i}", minutes=i) for i in range(10)]
    flt = Filter(modified_from=T0 + timedelta(minutes=3), modified_to=T0 + timedelta(minutes=5))
    assert sorted(ids(search(SearchIndex(docs), "", filters=flt))) == ["d3", "d4", "d5"]


def test_paging_sorting_and_facets_over_all_matches() -> None:
    docs = [
        doc(i, f"Dataset {chr(ord('a') + (i * 7) % 26)}", owner="x" if i < 15 else "y", minutes=i)
        for i in range(25)
    ]
    index = SearchIndex(docs)
    first = search(index, "dataset", limit=10, facet_fields=("organization",))
    second = search(index, "dataset", offset=10, limit=10)
    third = search(index, "dataset", offset=20, limit=10)
    assert first.total == second.total == third.total == 25
    assert len(ids(first)) == 10
    assert len(ids(third)) == 5
    assert len(set(ids(first) + ids(second) + ids(third))) == 25
    assert first.facets == {"organization": [("x", 15), ("y", 10)]}
    newest = search(index, "", sort=Sort(SortField.MODIFIED, descending=True), limit=3)
    assert ids(newest) == ["d24", "d23", "d22"]
    oldest = search(index, "", sort=Sort(SortField.MODIFIED, descending=False), limit=1)
    assert ids(oldest) == ["d0"]
    titles = [
        h.doc.title_key for h in search(index, "", sort=Sort(SortField.TITLE, False), limit=25).hits
    ]
    assert titles == sorted(titles)
    names = [h.doc.name for h in search(index, "", sort=Sort(SortField.NAME, True), limit=25).hits]
    assert names == sorted(names, reverse=True)


def test_relevance_ties_keep_newest_first() -> None:
    docs = [doc(i, "same title", minutes=i) for i in range(3)]
    assert ids(search(SearchIndex(docs), "same")) == ["d2", "d1", "d0"]


def test_facet_limit_cuts_the_list() -> None:
    docs = [doc(i, "t", owner=f"o{i % 4}") for i in range(8)]
    result = search(SearchIndex(docs), "", facet_fields=("organization",), facet_limit=2)
    assert result.facets["organization"] == [("o0", 2), ("o1", 2)]
