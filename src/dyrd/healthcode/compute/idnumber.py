"""Resident identity numbers (GB 11643-1999) and their keyed hashes.

A citizen identity number has 18 characters: a 6-digit address code (GB/T 2260), the birth date
as YYYYMMDD, a 3-digit sequence number (odd for men, even for women) and a check character
computed with ISO 7064 MOD 11-2 over the first 17 digits. The platform never stores the number:
it keeps an HMAC-SHA-256 of it under a secret of the node, so equal numbers are recognised
without being readable (GB/T 35273 data minimisation).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from dyrd.core.errors import FieldError

WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
"""ISO 7064 MOD 11-2 weights 2^(17-i) mod 11: 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 (GB 11643)."""

CHECK_CHARS = "10X98765432"
"""Check character by (weighted sum mod 11), as tabulated in GB 11643-1999."""

PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
        "65", "71", "81", "82",
    }
)  # fmt: skip
"""First two digits of every GB/T 2260 province-level code (incl. Taiwan, Hong Kong, Macao)."""

EARLIEST_BIRTH = date(1900, 1, 1)
"""Oldest birth date accepted; the 18-digit number dates from 1999, and nobody alive is older."""

MIN_SECRET_BYTES = 16
"""Shortest HMAC key accepted (128 bits)."""


@dataclass(frozen=True, slots=True)
class ParsedIdNumber:
    """What a valid identity number says (never stored as such)."""

    normalised: str
    address_code: str
    birth_date: date
    male: bool


def check_char(first17: str) -> str:
    """The GB 11643 check character of 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def _problem(location: str, message: str, message_zh: str) -> FieldError:
    # The value is left out on purpose: it is a personal identifier.
    return FieldError(location, message, message_zh)


def id_number_problems(
    value: str, *, today: date, location: str = "id_number"
) -> tuple[ParsedIdNumber | None, list[FieldError]]:
    """Parse and check an 18-character identity number; the problems when it is not valid."""
    text = value.strip().upper()
    if len(text) != 18:
        return None, [
            _problem(
                location,
                f"An identity number has 18 characters, not {len(text)}.",
                f"身份证号码应为 18 位，而不是 {len(text)} 位。",
            )
        ]
    if not text[:17].isascii() or not text[:17].isdigit() or text[17] not in "0123456789X":
        return None, [
            _problem(
                location,
                "The first 17 characters must be digits, the last a digit or X.",
                "前 17 位应为数字，最后一位为数字或 X。",
            )
        ]
    problems: list[FieldError] = []
    address = text[:6]
    if address[:2] not in PROVINCE_CODES or address[2:] == "0000":
        problems.append(
            _problem(
                location,
                "The first 6 digits are not a county-level GB/T 2260 address code.",
                "前 6 位不是县级行政区划代码（GB/T 2260）。",
            )
        )
    birth: date | None = None
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        problems.append(
            _problem(location, "Digits 7-14 are not a calendar date.", "第 7-14 位不是有效日期。")
        )
    if birth is not None and not EARLIEST_BIRTH <= birth <= today:
        problems.append(
            _problem(
                location,
                f"The birth date must lie between {EARLIEST_BIRTH} and today.",
                f"出生日期应在 {EARLIEST_BIRTH} 与今天之间。",
            )
        )
    if check_char(text[:17]) != text[17]:
        problems.append(
            _problem(
                location,
                "The check character does not match (GB 11643, ISO 7064 MOD 11-2); "
                "look for a mistyped digit.",
                "校验码不符（GB 11643，ISO 7064 MOD 11-2），请检查是否输错。",
            )
        )
    if problems or birth is None:
        return None, problems
    return ParsedIdNumber(text, address, birth, int(text[16]) % 2 == 1), []


def id_hash(normalised: str, secret: bytes) -> str:
    """Hex HMAC-SHA-256 of a normalised identity number under the node's secret."""
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the identity-hash secret must have at least {MIN_SECRET_BYTES} bytes")
    return hmac.new(secret, normalised.encode("ascii"), hashlib.sha256).hexdigest()


def initials_problem(value: str, location: str = "initials") -> FieldError | None:
    """Initials are 1-4 Latin capitals (pinyin initials of the name), nothing more."""
    if 1 <= len(value) <= 4 and value.isascii() and value.isalpha() and value.isupper():
        return None
    return FieldError(
        location,
        "Initials are 1 to 4 capital Latin letters (e.g. ZS for 张三).",
        "姓名缩写为 1 至 4 个大写拉丁字母（如 张三 写作 ZS）。",
    )
