"""Page models of the signed-in steward's access requests: lists, one request, the forms.

Everything goes through the exchange service with the signed-in principal, so the pages follow
the API's rules exactly (who may see, request, approve or refuse). A refusal by the service is a
bilingual notice on the page, never an error page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import (
    AuthenticationRequired,
    ConflictError,
    DyrdError,
    NotFoundError,
    PermissionDenied,
)
from dyrd.core.types import Role
from dyrd.exchange import AccessRequestRead, GrantRead, PurposeCode
from dyrd.exchange import service as exchange
from dyrd.web.catalogpage import PATH as CATALOG_PATH
from dyrd.web.catalogpage import Names, names
from dyrd.web.common import Notice, clip, local_date, local_time
from dyrd.web.i18n import Lang, t

PATH = "/exchange/requests"
LIST_LIMIT = 100


def error_notices(exc: DyrdError) -> tuple[Notice, ...]:
    """A service's refusal as bilingual notices: the message, then each field's problem."""
    out = [Notice(zh=exc.message_zh or exc.message, en=exc.message)]
    out.extend(
        Notice(zh=e.message_zh or e.message, en=e.message)
        for e in exc.errors
        if e.message and e.message != exc.message
    )
    return tuple(out)


def invalid_notices(exc: ValidationError) -> tuple[Notice, ...]:
    """A form that does not fit the API schema, one notice per problem."""
    out = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "form"
        what = clip(str(err.get("msg", "")), 120)
        out.append(
            Notice(
                zh=t("form.invalid", "zh", field=where, problem=what),
                en=t("form.invalid", "en", field=where, problem=what),
            )
        )
    return tuple(out)


def error_status(exc: DyrdError) -> int:
    """The HTTP status a page with this refusal is served with (as the API would answer)."""
    if isinstance(exc, AuthenticationRequired):
        return 401
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError):
        return 409
    return 400


def purpose_label(code: PurposeCode | str, lang: Lang) -> str:
    """A purpose code in ``lang``."""
    return t(f"purpose.{PurposeCode(code).value}", lang)


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One access request as the lists and the detail page show it."""

    id: str
    href: str
    status: str
    status_label: str
    resource_name: str
    resource_href: str
    consumer: str
    consumer_name: str
    owner: str
    owner_name: str
    purpose_label: str
    purpose: str
    legal_basis: str
    fields: tuple[str, ...]
    duration_days: int
    submitted: str
    submitted_by: str
    deadline: str
    overdue: bool
    decision_reason: str
    decided: str
    decided_by: str
    grant_id: str


def request_row(r: AccessRequestRead, who: Names, lang: Lang) -> RequestRow:
    """An access request, formatted."""
    purpose = r.purpose_zh if lang == "zh" or not r.purpose_en else r.purpose_en
    return RequestRow(
        id=r.id,
        href=f"{PATH}/{r.id}",
        status=r.status.value,
        status_label=t(f"req.status.{r.status.value}", lang),
        resource_name=r.resource_name,
        resource_href=f"{CATALOG_PATH}/{r.resource_name}",
        consumer=r.consumer_member,
        consumer_name=who.owner(r.consumer_member, lang),
        owner=r.owner_member,
        owner_name=who.owner(r.owner_member, lang),
        purpose_label=purpose_label(r.purpose_code, lang),
        purpose=purpose,
        legal_basis=r.legal_basis,
        fields=tuple(r.fields),
        duration_days=r.duration_days,
        submitted=local_time(r.submitted_at),
        submitted_by=r.submitted_by,
        deadline=r.due_date.isoformat() if r.due_date else "",
        overdue=r.overdue,
        decision_reason=r.decision_reason or "",
        decided=local_time(r.decided_at),
        decided_by=r.decided_by or "",
        grant_id=r.grant_id or "",
    )


@dataclass(frozen=True, slots=True)
class GrantRow:
    """One grant, formatted."""

    id: str
    request_href: str
    status: str
    status_label: str
    consumer_name: str
    owner_name: str
    fields: tuple[str, ...]
    valid_until: str


