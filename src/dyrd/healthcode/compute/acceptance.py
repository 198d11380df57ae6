"""Acceptance policies of checkpoints (mutual recognition) as signed CertLogic data (pure).

A jurisdiction's checkpoint decides whether to let a verified health code through by its
**acceptance policy**: a versioned document with effective dates whose ``requirements`` are
CertLogic expressions (the EU DCC business-rule subset, evaluated by ``certlogic``) that must all
be truthy, as the EU DCC's acceptance rules are. The first requirement that is not met gives the
refusal and its reason; when all are met the code is accepted. Documents are signed exactly as
colour rules are (``ruleset``: a JWS over the RFC 8785 form) but with their own ``typ``, so a
colour rule never passes for a policy.

What a policy sees (``policy_data``): the verified claims of the code as ``payload`` and the
checkpoint as ``external``::

    payload.colour        "green" | "yellow" | "red"
    payload.jurisdiction  issuing jurisdiction, GB/T 2260 ("330000")
    payload.rule          rule id that decided the colour; payload.rule_version its version
    payload.issued_at     payload.expires_at (ISO 8601, UTC)
    payload.test.negative_at  latest negative test known to the issuer (claim ``t``), or null
    external.checkpoint   the checkpoint's jurisdiction ("310000")
    external.partner      true when the code was issued by another jurisdiction
    external.at           the validation time (ISO 8601, UTC)

Where the negative test comes from, offline: the issuing jurisdiction writes the time of the
latest negative test it holds into the code (claim ``t``, signed with the rest), because a
checkpoint cannot look it up. A test certificate shown alongside (EU DCC ``t`` entry, verified
and bound to the holder: ``testresult``) replaces it when its sample is later.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from dyrd.core.b64 import b64url
from dyrd.core.errors import FieldError
from dyrd.healthcode.compute import certlogic
from dyrd.healthcode.compute.certlogic_compiled import Compiled, compile_expression
from dyrd.healthcode.compute.ruleset import MAX_LOGIC_BYTES, MAX_TEXT
from dyrd.healthcode.types import JURISDICTION_PREFIX, Colour

JWS_TYPE = "dyrd-hc-acceptance+jcs"
"""``typ`` of a policy signature's protected header (a colour rule's is ``dyrd-hc-rule+jcs``)."""

POLICY_ID = re.compile(r"^(SH|JS|ZJ|AH)-ACC-\d{3}$")
MAX_REQUIREMENTS = 32
FIELDS = frozenset(
    {
        "id", "version", "jurisdiction", "valid_from", "valid_until", "requirements",
        "description_zh", "description_en", "accept_zh", "accept_en", "sample",
    }
)  # fmt: skip
REQUIREMENT_FIELDS = frozenset({"logic", "reason_zh", "reason_en"})
PLACEHOLDERS = frozenset({"issuer", "colour"})

JURISDICTION_NAMES: dict[str, tuple[str, str]] = {
    "310000": ("上海", "Shanghai"),
    "320000": ("江苏", "Jiangsu"),
    "330000": ("浙江", "Zhejiang"),
    "340000": ("安徽", "Anhui"),
}
"""Short names of the four jurisdictions as reasons use them (浙江绿码, Zhejiang green code)."""

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One condition of a policy: CertLogic that must be truthy, and why a code fails it.

    ``test`` is ``logic`` compiled once when the requirement is made (``certlogic_compiled``):
    a checkpoint applies the same requirements to every code, so the tree is walked once per
    policy version, not once per verification.
    """

    logic: Any
    reason_zh: str
    reason_en: str
    test: Compiled = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", compile_expression(self.logic))


@dataclass(frozen=True, slots=True)
class Policy:
    """One version of a jurisdiction's acceptance policy."""

    policy_id: str
    version: int
    jurisdiction: str
    valid_from: date
    valid_until: date | None
    requirements: tuple[Requirement, ...]
    description_zh: str
    description_en: str
    accept_zh: str
    accept_en: str
    sample: bool

    @property
    def label(self) -> str:
        """``SH-ACC-001 v1``."""
        return f"{self.policy_id} v{self.version}"

    def in_force(self, on: date) -> bool:
        """True when ``on`` falls in ``[valid_from, valid_until)``."""
        return self.valid_from <= on and (self.valid_until is None or on < self.valid_until)


@dataclass(frozen=True, slots=True)
class Decision:
    """What a policy says about one code: accepted or not, why, and which requirement failed."""

    accepted: bool
    reason_zh: str
    reason_en: str
    policy_id: str
    version: int
    failed: int | None = None
    """Index of the first requirement not met (None when accepted)."""


# --- documents --------------------------------------------------------------------------------


def _text(value: Any) -> bool:
    return isinstance(value, str) and 1 <= len(value.strip()) <= MAX_TEXT


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _placeholders_ok(text: str) -> bool:
    return set(_PLACEHOLDER.findall(text)) <= PLACEHOLDERS


