"""The error tree: bilingual messages, hints, row/column errors, one code per class."""

from __future__ import annotations

import pickle

import pytest

from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    ConflictError,
    DyrdError,
    FieldError,
    NotFoundError,
    PermissionDenied,
    ValidationFailed,
)

SUBCLASSES = [
    NotFoundError,
    ValidationFailed,
    ConflictError,
    AuthenticationRequired,
    PermissionDenied,
    ConfigurationError,
]


def test_field_error_as_dict_leaves_out_what_is_empty() -> None:
    assert FieldError("row 3, column gdp", "not a number").as_dict() == {
        "location": "row 3, column gdp",
        "message": "not a number",
    }


def test_field_error_as_dict_keeps_chinese_message_and_value() -> None:
    item = FieldError("row 3, column gdp", "not a number", "不是数字", value="abc")
    assert item.as_dict() == {
        "location": "row 3, column gdp",
        "message": "not a number",
        "message_zh": "不是数字",
        "value": "abc",
    }


def test_field_error_is_immutable() -> None:
    item = FieldError("a", "b")
    with pytest.raises(AttributeError):
        item.message = "c"  # type: ignore[misc]


def test_error_carries_both_languages_hint_and_items() -> None:
    items = [FieldError("row 2", "unknown city", "未知城市", value="999999")]
    exc = ValidationFailed("2 rows are wrong.", "有 2 行错误。", hint="Fix them.", errors=items)
    assert str(exc) == "2 rows are wrong."
    assert exc.args == ("2 rows are wrong.",)
    assert (exc.message, exc.message_zh, exc.hint) == (
        "2 rows are wrong.",
        "有 2 行错误。",
        "Fix them.",
    )
    assert exc.errors == items


def test_defaults_are_empty_and_not_shared_between_instances() -> None:
    first, second = DyrdError("one"), DyrdError("two")
    assert (first.message_zh, first.hint, first.errors) == ("", "", [])
    first.errors.append(FieldError("x", "y"))
    assert second.errors == []


@pytest.mark.parametrize("cls", SUBCLASSES)
def test_each_subclass_is_a_dyrd_error_that_can_be_raised_and_caught(
    cls: type[DyrdError],
) -> None:
    with pytest.raises(DyrdError) as caught:
        raise cls("what went wrong", "出了什么问题", hint="what to do")
    assert type(caught.value) is cls
    assert isinstance(caught.value, Exception)


@pytest.mark.parametrize("cls", [DyrdError, *SUBCLASSES])
def test_each_class_has_a_code_and_titles_in_both_languages(cls: type[DyrdError]) -> None:
    assert cls.code
    assert cls.title
    assert cls.title_zh


def test_codes_are_unique() -> None:
    codes = [cls.code for cls in [DyrdError, *SUBCLASSES]]
    assert len(set(codes)) == len(codes)


def test_errors_compare_by_identity_like_other_exceptions() -> None:
    assert NotFoundError("x") != NotFoundError("x")
    assert len({NotFoundError("x"), NotFoundError("x")}) == 2


@pytest.mark.parametrize("cls", SUBCLASSES)
def test_errors_survive_pickling_with_every_field(cls: type[DyrdError]) -> None:
    # Worker processes hand errors back to their parent by pickling them.
    exc = cls("msg", "消息", hint="hint", errors=[FieldError("a", "b", "乙", "v")])
    back = pickle.loads(pickle.dumps(exc))  # noqa: S301  # our own bytes
    assert type(back) is cls
    assert (back.message, back.message_zh, back.hint, back.errors) == (
        exc.message,
        exc.message_zh,
        exc.hint,
        exc.errors,
    )