def grant_row(g: GrantRead, who: Names, lang: Lang) -> GrantRow:
    """A grant, formatted."""
    return GrantRow(
        id=g.id,
        request_href=f"{PATH}/{g.request_id}",
        status=g.status.value,
        status_label=t(f"grant.status.{g.status.value}", lang),
        consumer_name=who.owner(g.consumer_member, lang),
        owner_name=who.owner(g.owner_member, lang),
        fields=tuple(g.fields),
        valid_until=local_date(g.valid_until),
    )


@dataclass(frozen=True, slots=True)
class RequestsPage:
    """The signed-in user's requests, as consumer and as owner, and their grants."""

    as_consumer: tuple[RequestRow, ...]
    as_owner: tuple[RequestRow, ...]
    grants: tuple[GrantRow, ...]
    consumer_total: int
    owner_total: int
    grants_total: int


def requests_page(
    session: Session, *, principal: Principal, clock: Clock, lang: Lang
) -> RequestsPage:
    """Up to ``LIST_LIMIT`` of each list, newest first."""
    who = names(session, [])
    mine = exchange.list_requests(
        session, principal=principal, clock=clock, side="consumer", limit=LIST_LIMIT
    )
    theirs = exchange.list_requests(
        session, principal=principal, clock=clock, side="owner", limit=LIST_LIMIT
    )
    grants = exchange.list_grants(session, principal=principal, clock=clock, limit=LIST_LIMIT)
    return RequestsPage(
        as_consumer=tuple(request_row(r, who, lang) for r in mine.items),
        as_owner=tuple(request_row(r, who, lang) for r in theirs.items),
        grants=tuple(grant_row(g, who, lang) for g in grants.items),
        consumer_total=mine.total,
        owner_total=theirs.total,
        grants_total=grants.total,
    )


@dataclass(frozen=True, slots=True)
class RequestDetail:
    """One request, and whether the viewer may answer it."""

    row: RequestRow
    can_decide: bool


def request_detail(
    session: Session, request_id: str, *, principal: Principal, clock: Clock, lang: Lang
) -> RequestDetail:
    """One request the viewer is a party to (the service refuses anyone else)."""
    r = exchange.get_request(session, request_id, principal=principal, clock=clock)
    row = request_row(r, names(session, []), lang)
    can = r.status.value == "pending" and principal.has_role(Role.DATA_STEWARD, r.owner_member)
    return RequestDetail(row=row, can_decide=can)


@dataclass(frozen=True, slots=True)
class Option:
    """A choice of a select."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class RequestForm:
    """The "request access" form of a resource page, for a signed-in user."""

    action: str
    members: tuple[Option, ...]
    purposes: tuple[Option, ...]
    fields: tuple[str, ...]
    needs_fields: bool
    max_days: int


def _belongs(member: str, owner: str) -> bool:
    return member == owner or member.startswith(owner + "/")


def request_form(
    principal: Principal | None,
    *,
    ref: str,
    owner: str,
    sharing: str,
    withdrawn: bool,
    columns: Sequence[str],
    is_table: bool,
    max_days: int,
    who: Names,
    lang: Lang,
) -> RequestForm | None:
    """The form, when the viewer may ask for this resource for at least one member."""
    if principal is None or withdrawn or sharing == "not_shared":
        return None
    members = tuple(
        Option(m, who.owner(m, lang))
        for m, roles in sorted(principal.roles.items())
        if any(r.rank >= Role.ANALYST.rank for r in roles) and not _belongs(m, owner)
    )
    if not members:
        return None
    return RequestForm(
        action=f"{CATALOG_PATH}/{ref}/request",
        members=members,
        purposes=tuple(Option(p.value, purpose_label(p, lang)) for p in PurposeCode),
        fields=tuple(columns),
        needs_fields=is_table,
        max_days=max_days,
    )
