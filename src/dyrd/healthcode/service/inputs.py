"""Recording what decides colours: stays, risk-area lists, tests, vaccinations, flags, symptoms.

Every input is checked field by field with bilingual messages, and nothing is stored unless all
of it is valid (a CSV import is all or nothing, listing each bad row and column).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.errors import FieldError, PayloadTooLarge
from dyrd.core.types import Role
from dyrd.healthcode.compute.features import local_date
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.models import (
    ContactFlag,
    RiskArea,
    RiskList,
    Stay,
    SymptomDeclaration,
    TestRecord,
    Vaccination,
)
from dyrd.healthcode.repository import HealthcodeRepository
from dyrd.healthcode.schemas import (
    ContactCreate,
    ImportReport,
    InputRecorded,
    RiskAreaIn,
    RiskListCreate,
    RiskListRead,
    StayCreate,
    SymptomCreate,
    TestCreate,
    VaccinationCreate,
)
from dyrd.healthcode.service._common import (
    acting,
    cities,
    city_problems,
    jurisdiction_problem,
    raise_if_any,
    require_resident,
)

MAX_CSV_BYTES = 50 * 1024 * 1024
MAX_CSV_ROWS = 200_000


def _not_future(day: date, today: date, location: str) -> FieldError | None:
    if day <= today:
        return None
    return FieldError(location, "Lies in the future.", "日期晚于今天。", value=day.isoformat())


def _stamp(actor: Actor, at: datetime) -> dict[str, Any]:
    return {"created_by": actor.user, "created_for": actor.member, "created_at": at}


def _for_resident(
    session: Session, resident_id: str, principal: Principal
) -> tuple[HealthcodeRepository, Actor]:
    repo = HealthcodeRepository(session)
    resident = require_resident(repo, resident_id)
    return repo, acting(principal, Role.DATA_STEWARD, resident.jurisdiction)


def record_stay(
    session: Session, resident_id: str, body: StayCreate, *, principal: Principal, clock: Clock
) -> InputRecorded:
    """Record that the resident was in a city (district) on a day."""
    repo, actor = _for_resident(session, resident_id, principal)
    now = clock()
    raise_if_any(
        *city_problems(cities(session), body.city_code, body.district_code, "body"),
        _not_future(body.stay_date, local_date(now), "body.stay_date"),
        what="stay",
    )
    row = Stay(
        resident_id=resident_id,
        city_code=body.city_code,
        district_code=body.district_code,
        stay_date=body.stay_date,
        **_stamp(actor, now),
    )
    repo.add(row)
    session.commit()
    return InputRecorded(kind="stay", id=row.id, resident_id=resident_id)


def record_test(
    session: Session, resident_id: str, body: TestCreate, *, principal: Principal, clock: Clock
) -> InputRecorded:
    """Record a test result."""
    repo, actor = _for_resident(session, resident_id, principal)
    now = clock()
    if body.tested_at.tzinfo is None:
        raise_if_any(
            FieldError(
                "body.tested_at",
                "Give the time zone (e.g. 2020-02-01T08:00:00+08:00).",
                "请注明时区（如 2020-02-01T08:00:00+08:00）。",
            ),
            what="test",
        )
    if body.tested_at > now:
        raise_if_any(
            FieldError("body.tested_at", "Lies in the future.", "时间晚于现在。"), what="test"
        )
    row = TestRecord(
        resident_id=resident_id,
        test_type=body.test_type.value,
        result=body.result.value,
        tested_at=body.tested_at,
        **_stamp(actor, now),
    )
    repo.add(row)
    session.commit()
    return InputRecorded(kind="test", id=row.id, resident_id=resident_id)


def record_vaccination(
    session: Session,
    resident_id: str,
    body: VaccinationCreate,
    *,
    principal: Principal,
    clock: Clock,
) -> InputRecorded:
    """Record a vaccine dose."""
    repo, actor = _for_resident(session, resident_id, principal)
    now = clock()
    raise_if_any(
        _not_future(body.vaccinated_on, local_date(now), "body.vaccinated_on"), what="vaccination"
    )
    row = Vaccination(
        resident_id=resident_id,
        dose=body.dose,
        vaccinated_on=body.vaccinated_on,
        product=body.product,
        **_stamp(actor, now),
    )
    repo.add(row)
    session.commit()
    return InputRecorded(kind="vaccination", id=row.id, resident_id=resident_id)


def record_contact(
    session: Session, resident_id: str, body: ContactCreate, *, principal: Principal, clock: Clock
) -> InputRecorded:
    """Flag the resident as a close contact (until ``cleared_on``, if given)."""
    repo, actor = _for_resident(session, resident_id, principal)
    now = clock()
    order = None
    if body.cleared_on is not None and body.cleared_on < body.flagged_on:
        order = FieldError(
            "body.cleared_on", "Must not be before flagged_on.", "解除日期不能早于标记日期。"
        )
    raise_if_any(
        _not_future(body.flagged_on, local_date(now), "body.flagged_on"), order, what="flag"
    )
    row = ContactFlag(
        resident_id=resident_id,
        flagged_on=body.flagged_on,
        cleared_on=body.cleared_on,
        source=body.source,
        **_stamp(actor, now),
    )
    repo.add(row)
    session.commit()
    return InputRecorded(kind="contact", id=row.id, resident_id=resident_id)


def record_symptoms(
    session: Session, resident_id: str, body: SymptomCreate, *, principal: Principal, clock: Clock
) -> InputRecorded:
    """Record a self-declaration of symptoms (an empty list declares none)."""
    repo, actor = _for_resident(session, resident_id, principal)
    now = clock()
    bad = [
        FieldError(f"body.symptoms[{i}]", "1 to 50 characters.", "应为 1 至 50 个字符。")
        for i, s in enumerate(body.symptoms)
        if not 1 <= len(s.strip()) <= 50
    ]
    raise_if_any(
        _not_future(body.declared_on, local_date(now), "body.declared_on"), *bad, what="symptoms"
    )
    row = SymptomDeclaration(
        resident_id=resident_id,
        declared_on=body.declared_on,
        symptoms=[s.strip() for s in body.symptoms],
        **_stamp(actor, now),
    )
    repo.add(row)
    session.commit()
    return InputRecorded(kind="symptoms", id=row.id, resident_id=resident_id)


# risk lists ---------------------------------------------------------------------------------


def _area_problems(
    known: dict[str, tuple[str, str]], jurisdiction: str, area: RiskAreaIn, location: str
) -> list[FieldError]:
    out = city_problems(known, area.city_code, area.district_code, location)
    if area.city_code[:2] != jurisdiction[:2]:
        out.append(
            FieldError(
                f"{location}.city_code",
                "A jurisdiction lists areas of its own territory only.",
                "各省市只能发布本辖区的风险区域。",
                value=area.city_code[:16],
            )
        )
    if area.effective_until is not None and area.effective_until < area.effective_from:
        out.append(
            FieldError(
                f"{location}.effective_until",
                "Must not be before effective_from.",
                "失效日期不能早于生效日期。",
            )
        )
    return out


def _risk_list_read(repo: HealthcodeRepository, row: RiskList) -> RiskListRead:
    return RiskListRead(
        id=row.id,
        jurisdiction=row.jurisdiction,
        version=row.version,
        areas=[
            RiskAreaIn(
                city_code=a.city_code,
                district_code=a.district_code,
                level=a.level,
                effective_from=a.effective_from,
                effective_until=a.effective_until,
            )
            for a in repo.risk_areas(row.id)
        ],
        created_at=row.created_at,
        created_by=row.created_by,
    )


def publish_risk_list(
    session: Session, body: RiskListCreate, *, principal: Principal, clock: Clock
) -> RiskListRead:
    """Publish a jurisdiction's complete risk-area list as its next version."""
    raise_if_any(jurisdiction_problem(body.jurisdiction, "body.jurisdiction"), what="risk list")
    actor = acting(principal, Role.DATA_STEWARD, body.jurisdiction)
    known = cities(session)
    raise_if_any(
        *(
            p
            for i, area in enumerate(body.areas)
            for p in _area_problems(known, body.jurisdiction, area, f"body.areas[{i}]")
        ),
        what="risk list",
    )
    repo = HealthcodeRepository(session)
    latest = repo.latest_risk_list(body.jurisdiction)
    now = clock()
    row = RiskList(
        jurisdiction=body.jurisdiction,
        version=(latest.version + 1) if latest else 1,
        areas=len(body.areas),
        **_stamp(actor, now),
    )
    repo.add(row)
    repo.add_all(
        [
            RiskArea(
                list_id=row.id,
                city_code=a.city_code,
                district_code=a.district_code,
                level=a.level.value,
                effective_from=a.effective_from,
                effective_until=a.effective_until,
            )
            for a in body.areas
        ]
    )
    session.commit()
    return _risk_list_read(repo, row)


