"""Pure value types of the credential domain: verification steps and the verdict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Step(StrEnum):
    """One step of HC1 verification, in the order they run (the keys of a verdict's ``steps``)."""

    PREFIX = "prefix"
    BASE45 = "base45"
    ZLIB = "zlib"
    COSE = "cose"
    CBOR = "cbor"
    SIGNATURE = "signature"
    KEY_USAGE = "key_usage"
    EXPIRY = "expiry"
    SCHEMA = "schema"


STEPS: tuple[Step, ...] = tuple(Step)
"""Every step in order."""

StepResults = Mapping[Step, bool | None]
"""Each step: True passed, False failed, None not reached or not applicable."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of verifying one credential: each step, and why in English and Chinese.

    ``valid`` is True only when no step failed and the signature, expiry and schema steps passed.
    ``claims`` holds the decoded CWT claims when the CBOR step was reached (for display, policy
    and revocation; trust it only when ``valid``).
    """

    steps: StepResults
    reason: str
    reason_zh: str
    kid: bytes | None = None
    alg: int | None = None
    claims: Mapping[int, Any] | None = field(default=None, repr=False)
    signature: bytes | None = field(default=None, repr=False)
    """The COSE signature as found once the COSE step passed: with ``kid``, ``alg`` and
    ``claims`` it is everything revocation needs, so a checkpoint never decodes the text twice."""

    @property
    def valid(self) -> bool:
        """True when every step that ran passed and the decisive ones ran."""
        if any(v is False for v in self.steps.values()):
            return False
        return all(self.steps.get(s) is True for s in (Step.SIGNATURE, Step.EXPIRY, Step.SCHEMA))

    @property
    def failed_step(self) -> Step | None:
        """The first step that failed, if any."""
        for step in STEPS:
            if self.steps.get(step) is False:
                return step
        return None

    def as_dict(self) -> dict[str, Any]:
        """JSON form used by the CLI and the API: ``{"valid", "steps", "reason"}`` plus extras."""
        return {
            "valid": self.valid,
            "steps": {s.value: self.steps.get(s) for s in STEPS},
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "kid": self.kid.hex() if self.kid is not None else None,
            "alg": self.alg,
        }
