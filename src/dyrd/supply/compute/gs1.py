"""GS1 identification keys: GTIN-8/12/13/14 and GLN with the mod-10 check digit.

GS1 General Specifications (release 24.0) section 7.9.1: the check digit makes the weighted sum
of all digits a multiple of 10, with weights 3 and 1 alternating from the rightmost data digit
(which has weight 3). GTIN-13 is the EAN-13 of GB 12904-2008. A GTIN of any length is stored
as its 14-digit form, left-padded with zeros (GS1 General Specifications 3.3.2); a GLN has 13
digits (section 2.4.4 / 3.4.1).
"""

from __future__ import annotations

GTIN_LENGTHS = (8, 12, 13, 14)
GLN_LENGTH = 13


class Gs1Error(ValueError):
    """A key that fails its format or check digit; carries both languages."""

    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def check_digit(data: str) -> str:
    """The GS1 mod-10 check digit of the data digits ``data`` (key without its check digit)."""
    if not data.isascii() or not data.isdigit():
        raise Gs1Error("GS1 keys are digits only.", "GS1 标识只能包含数字。")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(data)))
    return str((10 - total % 10) % 10)


def _validate(raw: str, lengths: tuple[int, ...], name: str) -> str:
    key = raw.strip()
    if not key.isascii() or not key.isdigit():
        raise Gs1Error(f"A {name} is digits only, got {raw!r}.", f"{name} 只能包含数字：{raw!r}。")
    if len(key) not in lengths:
        want = "/".join(map(str, lengths))
        raise Gs1Error(
            f"A {name} has {want} digits, got {len(key)}.",
            f"{name} 应为 {want} 位数字，实际 {len(key)} 位。",
        )
    expected = check_digit(key[:-1])
    if key[-1] != expected:
        raise Gs1Error(
            f"{name} check digit is {key[-1]} but the data digits give {expected}.",
            f"{name} 校验位为 {key[-1]}，但计算结果为 {expected}。",
        )
    return key


def parse_gtin(raw: str) -> str:
    """Validate a GTIN-8/12/13/14 and return its 14-digit form."""
    return _validate(raw, GTIN_LENGTHS, "GTIN").rjust(14, "0")


def parse_gln(raw: str) -> str:
    """Validate a 13-digit GLN and return it."""
    return _validate(raw, (GLN_LENGTH,), "GLN")


def is_valid_gtin(raw: str) -> bool:
    """True when ``raw`` is a GTIN of a GS1 length with a correct check digit."""
    try:
        parse_gtin(raw)
    except Gs1Error:
        return False
    return True
