"""The checkpoint page: paste HC1 text or upload a QR image, choose where the checkpoint is, read
the verdict step by step.

The form posts (with the CSRF field) to this page, which hands the code to the health-code
checkpoint service, ``POST /api/v1/healthcode/checkpoint/verify``, in process (an ASGI call, no
network) with the signed-in officer's token. So the page and the API share one request parser,
one wiring of trust list, revocations and policies, and one permission check (viewer of the
checkpoint's jurisdiction), and the check is logged in the resident's access log under the
officer's name, exactly as through the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import Request

from dyrd.credential import STEPS
from dyrd.web import auth
from dyrd.web.common import Notice, notice
from dyrd.web.healthcodepage import JURISDICTION_NAMES, jurisdiction_name
from dyrd.web.i18n import CATALOG, Lang, t

PATH = "/healthcode/checkpoint"
SERVICE_PATH = "/api/v1/healthcode/checkpoint/verify"
MAX_TEXT = 8192
"""Longest pasted text passed on (an HC1 code is under 500 characters; the service refuses
longer text with a verdict, this only keeps a pasted novel out of the request)."""
MAX_IMAGE_BYTES = 8 * 1024 * 1024
"""As the credential domain's QR reader (``dyrd.credential.compute.qr.MAX_IMAGE_BYTES``)."""
EXTRA_STEPS = ("revocation", "policy")
NO_NOTICE = Notice(zh="", en="")
DEFAULT_JURISDICTION = "310000"


@dataclass(frozen=True, slots=True)
class StepView:
    """One verification step: ✓ passed, ✗ failed, – not reached or not applicable."""

    key: str
    label: str
    state: str  # "pass" | "fail" | "skip"
    mark: str
    note: str


@dataclass(frozen=True, slots=True)
class VerdictView:
    """A verdict as the page shows it (reasons in both languages, page language first).

    ``valid`` is the checkpoint's answer (the service's ``accepted``: the code verified and the
    checkpoint's policy lets it through); ``code_valid`` whether the code itself verified.
    """

    valid: bool
    code_valid: bool | None
    steps: tuple[StepView, ...]
    colour: str
    colour_label: str
    issuer: str
    reason: str
    reason_other: str
    policy: str
    holder: str
    trust_list: str
    logged: bool


@dataclass(frozen=True, slots=True)
class CheckpointForm:
    """The form's choices and what was submitted."""

    jurisdictions: tuple[tuple[str, str], ...]
    chosen: str
    text: str


def form(lang: Lang, *, chosen: str = DEFAULT_JURISDICTION, text: str = "") -> CheckpointForm:
    """The checkpoint form with the four jurisdictions."""
    options = tuple((code, jurisdiction_name(code, lang)) for code in JURISDICTION_NAMES)
    return CheckpointForm(jurisdictions=options, chosen=chosen, text=text)


def _step_label(key: str, lang: Lang) -> str:
    name = f"step.{key}"
    return t(name, lang) if name in CATALOG else key


def _mark(value: object) -> tuple[str, str]:
    if value is True:
        return "pass", "✓"
    if value is False:
        return "fail", "✗"
    return "skip", "–"


def verdict_view(data: Mapping[str, Any], lang: Lang) -> VerdictView:
    """The page's view of a checkpoint verdict (the service's JSON)."""
    raw_steps = data.get("steps")
    steps_in: Mapping[str, Any] = raw_steps if isinstance(raw_steps, Mapping) else {}
    order = [s.value for s in STEPS] + list(EXTRA_STEPS)
    order += [k for k in steps_in if k not in order]
    notes = {"pass": "cp.step.pass", "fail": "cp.step.fail", "skip": "cp.step.skip"}
    steps = []
    for key in order:
        state, mark = _mark(steps_in.get(key))
        steps.append(StepView(key, _step_label(key, lang), state, mark, t(notes[state], lang)))
    colour = str(data.get("colour") or "")
    if colour not in ("green", "yellow", "red") or steps_in.get("signature") is not True:
        colour = ""  # a colour is only shown once the signature holds
    issuer_code = str(data.get("issuing_jurisdiction") or data.get("issuer_jurisdiction") or "")
    reason_en = str(data.get("reason") or "")
    reason_zh = str(data.get("reason_zh") or "")
    accepted = data.get("accepted", data.get("valid")) is True
    return VerdictView(
        valid=accepted,
        code_valid=data["valid"] is True if "accepted" in data and "valid" in data else None,
        steps=tuple(steps),
        colour=colour,
        colour_label=t(f"colour.{colour}", lang) if colour else "",
        issuer=jurisdiction_name(issuer_code, lang) if issuer_code else "",
        reason=reason_zh if lang == "zh" else reason_en,
        reason_other=reason_en if lang == "zh" else reason_zh,
        policy=_policy(data, lang),
        holder=_holder(data, lang),
        trust_list=_trust_list(data, lang),
        logged=data.get("logged") is True,
    )


def _policy(data: Mapping[str, Any], lang: Lang) -> str:
    policy_id, version = data.get("policy_id"), data.get("policy_version")
    if not policy_id:
        return ""
    return f"{policy_id} {t('rules.version', lang, v=version)}" if version else str(policy_id)


def _holder(data: Mapping[str, Any], lang: Lang) -> str:
    holder = data.get("holder")
    if not isinstance(holder, Mapping) or not holder.get("initials"):
        return ""
    return t("cp.holder.value", lang, initials=holder["initials"], year=holder.get("birth_year"))


def _trust_list(data: Mapping[str, Any], lang: Lang) -> str:
    held = data.get("trust_list")
    if not isinstance(held, Mapping) or held.get("state") not in ("valid", "expired", "missing"):
        return ""
    state = t(f"cp.trust.{held['state']}", lang)
    version = held.get("version")
    return t("cp.trust_list.value", lang, state=state, version=version) if version else state


def _problem_notice(response: httpx.Response) -> Notice:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = str(body.get("detail") or response.reason_phrase or response.status_code)
    detail_zh = str(body.get("detail_zh") or detail)
    return Notice(
        zh=t("cp.unavailable", "zh", reason=detail_zh[:300]),
        en=t("cp.unavailable", "en", reason=detail[:300]),
    )


async def verify_with_service(
    request: Request,
    *,
    jurisdiction: str,
    text: str | None,
    image: tuple[str, bytes, str] | None,
) -> tuple[dict[str, Any] | None, Notice, int]:
    """(verdict JSON, -, 200), or (None, why there is none, the service's status)."""
    headers = {"Accept": "application/json"}
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    if not token or auth.viewer(request) is None:
        return None, notice("cp.signin"), 401
    headers["Authorization"] = f"Bearer {token}"
    transport = httpx.ASGITransport(app=request.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://checkpoint.local") as c:
        if image is not None:
            response = await c.post(
                SERVICE_PATH,
                data={"jurisdiction": jurisdiction},
                files={"image": image},
                headers=headers,
            )
        else:
            response = await c.post(
                SERVICE_PATH, json={"text": text, "jurisdiction": jurisdiction}, headers=headers
            )
    if response.status_code == 200:  # the service answers every verdict with 200
        body = response.json()
        if isinstance(body, dict):
            return body, NO_NOTICE, 200
    return None, _problem_notice(response), response.status_code if response.is_error else 502


def input_problem(text: str, image: bytes, jurisdiction: str) -> Notice | None:
    """What is wrong with the submitted form, if anything."""
    if jurisdiction not in JURISDICTION_NAMES:
        return notice("cp.bad_jurisdiction")
    if not text.strip() and not image:
        return notice("cp.need_input")
    return None
