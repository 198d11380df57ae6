"""The UI string catalog and language parsing."""

from __future__ import annotations

import pytest

from dyrd.web import i18n


@pytest.mark.parametrize(
    ("raw", "lang"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("ZH_cn", "zh"),
        ("en", "en"),
        ("en-GB", "en"),
        (" EN ", "en"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_lang(raw: str | None, lang: str | None) -> None:
    assert i18n.parse_lang(raw) == lang


def test_placeholders_are_filled_in_each_language() -> None:
    assert i18n.t("notfound.city", "zh", code="123456") == "没有行政区划代码为“123456”的城市。"
    assert i18n.t("notfound.city", "en", code="123456") == (
        "There is no city with division code “123456”."
    )


def test_every_string_has_both_languages_with_the_same_placeholders() -> None:
    import string

    for key, texts in i18n.CATALOG.items():
        assert set(texts) == {"zh", "en"}, key
        assert all(texts.values()), key
        names = {
            lang: {f for _, f, _, _ in string.Formatter().parse(text) if f}
            for lang, text in texts.items()
        }
        assert names["zh"] == names["en"], key


def test_units_are_labelled_and_unknown_units_shown_as_stored() -> None:
    assert i18n.unit_label("100m yuan", "zh") == "亿元"
    assert i18n.unit_label("10k persons", "zh") == "万人"
    assert i18n.unit_label("tonnes", "zh") == "tonnes"


def test_html_lang_and_other() -> None:
    assert i18n.HTML_LANG == {"zh": "zh-CN", "en": "en"}
    assert i18n.other("zh") == "en"
    assert i18n.other("en") == "zh"