def _requirement(raw: Any, where: str, bad: list[FieldError]) -> Requirement | None:
    if not isinstance(raw, Mapping) or set(raw) != REQUIREMENT_FIELDS:
        bad.append(
            FieldError(where, "A requirement has logic, reason_zh and reason_en.", "要求格式不符。")
        )
        return None
    problems = certlogic.validate(raw["logic"], path=f"{where}.logic")
    if problems:
        bad.append(
            FieldError(f"{where}.logic", f"Not valid CertLogic: {problems[0]}.", "表达式无效。")
        )
    elif len(json.dumps(raw["logic"])) > MAX_LOGIC_BYTES:
        bad.append(FieldError(f"{where}.logic", f"Longer than {MAX_LOGIC_BYTES} bytes.", "过长。"))
    for name in ("reason_zh", "reason_en"):
        if not _text(raw[name]) or not _placeholders_ok(raw[name]):
            bad.append(
                FieldError(
                    f"{where}.{name}",
                    f"Text of 1-{MAX_TEXT} characters; placeholders {{issuer}} and {{colour}}.",
                    "应为文本，占位符仅限 {issuer}、{colour}。",
                )
            )
    if any(e.location.startswith(where) for e in bad):
        return None
    return Requirement(raw["logic"], raw["reason_zh"], raw["reason_en"])


def parse_policy(  # noqa: PLR0912  # one check per field, in document order
    document: Any, *, location: str = "policy"
) -> tuple[Policy | None, list[FieldError]]:
    """A policy from its JSON document, or every problem found in it."""
    if not isinstance(document, Mapping):
        return None, [FieldError(location, "A policy is a JSON object.", "策略应为 JSON 对象。")]
    bad: list[FieldError] = []

    def add(name: str, en: str, zh: str) -> None:
        bad.append(FieldError(f"{location}.{name}", en, zh))

    unknown = sorted(set(document) - FIELDS)
    if unknown:
        add(unknown[0], f"Unknown field(s): {', '.join(unknown)}.", "存在未知字段。")
    policy_id, jurisdiction = document.get("id"), document.get("jurisdiction")
    if not isinstance(jurisdiction, str) or jurisdiction not in JURISDICTION_PREFIX:
        add("jurisdiction", "One of 310000, 320000, 330000, 340000.", "应为四省市代码之一。")
    if not isinstance(policy_id, str) or not POLICY_ID.match(policy_id):
        add("id", "Policy ids look like SH-ACC-001.", "策略编号形如 SH-ACC-001。")
    elif JURISDICTION_PREFIX.get(str(jurisdiction)) != policy_id[:2]:
        add("id", "The id's prefix must name the policy's jurisdiction.", "编号前缀须与省市一致。")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 9999:
        add("version", "An integer 1-9999.", "应为 1-9999 的整数。")
    valid_from = _date(document.get("valid_from"))
    if valid_from is None:
        add("valid_from", "An ISO date (2020-02-24).", "应为 ISO 日期。")
    raw_until = document.get("valid_until")
    valid_until = None if raw_until is None else _date(raw_until)
    if raw_until is not None and valid_until is None:
        add("valid_until", "An ISO date or null.", "应为 ISO 日期或 null。")
    if valid_from and valid_until and valid_until <= valid_from:
        add("valid_until", "Must be after valid_from.", "失效日期须晚于生效日期。")
    raw = document.get("requirements")
    requirements: list[Requirement] = []
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_REQUIREMENTS:
        add("requirements", f"A list of 1-{MAX_REQUIREMENTS} requirements.", "应为要求列表。")
    else:
        for i, item in enumerate(raw):
            req = _requirement(item, f"{location}.requirements[{i}]", bad)
            if req is not None:
                requirements.append(req)
    for name in ("description_zh", "description_en", "accept_zh", "accept_en"):
        value = document.get(name)
        if not _text(value) or not _placeholders_ok(str(value)):
            add(name, f"Text of 1-{MAX_TEXT} characters.", f"应为 1-{MAX_TEXT} 字的文本。")
    sample = document.get("sample", False)
    if not isinstance(sample, bool):
        add("sample", "true or false.", "应为 true 或 false。")
    if bad or valid_from is None:
        return None, bad
    return (
        Policy(
            policy_id=str(policy_id),
            version=int(str(version)),
            jurisdiction=str(jurisdiction),
            valid_from=valid_from,
            valid_until=valid_until,
            requirements=tuple(requirements),
            description_zh=str(document["description_zh"]),
            description_en=str(document["description_en"]),
            accept_zh=str(document["accept_zh"]),
            accept_en=str(document["accept_en"]),
            sample=bool(sample),
        ),
        [],
    )


