"""Dashboard routes of data exchange: the public flow map, token sign-in, requests and answers."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.deps import ClockDep, SessionDep
from dyrd.core.errors import DyrdError
from dyrd.exchange import AccessPolicy, AccessRequestCreate, DecisionCreate
from dyrd.exchange import service as exchange
from dyrd.web import auth, flowspage, requestspage
from dyrd.web.common import Notice, notice
from dyrd.web.i18n import Lang
from dyrd.web.render import page_lang, render

router = APIRouter(include_in_schema=False)
SIGNIN = "/signin"

Field = Annotated[str, Form()]
OptField = Annotated[str | None, Form()]
ListField = Annotated[list[str] | None, Form()]


def policy_of(request: Request) -> AccessPolicy:
    """The access policy the app is configured with (the workflow's defaults otherwise)."""
    policy = getattr(request.app.state, "exchange_access_policy", None)
    return policy if isinstance(policy, AccessPolicy) else AccessPolicy()


def _flows(request: Request) -> flowspage.FlowTally:
    tally: flowspage.FlowTally | None = getattr(request.app.state, "web_flow_tally", None)
    if tally is None:
        tally = flowspage.FlowTally()
        request.app.state.web_flow_tally = tally
    return tally


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _to_signin(request: Request) -> RedirectResponse:
    """Back to the sign-in form, which says why and returns here afterwards."""
    target = request.url.path
    response = _see_other(f"{SIGNIN}?{urlencode({'next': target, 'why': 'required'})}")
    if request.cookies.get(auth.SESSION_COOKIE):  # a token that stopped working: forget it
        auth.sign_out(response, request)
    return response


def _csrf_refused(request: Request, lang: Lang, remember: Lang | None) -> HTMLResponse:
    return render(
        request,
        "refused.html",
        {"notices": (notice("notice.csrf"),)},
        lang=lang,
        remember=remember,
        status_code=403,
    )


@router.get(flowspage.PATH, response_class=HTMLResponse)
def flows(request: Request, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    """Exchanges between members through the gateway, counted from the audit ledger."""
    lang, remember = page_lang(request)
    page = flowspage.flows_page(session, lang=lang, clock=clock, flows=_flows(request))
    return render(request, "exchange.html", {"page": page}, lang=lang, remember=remember)


@router.get(SIGNIN, response_class=HTMLResponse)
def signin_form(request: Request) -> HTMLResponse:
    """Paste an API token to sign in."""
    lang, remember = page_lang(request)
    q = request.query_params
    notices = (notice("notice.signin_required"),) if q.get("why") == "required" else ()
    context = {"next": auth.safe_next(q.get("next")), "notices": notices}
    return render(request, "signin.html", context, lang=lang, remember=remember)


@router.post(SIGNIN, response_class=HTMLResponse)
def signin(
    request: Request,
    token: Annotated[str, Form()] = "",
    csrf: OptField = None,
    next_url: Annotated[str | None, Form(alias="next")] = None,
) -> Response:
    """Verify the token with the API's authenticator and keep it in the session cookie."""
    lang, remember = page_lang(request)
    target = auth.safe_next(next_url)
    if not auth.csrf_ok(request, csrf):
        return _csrf_refused(request, lang, remember)
    token = token.strip()
    try:
        principal = auth.resolve(request, token) if 0 < len(token) <= 512 else None
    except DyrdError:
        principal = None
    if principal is None:
        context = {"next": target, "notices": (notice("notice.signin_failed"),)}
        return render(
            request, "signin.html", context, lang=lang, remember=remember, status_code=401
        )
    response = _see_other(target)
    auth.sign_in(response, request, token)
    request.state.dyrd_viewer = principal
    return response


@router.post("/signout")
def signout(request: Request, csrf: OptField = None) -> Response:
    """Forget the session cookie."""
    lang, remember = page_lang(request)
    if not auth.csrf_ok(request, csrf):
        return _csrf_refused(request, lang, remember)
    response = _see_other("/")
    auth.sign_out(response, request)
    return response


@router.get(requestspage.PATH, response_class=HTMLResponse)
def my_requests(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """The signed-in user's requests as consumer and as owner, and their grants."""
    principal = auth.viewer(request)
    if principal is None:
        return _to_signin(request)
    lang, remember = page_lang(request)
    page = requestspage.requests_page(session, principal=principal, clock=clock, lang=lang)
    return render(request, "requests.html", {"page": page}, lang=lang, remember=remember)


def _detail(
    request: Request,
    session: Session,
    clock: Clock,
    request_id: str,
    principal: Principal,
    *,
    notices: tuple[Notice, ...] = (),
    status_code: int = 200,
) -> HTMLResponse:
    lang, remember = page_lang(request)
    try:
        detail = requestspage.request_detail(
            session, request_id, principal=principal, clock=clock, lang=lang
        )
    except DyrdError as exc:
        session.rollback()
        return render(
            request,
            "refused.html",
            {"notices": requestspage.error_notices(exc)},
            lang=lang,
            remember=remember,
            status_code=requestspage.error_status(exc),
        )
    if request.query_params.get("done") in ("approved", "refused", "submitted"):
        notices = (notice(f"notice.req.{request.query_params['done']}"), *notices)
    return render(
        request,
        "request.html",
        {"page": detail, "notices": notices, "max_days": policy_of(request).max_grant_days},
        lang=lang,
        remember=remember,
        status_code=status_code,
    )


@router.get(requestspage.PATH + "/{request_id}", response_class=HTMLResponse)
def one_request(
    request: Request, session: SessionDep, clock: ClockDep, request_id: str
) -> Response:
    """One request; its owner's data steward answers it here."""
    principal = auth.viewer(request)
    if principal is None:
        return _to_signin(request)
    return _detail(request, session, clock, request_id[:64], principal)


@router.post(requestspage.PATH + "/{request_id}/decision", response_class=HTMLResponse)
def answer(
    *,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    request_id: str,
    decision: Field = "",
    csrf: OptField = None,
    reason: OptField = None,
    fields: ListField = None,
    duration_days: OptField = None,
) -> Response:
    """Approve (possibly fewer fields, a shorter time) or refuse with a reason."""
    principal = auth.viewer(request)
    if principal is None:
        return _to_signin(request)
    lang, remember = page_lang(request)
    if not auth.csrf_ok(request, csrf):
        return _csrf_refused(request, lang, remember)
    request_id = request_id[:64]
    data: dict[str, Any] = {"decision": decision}
    if decision == "refuse":
        data["reason"] = (reason or "").strip() or None
    elif decision == "approve":
        # A service resource is requested without fields: then the approval names none either.
        data["fields"] = list(fields) if fields else None
        if duration_days and duration_days.strip():
            data["duration_days"] = duration_days.strip()
    try:
        body = DecisionCreate.model_validate(data)
        if body.decision == "approve" and body.fields is None:
            asked = exchange.get_request(session, request_id, principal=principal, clock=clock)
            if asked.fields:  # unticking every field is not "approve as requested"
                return _detail(
                    request,
                    session,
                    clock,
                    request_id,
                    principal,
                    notices=(notice("notice.fields_required"),),
                    status_code=400,
                )
        exchange.decide(session, request_id, body, principal=principal, clock=clock)
    except ValidationError as exc:
        return _detail(
            request,
            session,
            clock,
            request_id,
            principal,
            notices=_decision_notices(exc, decision),
            status_code=400,
        )
    except DyrdError as exc:
        session.rollback()
        return _detail(
            request,
            session,
            clock,
            request_id,
            principal,
            notices=requestspage.error_notices(exc),
            status_code=requestspage.error_status(exc),
        )
    done = "approved" if decision == "approve" else "refused"
    return _see_other(f"{requestspage.PATH}/{request_id}?done={done}")


def _decision_notices(exc: ValidationError, decision: str) -> tuple[Notice, ...]:
    if decision == "refuse":
        return (notice("notice.reason_required"),)
    if decision not in ("approve", "refuse"):
        return (notice("notice.decision_missing"),)
    return requestspage.invalid_notices(exc)


@router.post("/catalog/{ref}/request", response_class=HTMLResponse)
def ask(
    *,
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    ref: str,
    csrf: OptField = None,
    consumer_member: Field = "",
    purpose_code: Field = "",
    purpose_zh: Field = "",
    purpose_en: Field = "",
    legal_basis: Field = "",
    fields: ListField = None,
    duration_days: Field = "",
) -> Response:
    """Submit an access request for one of the signed-in user's members."""
    principal = auth.viewer(request)
    if principal is None:
        return _to_signin(request)
    lang, remember = page_lang(request)
    if not auth.csrf_ok(request, csrf):
        return _csrf_refused(request, lang, remember)
    back = f"/catalog/{ref[:100]}"
    try:
        body = AccessRequestCreate.model_validate(
            {
                "resource": ref[:100],
                "consumer_member": consumer_member,
                "purpose_code": purpose_code,
                "purpose_zh": purpose_zh.strip(),
                "purpose_en": purpose_en.strip(),
                "legal_basis": legal_basis.strip(),
                "fields": list(fields or []),
                "duration_days": duration_days.strip() or 90,
            }
        )
        made = exchange.request_access(
            session, body, principal=principal, clock=clock, policy=policy_of(request)
        )
    except ValidationError as exc:
        notices = requestspage.invalid_notices(exc)
        status = 400
    except DyrdError as exc:
        session.rollback()
        notices = requestspage.error_notices(exc)
        status = requestspage.error_status(exc)
    else:
        return _see_other(f"{requestspage.PATH}/{made.id}?done=submitted")
    return render(
        request,
        "refused.html",
        {"notices": notices, "back_href": back},
        lang=lang,
        remember=remember,
        status_code=status,
    )
