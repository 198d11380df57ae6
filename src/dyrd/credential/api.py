"""HTTP routes of credential verification under /api/v1/credential.

Verification is public, as a checkpoint needs it: the answer is always a verdict (200) whether the
credential is valid or not; 4xx only for a request that cannot be understood.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from dyrd.core.deps import ClockDep
from dyrd.core.errors import FieldError
from dyrd.credential import service
from dyrd.credential.compute.qr import MAX_IMAGE_BYTES
from dyrd.credential.errors import CredentialRequestInvalid, CredentialTooLarge
from dyrd.credential.ports import CertificateSource
from dyrd.credential.schemas import MAX_CERTIFICATES, VerdictRead, VerifyRequest

_MULTIPART_SCHEMA = {
    "type": "object",
    "properties": {
        "image": {"type": "string", "format": "binary", "description": "PNG or JPEG of the QR"},
        "text": {"type": "string", "description": "HC1 text (instead of an image)"},
        "certificate": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Document-signer certificate, base64 DER (repeat the field)",
        },
        "at": {"type": "string", "description": "Validation time, ISO 8601"},
    },
}

_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": VerifyRequest.model_json_schema()},
            "multipart/form-data": {"schema": _MULTIPART_SCHEMA},
        },
    }
}


def _invalid(message: str, message_zh: str, errors: list[FieldError] | None = None) -> Exception:
    return CredentialRequestInvalid(
        message,
        message_zh,
        hint='POST JSON {"text": "HC1:..."} or multipart/form-data with an \'image\' file.',
        errors=errors or [],
    )


async def _json_request(request: Request) -> VerifyRequest:
    body = await request.body()
    try:
        return VerifyRequest.model_validate_json(body)
    except ValidationError as exc:
        errors = [
            FieldError(".".join(str(p) for p in e["loc"]) or "body", e["msg"])
            for e in exc.errors(include_url=False)
        ]
        raise _invalid(
            "The request body is not a valid verification request.",
            "请求体不是有效的验证请求。",
            errors,
        ) from None


async def _read_image(upload: UploadFile) -> bytes:
    data = await upload.read(MAX_IMAGE_BYTES + 1)
    if len(data) > MAX_IMAGE_BYTES:
        raise CredentialTooLarge(
            f"The image is larger than {MAX_IMAGE_BYTES} bytes.",
            f"图片超过 {MAX_IMAGE_BYTES} 字节。",
            hint="Send a photo or screenshot of the QR code, not a full-resolution scan.",
        )
    return data


def build_router(*, source: Callable[[], CertificateSource | None] = lambda: None) -> APIRouter:
    """The credential routes; ``source`` gives the trust list's certificate source (or None)."""
    router = APIRouter(prefix="/api/v1/credential", tags=["credential"])

    @router.post("/verify", response_model=VerdictRead, openapi_extra=_OPENAPI)
    async def verify(request: Request, clock: ClockDep) -> VerdictRead:
        """Verify an HC1 credential given as text (JSON) or a QR image (multipart upload)."""
        content_type = request.headers.get("content-type", "")
        kwargs: dict[str, Any]
        if content_type.startswith("multipart/form-data"):
            async with request.form(max_files=1, max_fields=MAX_CERTIFICATES + 4) as form:
                image, text = form.get("image"), form.get("text")
                certificates = [c for c in form.getlist("certificate") if isinstance(c, str)]
                at = form.get("at")
                if isinstance(image, UploadFile):
                    kwargs = {"image": await _read_image(image)}
                elif isinstance(text, str):
                    kwargs = {"text": text}
                else:
                    raise _invalid(
                        "The form has neither an 'image' file nor a 'text' field.",
                        "表单中缺少 image 文件或 text 字段。",
                    )
            kwargs.update(certificates=certificates, at=at if isinstance(at, str) else None)
        elif content_type.startswith("application/json") or not content_type:
            body = await _json_request(request)
            kwargs = {"text": body.text, "certificates": body.certificates, "at": body.at}
        else:
            raise _invalid(
                f"Unsupported content type {content_type.split(';')[0]!r}.",
                "不支持的请求内容类型。",
            )
        verdict = service.verify_credential(**kwargs, source=source(), clock=clock)
        return VerdictRead.of(verdict)

    return router


router = build_router()
"""The routes with explicit certificates only (bootstrap wires the trust list with build_router)."""