def policy_document(policy: Policy) -> dict[str, Any]:
    """The JSON document of a policy version (what is signed and published)."""
    return {
        "id": policy.policy_id,
        "version": policy.version,
        "jurisdiction": policy.jurisdiction,
        "valid_from": policy.valid_from.isoformat(),
        "valid_until": None if policy.valid_until is None else policy.valid_until.isoformat(),
        "requirements": [
            {"logic": r.logic, "reason_zh": r.reason_zh, "reason_en": r.reason_en}
            for r in policy.requirements
        ],
        "description_zh": policy.description_zh,
        "description_en": policy.description_en,
        "accept_zh": policy.accept_zh,
        "accept_en": policy.accept_en,
        "sample": policy.sample,
    }


def protected_header(*, key_id: str, algorithm: str) -> str:
    """The base64url JWS protected header of a policy signature."""
    header = {"alg": algorithm, "kid": key_id, "typ": JWS_TYPE}
    return b64url(json.dumps(header, sort_keys=True, separators=(",", ":")).encode("ascii"))


def header_type(protected: str) -> str | None:
    """The ``typ`` of a protected header, or None when it cannot be read."""
    try:
        header = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))
    except ValueError:
        return None
    typ = header.get("typ") if isinstance(header, dict) else None
    return typ if isinstance(typ, str) else None


def in_force(policies: Iterable[Policy], jurisdiction: str, on: date) -> Policy | None:
    """The newest version of ``jurisdiction``'s policies in force on ``on``, if any."""
    live = [p for p in policies if p.jurisdiction == jurisdiction and p.in_force(on)]
    return max(live, key=lambda p: (p.version, p.policy_id), default=None)


# --- evaluation -------------------------------------------------------------------------------


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


_LAST_SECOND = 253402300799
"""9999-12-31T23:59:59Z: the last epoch second ``datetime`` can show."""


def _iso_of(value: Any) -> str | None:
    """``_iso(_seconds(value))``, None where that is None; whole seconds formatted directly.

    Claims hold whole epoch seconds: ``time.strftime`` writes exactly what ``isoformat``
    writes for them (no fraction, four-digit years from 1970) at a third of the cost.
    """
    if type(value) is int and 0 <= value <= _LAST_SECOND:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(value))
    when = _seconds(value)
    return None if when is None else _iso(when)


def _seconds(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def policy_data(
    claim: Mapping[str, Any],
    *,
    issued_at: Any,
    expires_at: Any,
    checkpoint: str,
    at: datetime,
) -> dict[str, Any]:
    """The CertLogic data context of a verified code (see the module docstring)."""
    return {
        "payload": {
            "colour": claim.get("c"),
            "jurisdiction": claim.get("j"),
            "rule": claim.get("r"),
            "rule_version": claim.get("rv"),
            "issued_at": _iso_of(issued_at),
            "expires_at": _iso_of(expires_at),
            "test": {"negative_at": _iso_of(claim.get("t"))},
        },
        "external": {
            "checkpoint": checkpoint,
            "partner": claim.get("j") != checkpoint,
            "at": _iso(at),
        },
    }


def _fill(template: str, data: Mapping[str, Any], *, zh: bool) -> str:
    payload = data.get("payload", {})
    return _filled(template, str(payload.get("jurisdiction")), str(payload.get("colour")), zh=zh)


@functools.lru_cache(maxsize=1024)
def _filled(template: str, jurisdiction: str, colour_value: str, *, zh: bool) -> str:
    # Cached: a checkpoint fills the same few templates for the same few issuers and colours.
    names = JURISDICTION_NAMES.get(jurisdiction, ("?", "?"))
    try:
        colour = Colour(colour_value)
        colour_text = colour.zh if zh else f"{colour.value} code"
    except ValueError:
        colour_text = "?"
    values = {"issuer": names[0] if zh else names[1], "colour": colour_text}
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def decide(policy: Policy, data: Mapping[str, Any]) -> Decision:
    """Evaluate every requirement in order; the first one not met refuses the code.

    A requirement that cannot be evaluated (bad data for its logic) counts as not met: a
    checkpoint refuses what it cannot decide.
    """
    suffix = f" (policy {policy.label})"
    for index, requirement in enumerate(policy.requirements):
        try:
            met = certlogic.is_truthy(requirement.test(data))
        except (certlogic.CertLogicError, TypeError, ValueError):
            met = False
        if not met:
            return Decision(
                accepted=False,
                reason_zh=_fill(requirement.reason_zh, data, zh=True) + suffix,
                reason_en=_fill(requirement.reason_en, data, zh=False) + suffix,
                policy_id=policy.policy_id,
                version=policy.version,
                failed=index,
            )
    return Decision(
        accepted=True,
        reason_zh=_fill(policy.accept_zh, data, zh=True) + suffix,
        reason_en=_fill(policy.accept_en, data, zh=False) + suffix,
        policy_id=policy.policy_id,
        version=policy.version,
    )
