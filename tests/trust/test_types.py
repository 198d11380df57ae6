"""Member identifiers and the default member tree (pure)."""

from __future__ import annotations

import pytest

from dyrd.core.types import REGION_MEMBER_ID
from dyrd.trust import defaults
from dyrd.trust.types import MemberKind, MemberPath, is_one_line, is_valid_username


@pytest.mark.parametrize(
    ("value", "kind", "parent", "code"),
    [
        ("CN-YRD", MemberKind.REGION, None, None),
        ("CN-YRD/GOV/330000", MemberKind.JURISDICTION, "CN-YRD", "330000"),
        ("CN-YRD/GOV/330000/DSJ", MemberKind.DEPARTMENT, "CN-YRD/GOV/330000", "330000"),
        ("CN-YRD/GOV/310000/SCJG", MemberKind.DEPARTMENT, "CN-YRD/GOV/310000", "310000"),
    ],
)
def test_identifier_says_kind_parent_and_jurisdiction(
    value: str, kind: MemberKind, parent: str | None, code: str | None
) -> None:
    assert MemberPath.parse(value) == MemberPath(value, kind, parent, code)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "cn-yrd",
        "CN-YRD/",
        "CN-YRD/GOV",
        "CN-YRD/GOV/33000",  # five digits
        "CN-YRD/GOV/033000",  # GB/T 2260 codes do not start with 0
        "CN-YRD/COM/330000",
        "CN-YRD/GOV/330000/dsj",  # department codes are capitals
        "CN-YRD/GOV/330000/D",  # at least two characters
        "CN-YRD/GOV/330000/DSJ/X1",  # one department level only
        "CN-YRD/GOV/330000/DSJ\n",
        " CN-YRD",
    ],
)
def test_malformed_identifiers_do_not_parse(value: str) -> None:
    assert MemberPath.parse(value) is None


def test_every_parent_is_the_identifiers_own_prefix() -> None:
    # Principal.has_role covers members below by prefix; the tree must agree with it.
    for spec in defaults.default_members():
        path = MemberPath.parse(spec.id)
        assert path is not None
        assert (path.parent_id is None) is (spec.id == REGION_MEMBER_ID)
        if path.parent_id is not None:
            assert spec.id.startswith(path.parent_id + "/")


def test_defaults_are_region_four_jurisdictions_and_their_departments_parents_first() -> None:
    members = defaults.default_members()
    assert len(members) == 1 + 4 + 4 * 4
    assert len({m.id for m in members}) == len(members)
    seen: set[str] = set()
    for spec in members:
        path = MemberPath.parse(spec.id)
        assert path is not None
        assert path.parent_id is None or path.parent_id in seen
        seen.add(spec.id)
    by_id = {m.id: m for m in members}
    assert (by_id["CN-YRD/GOV/340000"].name_zh, by_id["CN-YRD/GOV/340000"].name_en) == (
        "安徽省",
        "Anhui",
    )
    assert by_id["CN-YRD/GOV/330000/WJW"].name_zh == "浙江省卫生健康委员会"


@pytest.mark.parametrize(
    ("value", "ok"),
    [("zhang.wei", True), ("a1", True), ("a", False), ("Zhang", False), ("1abc", False)],
)
def test_username_pattern(value: str, ok: bool) -> None:
    assert is_valid_username(value) is ok


def test_one_line_text_refuses_control_characters() -> None:
    assert is_one_line("浙江省 数据局")
    assert not is_one_line("a\x00b")
    assert not is_one_line("a\nb")