def current_risk_list(session: Session, jurisdiction: str) -> RiskListRead | None:
    """The jurisdiction's list in force (public: the lists were published daily in 2020)."""
    raise_if_any(jurisdiction_problem(jurisdiction), what="query")
    repo = HealthcodeRepository(session)
    row = repo.latest_risk_list(jurisdiction)
    return None if row is None else _risk_list_read(repo, row)


# CSV ----------------------------------------------------------------------------------------


def _rows(data: bytes, columns: Sequence[str]) -> list[dict[str, str]]:
    if len(data) > MAX_CSV_BYTES:
        raise PayloadTooLarge(
            f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB.",
            "文件过大。",
            hint="Split it into several files.",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HealthInputInvalid(
            "The file is not UTF-8 text.", "文件不是 UTF-8 文本。", hint="Save it as CSV UTF-8."
        ) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise HealthInputInvalid(
            f"Missing column(s): {', '.join(missing)}.",
            f"缺少列：{', '.join(missing)}。",
            hint=f"The header must name: {', '.join(columns)}.",
        )
    rows = []
    for i, row in enumerate(reader):
        if i >= MAX_CSV_ROWS:
            raise PayloadTooLarge(
                f"More than {MAX_CSV_ROWS} rows.", f"超过 {MAX_CSV_ROWS} 行。", hint="Split it."
            )
        rows.append({c: (row.get(c) or "").strip() for c in columns})
    return rows


def _parse(model: type[BaseModel], row: dict[str, str], line: int, errors: list[FieldError]) -> Any:
    values = {k: (v if v != "" else None) for k, v in row.items()}
    try:
        return model.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        for err in exc.errors():
            column = ".".join(str(p) for p in err["loc"]) or "row"
            errors.append(FieldError(f"row {line}, {column}", err["msg"], "取值无效。"))
        return None


def import_stays_csv(
    session: Session, data: bytes, *, principal: Principal, clock: Clock
) -> ImportReport:
    """Import stays from CSV (resident_id, city_code, district_code, stay_date); all or nothing."""
    rows = _rows(data, ("resident_id", "city_code", "district_code", "stay_date"))
    repo = HealthcodeRepository(session)
    known = cities(session)
    today = local_date(clock())
    errors: list[FieldError] = []
    actors: dict[str, Actor] = {}
    staged: list[tuple[str, StayCreate]] = []
    for i, row in enumerate(rows):
        line = i + 2  # the header is line 1
        rid = row.pop("resident_id")
        stay = _parse(StayCreate, row, line, errors)
        resident = repo.resident(rid) if rid else None
        if resident is None:
            errors.append(
                FieldError(f"row {line}, resident_id", "No such resident.", "没有该居民。")
            )
            continue
        if resident.jurisdiction not in actors:
            actors[resident.jurisdiction] = acting(
                principal, Role.DATA_STEWARD, resident.jurisdiction
            )
        if stay is not None:
            errors.extend(
                city_problems(known, stay.city_code, stay.district_code, f"row {line}", ", ")
            )
            future = _not_future(stay.stay_date, today, f"row {line}, stay_date")
            errors.extend([future] if future else [])
            staged.append((rid, stay))
    _raise_rows(errors)
    now = clock()
    repo.add_all(
        [
            Stay(
                resident_id=rid,
                city_code=s.city_code,
                district_code=s.district_code,
                stay_date=s.stay_date,
                **_stamp(actors[_jurisdiction(repo, rid)], now),
            )
            for rid, s in staged
        ]
    )
    session.commit()
    return ImportReport(kind="stays", rows=len(staged))


def _jurisdiction(repo: HealthcodeRepository, resident_id: str) -> str:
    row = repo.resident(resident_id)
    return row.jurisdiction if row else ""


def _raise_rows(errors: list[FieldError]) -> None:
    if errors:
        raise HealthInputInvalid(
            f"{len(errors)} problem(s) in the file; nothing was stored.",
            f"文件中有 {len(errors)} 处问题，未保存任何数据。",
            hint="Fix the rows listed in 'errors' and import the whole file again.",
            errors=errors,
        )


def import_risk_list_csv(
    session: Session,
    jurisdiction: str,
    data: bytes,
    *,
    principal: Principal,
    clock: Clock,
    publish: Callable[..., RiskListRead] = publish_risk_list,
) -> ImportReport:
    """Publish a risk list from CSV (city_code, district_code, level, effective_from,
    effective_until); all or nothing."""
    rows = _rows(data, ("city_code", "district_code", "level", "effective_from", "effective_until"))
    errors: list[FieldError] = []
    areas = [_parse(RiskAreaIn, row, i + 2, errors) for i, row in enumerate(rows)]
    _raise_rows(errors)
    body = RiskListCreate(jurisdiction=jurisdiction, areas=areas)
    published = publish(session, body, principal=principal, clock=clock)
    return ImportReport(kind="risk_list", rows=len(areas), risk_list_version=published.version)
