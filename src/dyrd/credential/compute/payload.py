"""Payload checkers: where a claim set keeps its payload and what makes that payload valid.

The verifier is the same for every claim set; only this part differs. ``DccChecker`` (in
``dcc``) checks EU DCC payloads; ``ClaimChecker`` takes a payload from any claim and checks it
with a function, for the platform's own credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from dyrd.credential.compute.cose import CoseError


@dataclass(frozen=True, slots=True)
class PayloadCheck:
    """The outcome of checking a payload, with the reason when it failed (English, Chinese)."""

    ok: bool
    reason: str = ""
    reason_zh: str = ""


PAYLOAD_OK = PayloadCheck(ok=True)


class PayloadChecker(Protocol):
    """Finds and checks the payload of a CWT claim set."""

    def payload(self, claims: Mapping[Any, Any]) -> Any:
        """The payload inside ``claims``; raises CoseError when it is not there."""
        ...

    def check(self, payload: Any) -> PayloadCheck:
        """Whether the payload is well formed (the verdict's ``schema`` step)."""
        ...

    def key_usage(self, payload: Any, usages: frozenset[str]) -> bool | None:
        """Whether a signer whose certificate lists EKU ``usages`` may sign this payload.

        None when key usage does not apply to this kind of payload.
        """
        ...


@dataclass(frozen=True, slots=True)
class ClaimChecker:
    """A checker for a private claim set: payload at ``claims[claim][key]`` (or ``claims[claim]``
    when ``key`` is None), checked by ``check``; key usage does not apply."""

    claim: int
    key: int | None
    check_payload: Callable[[Any], PayloadCheck]

    def payload(self, claims: Mapping[Any, Any]) -> Any:
        """The payload at the configured claim."""
        if self.claim not in claims:
            raise CoseError(f"the CWT has no claim {self.claim}")
        value = claims[self.claim]
        if self.key is None:
            return value
        if not isinstance(value, Mapping) or self.key not in value:
            raise CoseError(f"claim {self.claim} holds no map with entry {self.key}")
        return value[self.key]

    def check(self, payload: Any) -> PayloadCheck:
        """What ``check_payload`` says."""
        return self.check_payload(payload)

    def key_usage(self, payload: Any, usages: frozenset[str]) -> bool | None:
        """Not applicable."""
        return None
