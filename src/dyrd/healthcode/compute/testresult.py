"""A negative test result read from an EU DCC test certificate shown at a checkpoint (pure).

A code carries the latest negative test its issuer knew (claim ``t``); a test taken since, or
elsewhere, is shown as its own credential: an HCERT test certificate (EU DCC schema, one ``t``
entry), verified like any HC1 code against the trust list. What the checkpoint takes from it is
one time, the sample collection time ``sc``, when:

* the disease is COVID-19 (``tg`` 840539006, SNOMED CT, EU DCC value set disease-agent-targeted),
* the result is "not detected" (``tr`` 260415000, SNOMED CT, EU DCC value set test-result),
* ``sc`` is a date-time no later than the validation time, and
* it names the code's holder, as far as the code says who that is: the birth year of ``dob``
  equals the code's birth year, and the code's initials start with the first letters of the
  standardised family name and given name (``nam.fnt``, ``nam.gnt``, ICAO 9303 transliteration;
  a code's initials are pinyin initials, family name first).

The policy then decides with the later of the two times as ``payload.test.negative_at``: how
recent a test must be is the acceptance policy's window (48 h in Shanghai's sample), not this
module's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

COVID_19 = "840539006"
"""SNOMED CT COVID-19, EU DCC value set ``disease-agent-targeted``."""

NOT_DETECTED = "260415000"
"""SNOMED CT "Not detected", EU DCC value set ``test-result``."""


@dataclass(frozen=True, slots=True)
class TestReading:
    """What a test certificate says for this checkpoint: a negative sample time, or why not."""

    __test__ = False  # not a pytest test class

    negative_at: datetime | None
    reason: str
    reason_zh: str


def _refused(reason: str, reason_zh: str) -> TestReading:
    return TestReading(None, reason, reason_zh)


def _sample_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _binds(dcc: Mapping[str, Any], initials: str, birth_year: int) -> bool:
    dob = dcc.get("dob")
    name = dcc.get("nam")
    if not isinstance(dob, str) or not isinstance(name, Mapping):
        return False
    family, given = name.get("fnt"), name.get("gnt")
    if not dob[:4].isdigit() or int(dob[:4]) != birth_year:
        return False
    if not isinstance(family, str) or not isinstance(given, str) or not family or not given:
        return False
    return len(initials) >= 2 and initials[:2].upper() == family[0] + given[0]


def read_negative_test(  # noqa: PLR0911  # one refusal per check, in order
    dcc: Any, *, initials: Any, birth_year: Any, at: datetime
) -> TestReading:
    """The sample time of a negative COVID-19 test in a verified DCC ``dcc`` for this holder."""
    if not isinstance(dcc, Mapping):
        return _refused("The test certificate holds no DCC.", "检测证书内容无法读取。")
    entries = dcc.get("t")
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], Mapping):
        return _refused(
            "The certificate is not a test certificate (no single t entry).",
            "该证书不是检测证书（缺少唯一的 t 记录）。",
        )
    entry = entries[0]
    if entry.get("tg") != COVID_19:
        return _refused("The test is not for COVID-19.", "该检测不是新冠病毒检测。")
    if entry.get("tr") != NOT_DETECTED:
        return _refused("The test result is not negative.", "检测结果不是阴性。")
    sampled = _sample_time(entry.get("sc"))
    if sampled is None:
        return _refused("The sample time cannot be read.", "无法读取采样时间。")
    if sampled > at:
        return _refused("The sample time is after the validation time.", "采样时间晚于验证时间。")
    if not isinstance(initials, str) or not isinstance(birth_year, int):
        return _refused("The code names no holder to match.", "健康码缺少持有人信息，无法比对。")
    if not _binds(dcc, initials, birth_year):
        return _refused(
            "The test certificate names someone else (name initials or birth year differ).",
            "检测证书与健康码持有人不符（姓名首字母或出生年份不同）。",
        )
    when = sampled.strftime("%Y-%m-%d %H:%M")
    return TestReading(
        sampled,
        f"Negative test sampled {when} UTC (test certificate).",
        f"阴性检测，采样于 {when} UTC（检测证书）。",
    )
