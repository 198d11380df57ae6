"""HTTP routes of checkpoint verification under /api/v1/healthcode/checkpoint.

``POST /verify`` takes JSON ``{"text", "jurisdiction", "at"?}`` or a multipart form with an
``image`` file (or ``text``), ``jurisdiction`` and ``at``; the caller needs the viewer role (or
higher) in the checkpoint's jurisdiction, and the check is logged under that name. The answer
is a verdict (200) whether the code is accepted or not; 4xx only for a request that cannot be
understood. ``GET /policies`` lists the signed acceptance policies the node applies (stored
ones, and the bundled SAMPLE ones of jurisdictions that published none).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from dyrd.core.deps import ClockDep, PrincipalDep, SessionDep
from dyrd.core.errors import ConfigurationError, FieldError
from dyrd.healthcode import service
from dyrd.healthcode.checkpoint_schemas import (
    MAX_TEXT_CHARS,
    CheckpointVerdictRead,
    CheckpointVerify,
    PolicyRead,
)
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.ports import CredentialVerifier, RevocationView, TrustListView
from dyrd.healthcode.service.checkpoint import parse_at
from dyrd.healthcode.service.policies import PolicyBook, PolicyCache

MAX_IMAGE_BYTES = 4 * 1024 * 1024
"""Largest QR image accepted (a phone photo of a code; as the credential API)."""

router = APIRouter(prefix="/api/v1/healthcode/checkpoint", tags=["healthcode"])

_MULTIPART_SCHEMA = {
    "type": "object",
    "required": ["jurisdiction"],
    "properties": {
        "image": {"type": "string", "format": "binary", "description": "PNG or JPEG of the QR"},
        "text": {"type": "string", "description": "HC1 text (instead of an image)"},
        "jurisdiction": {"type": "string", "description": "The checkpoint's jurisdiction"},
        "at": {"type": "string", "description": "Validation time, ISO 8601"},
        "test_text": {"type": "string", "description": "EU DCC test certificate, HC1:..."},
    },
}
_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CheckpointVerify.model_json_schema()},
            "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
        },
    }
}


def _invalid(message: str, message_zh: str, errors: list[FieldError] | None = None) -> Exception:
    return HealthInputInvalid(
        message,
        message_zh,
        hint='POST JSON {"text": "HC1:...", "jurisdiction": "310000"} or multipart/form-data '
        "with an 'image' file and 'jurisdiction'.",
        errors=errors or [],
    )


def _wired(request: Request, name: str) -> Any:
    value = getattr(request.app.state, name, None)
    if value is None:
        raise ConfigurationError(
            f"The app is missing {name}.",
            "应用缺少必要的组件。",
            hint="Build the app with dyrd.bootstrap.build_app.",
        )
    return value


def policy_book(request: Request, session: Session) -> PolicyBook:
    """The node's policy book: the stored, signature-checked policies (bundled SAMPLE ones for
    jurisdictions that published none), rebuilt only when the policy table changes."""
    cache: PolicyCache | None = getattr(request.app.state, "healthcode_policy_cache", None)
    if cache is None:
        cache = PolicyCache(
            keystore=_wired(request, "trust_keystore"), clock=request.app.state.clock
        )
        request.app.state.healthcode_policy_cache = cache
    return cache.book(session)


async def _read_body(request: Request) -> tuple[str | bytes, str, str | None, str | None]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=8) as form:
            image, text = form.get("image"), form.get("text")
            jurisdiction, at = form.get("jurisdiction"), form.get("at")
            shown = form.get("test_text")
            test_text = shown if isinstance(shown, str) and len(shown) <= MAX_TEXT_CHARS else None
            if not isinstance(jurisdiction, str):
                raise _invalid("The form has no 'jurisdiction' field.", "表单缺少 jurisdiction。")
            if isinstance(image, UploadFile):
                data = await image.read(MAX_IMAGE_BYTES + 1)
                if len(data) > MAX_IMAGE_BYTES:
                    raise _invalid(
                        f"The image is larger than {MAX_IMAGE_BYTES} bytes.",
                        f"图片超过 {MAX_IMAGE_BYTES} 字节。",
                    )
                return data, jurisdiction, at if isinstance(at, str) else None, test_text
            if isinstance(text, str):
                return text, jurisdiction, at if isinstance(at, str) else None, test_text
            raise _invalid(
                "The form has neither an 'image' file nor a 'text' field.",
                "表单中缺少 image 文件或 text 字段。",
            )
    if content_type.startswith("application/json") or not content_type:
        try:
            body = CheckpointVerify.model_validate_json(await request.body())
        except ValidationError as exc:
            errors = [
                FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
                for e in exc.errors(include_url=False)
            ]
            raise _invalid(
                "The request body is not a valid checkpoint request.",
                "请求体不是有效的卡口验证请求。",
                errors,
            ) from None
        return body.text, body.jurisdiction, body.at, body.test_text
    raise _invalid(
        f"Unsupported content type {content_type.split(';')[0]!r}.", "不支持的请求内容类型。"
    )


@router.post("/verify", response_model=CheckpointVerdictRead, openapi_extra=_OPENAPI)
async def verify(
    request: Request, session: SessionDep, clock: ClockDep, principal: PrincipalDep
) -> CheckpointVerdictRead:
    """Verify a code offline at a checkpoint and apply its jurisdiction's acceptance policy."""
    value, jurisdiction, at, test_text = await _read_body(request)
    actor = service.checkpoint_actor(principal, jurisdiction)
    verifier: CredentialVerifier = _wired(request, "healthcode_codec")
    trust_list: TrustListView = _wired(request, "healthcode_trust_list")
    revocations = getattr(request.app.state, "healthcode_revocation", None)
    revocation: RevocationView | None = None if revocations is None else revocations(session)
    return service.verify_at_checkpoint(
        session,
        value,
        checkpoint_jurisdiction=jurisdiction,
        at=parse_at(at),
        clock=clock,
        actor=actor,
        verifier=verifier,
        trust_list=trust_list,
        revocation=revocation,
        policies=policy_book(request, session),
        tally=getattr(request.app.state, "healthcode_audit_tally", None),
        test_text=test_text,
    )


@router.get("/policies", response_model=list[PolicyRead])
def policies(
    request: Request,
    session: SessionDep,
    jurisdiction: Annotated[
        str | None, Query(min_length=6, max_length=6, description="e.g. 310000")
    ] = None,
) -> list[PolicyRead]:
    """The signed acceptance policies this node applies (public, as rules are)."""
    return service.list_policies(policy_book(request, session), jurisdiction=jurisdiction)
