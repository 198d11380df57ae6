"""HTTP routes of acceptance policies under /api/v1/healthcode/policies.

Reads are public, as the rule browser is (a policy is what a checkpoint applies to everyone);
publishing needs the data-steward role in the policy's jurisdiction and signs with that
jurisdiction member's key, as ``POST /api/v1/healthcode/rules`` does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from dyrd import trust
from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError
from dyrd.healthcode import service
from dyrd.healthcode.checkpoint_schemas import PolicyPublish, PolicyRead

router = APIRouter(prefix="/api/v1/healthcode/policies", tags=["healthcode"])

PolicyId = Annotated[str, Path(min_length=1, max_length=16, description="e.g. SH-ACC-001")]


def _keystore(request: Request) -> trust.KeyStore:
    keystore: trust.KeyStore | None = getattr(request.app.state, "trust_keystore", None)
    if keystore is None:
        raise ConfigurationError(
            "The app is missing trust_keystore.",
            "应用缺少密钥库。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return keystore


@router.get("", response_model=list[PolicyRead])
def list_policies(
    session: SessionDep,
    jurisdiction: Annotated[
        str | None, Query(min_length=6, max_length=6, description="e.g. 310000")
    ] = None,
) -> list[PolicyRead]:
    """Every stored policy version, with whether its signature verifies (public)."""
    return service.stored_policies(session, jurisdiction=jurisdiction)


@router.post("", response_model=PolicyRead, status_code=201)
def publish_policy(
    *,
    request: Request,
    body: PolicyPublish,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> PolicyRead:
    """Check, sign with the jurisdiction's key and publish an acceptance policy version."""
    return service.publish_policy(
        session, body.document, principal=principal, clock=clock, keystore=_keystore(request)
    )


@router.get("/{policy_id}", response_model=PolicyRead)
def show_policy(policy_id: PolicyId, session: SessionDep) -> PolicyRead:
    """The newest stored version of one policy."""
    return service.show_policy(session, policy_id)


@router.get("/{policy_id}/history", response_model=list[PolicyRead])
def policy_history(policy_id: PolicyId, session: SessionDep) -> list[PolicyRead]:
    """Every stored version of one policy, oldest first."""
    return service.policy_history(session, policy_id)


@router.get("/{policy_id}/versions/{version}", response_model=PolicyRead)
def policy_version(
    policy_id: PolicyId,
    version: Annotated[int, Path(ge=1, le=9999)],
    session: SessionDep,
) -> PolicyRead:
    """One stored version of one policy."""
    return service.show_policy(session, policy_id, version)
