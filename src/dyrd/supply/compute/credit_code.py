"""Unified social credit code (统一社会信用代码), GB 32100-2015: structure and check character.

Layout of the 18 characters (GB 32100-2015 clause 4):

* 1: registration authority code (登记管理部门代码), e.g. 9 = market regulation (工商);
* 2: organisation category code within that authority (机构类别代码);
* 3-8: administrative division code of the registering authority (GB/T 2260);
* 9-17: organisation code (主体标识码, GB 11714-1997: 8 body characters + a check character);
* 18: the check character over characters 1-17.

The code uses 31 symbols: the digits and the capital letters except I, O, Z, S and V
(GB 32100-2015 table 1), valued 0-30 in that order. The check character is
``31 - (sum(value_i * weight_i) mod 31)``, 31 mapping to 0, with weights ``3**(i-1) mod 31``
(1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28; GB 32100-2015 clause 5).
"""

from __future__ import annotations

from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 symbols in value order (GB 32100-2015 table 1)."""

WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
"""Position weights 3**(i-1) mod 31 for positions 1-17 (GB 32100-2015 clause 5)."""

_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

# GB 11714-1997 organisation code check: weights and the 36-symbol value table (A=10 ... Z=35).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUE = {ch: i for i, ch in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}

REGISTRATION_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "institutional establishment"),
    "2": ("外交", "foreign affairs"),
    "3": ("司法行政", "judicial administration"),
    "4": ("文化", "culture"),
    "5": ("民政", "civil affairs"),
    "6": ("旅游", "tourism"),
    "7": ("宗教", "religious affairs"),
    "8": ("工会", "trade unions"),
    "9": ("工商（市场监管）", "industry and commerce (market regulation)"),
    "A": ("中央军委改革和编制办公室", "CMC reform and establishment office"),
    "N": ("农业", "agriculture"),
    "Y": ("其他", "other"),
}
"""Registration authority codes (GB 32100-2015 annex A, with later allocations A and N)."""


class CreditCodeError(ValueError):
    """A string that is not a valid unified social credit code; carries both languages."""

    def __init__(self, message: str, message_zh: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh
        self.position = position


@dataclass(frozen=True, slots=True)
class CreditCode:
    """A validated code and its decoded parts."""

    code: str
    authority: str
    category: str
    division: str
    organisation: str
    organisation_check_ok: bool
    """Whether characters 9-17 also pass the GB 11714 check (informative, not required)."""

    @property
    def province(self) -> str:
        """Province-level division code (first two digits of the division, padded)."""
        return self.division[:2] + "0000"


def check_character(body: str) -> str:
    """The GB 32100 check character of the first 17 characters ``body``."""
    if len(body) != 17:
        raise CreditCodeError(
            f"Expected 17 characters before the check character, got {len(body)}.",
            f"校验位前应为 17 位，实际 {len(body)} 位。",
        )
    total = 0
    for pos, (ch, w) in enumerate(zip(body, WEIGHTS, strict=True), start=1):
        value = _VALUE.get(ch)
        if value is None:
            raise _bad_symbol(ch, pos)
        total += value * w
    return ALPHABET[(31 - total % 31) % 31]


def _bad_symbol(ch: str, pos: int) -> CreditCodeError:
    return CreditCodeError(
        f"Character {ch!r} at position {pos} is not allowed (digits and capital letters "
        "except I, O, Z, S, V).",
        f"第 {pos} 位字符 {ch!r} 不允许（仅数字和除 I、O、Z、S、V 外的大写字母）。",
        pos,
    )


def _org_check_ok(org: str) -> bool:
    total = 0
    for ch, w in zip(org[:8], _ORG_WEIGHTS, strict=True):
        if ch not in _ORG_VALUE:
            return False
        total += _ORG_VALUE[ch] * w
    c = 11 - total % 11
    expected = "X" if c == 10 else "0" if c == 11 else str(c)
    return org[8] == expected


def parse(raw: str) -> CreditCode:
    """Validate a code (surrounding spaces ignored, letters upper-cased) and decode it."""
    code = raw.strip().upper()
    if len(code) != 18:
        raise CreditCodeError(
            f"A unified social credit code has 18 characters, got {len(code)}.",
            f"统一社会信用代码应为 18 位，实际 {len(code)} 位。",
        )
    for pos, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            raise _bad_symbol(ch, pos)
    if not code[2:8].isdigit():
        raise CreditCodeError(
            "Positions 3-8 must be the 6-digit administrative division code.",
            "第 3-8 位应为 6 位数字行政区划代码。",
            3,
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            f"Check character is {code[17]!r} but the first 17 characters give {expected!r}.",
            f"校验码为 {code[17]!r}，但前 17 位计算结果为 {expected!r}。",
            18,
        )
    return CreditCode(
        code=code,
        authority=code[0],
        category=code[1],
        division=code[2:8],
        organisation=code[8:17],
        organisation_check_ok=_org_check_ok(code[8:17]),
    )


def is_valid(raw: str) -> bool:
    """True when ``raw`` parses as a unified social credit code."""
    try:
        parse(raw)
    except CreditCodeError:
        return False
    return True
