"""Dashboard routes of health codes: colour map, rules, checkpoint, trust list and revocation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from dyrd.core.deps import ClockDep, SessionDep
from dyrd.healthcode.service.dashboard import DistributionCache
from dyrd.web import auth, checkpointpage, healthcodepage, trustpage
from dyrd.web.common import notice
from dyrd.web.i18n import Lang
from dyrd.web.render import page_lang, render

router = APIRouter(include_in_schema=False)

Param = Annotated[str | None, Query(max_length=64)]


@router.get(healthcodepage.PATH, response_class=HTMLResponse)
def colour_map(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Health-code colours per city on the map, with the counts per city and jurisdiction."""
    lang, remember = page_lang(request)
    cache = getattr(request.app.state, "healthcode_map_cache", None)
    if cache is None:  # one per app: the map is recomputed only when its inputs change
        cache = request.app.state.healthcode_map_cache = DistributionCache(clock=clock)
    page = healthcodepage.healthcode_map(session, lang=lang, at=clock(), cache=cache)
    return render(
        request,
        "healthcode.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


@router.get(healthcodepage.RULES_PATH, response_class=HTMLResponse)
def rules(
    request: Request, session: SessionDep, clock: ClockDep, jurisdiction: Param = None
) -> HTMLResponse:
    """The rule browser: every signed rule version with explanations and its CertLogic."""
    lang, remember = page_lang(request)
    page = healthcodepage.rules_page(session, lang=lang, at=clock(), jurisdiction=jurisdiction)
    return render(
        request,
        "hc_rules.html",
        {"page": page, "notices": page.notices},
        lang=lang,
        remember=remember,
    )


def _checkpoint(
    request: Request,
    lang: Lang,
    remember: Lang | None,
    *,
    form: checkpointpage.CheckpointForm,
    verdict: checkpointpage.VerdictView | None = None,
    notices: tuple[Any, ...] = (),
    status_code: int = 200,
) -> HTMLResponse:
    context = {"form": form, "verdict": verdict, "notices": notices}
    return render(
        request,
        "hc_checkpoint.html",
        context,
        lang=lang,
        remember=remember,
        status_code=status_code,
    )


@router.get(checkpointpage.PATH, response_class=HTMLResponse)
def checkpoint_form(request: Request) -> HTMLResponse:
    """Paste HC1 text or upload a QR image and choose the checkpoint's jurisdiction."""
    lang, remember = page_lang(request)
    return _checkpoint(request, lang, remember, form=checkpointpage.form(lang))


async def _read_form(request: Request) -> tuple[str, str, bytes, str, str]:
    """(csrf, jurisdiction, image bytes, image name, text) from the multipart form."""
    async with request.form(max_files=1, max_fields=8) as data:
        csrf = data.get("csrf")
        jurisdiction = data.get("jurisdiction")
        text = data.get("text")
        upload = data.get("image")
        image, name = b"", ""
        if isinstance(upload, UploadFile) and upload.filename:
            image = await upload.read(checkpointpage.MAX_IMAGE_BYTES + 1)
            name = upload.filename
    return (
        csrf if isinstance(csrf, str) else "",
        jurisdiction if isinstance(jurisdiction, str) else "",
        image,
        name,
        text[: checkpointpage.MAX_TEXT] if isinstance(text, str) else "",
    )


@router.post(checkpointpage.PATH, response_class=HTMLResponse)
async def checkpoint_verify(request: Request) -> HTMLResponse:
    """Verify the pasted or uploaded code at the chosen checkpoint and show the verdict."""
    lang, remember = page_lang(request)
    csrf, jurisdiction, image, name, text = await _read_form(request)
    if not auth.csrf_ok(request, csrf):
        return render(
            request,
            "refused.html",
            {"notices": (notice("notice.csrf"),)},
            lang=lang,
            remember=remember,
            status_code=403,
        )
    chosen = jurisdiction or checkpointpage.DEFAULT_JURISDICTION
    keep = checkpointpage.form(lang, chosen=chosen, text="" if image else text)
    problem = checkpointpage.input_problem(text, image, jurisdiction)
    if problem is None and len(image) > checkpointpage.MAX_IMAGE_BYTES:
        problem = notice("cp.unavailable", reason=f"> {checkpointpage.MAX_IMAGE_BYTES} B")
    if problem is not None:
        return _checkpoint(request, lang, remember, form=keep, notices=(problem,), status_code=422)
    if auth.viewer(request) is None:
        return _checkpoint(
            request, lang, remember, form=keep, notices=(notice("cp.signin"),), status_code=401
        )
    upload = (name, image, "application/octet-stream") if image else None
    data, trouble, status = await checkpointpage.verify_with_service(
        request, jurisdiction=jurisdiction, text=None if image else text.strip(), image=upload
    )
    if data is None:
        return _checkpoint(
            request, lang, remember, form=keep, notices=(trouble,), status_code=status
        )
    verdict = checkpointpage.verdict_view(data, lang)
    return _checkpoint(request, lang, remember, form=keep, verdict=verdict)


@router.get(trustpage.PATH, response_class=HTMLResponse)
def trust_status(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Trust-list version, CSCA and DSCs; revocation lists per issuer; this node's sync."""
    lang, remember = page_lang(request)
    page = trustpage.trust_page(
        session,
        lang=lang,
        clock=clock,
        keystore=getattr(request.app.state, "trust_keystore", None),
        sync_client=getattr(request.app.state, "credential_revocation_client", None),
        trust_list=getattr(request.app.state, "healthcode_trust_list", None),
    )
    return render(request, "hc_trust.html", {"page": page}, lang=lang, remember=remember)
