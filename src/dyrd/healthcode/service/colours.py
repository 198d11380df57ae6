"""Colours: one resident on request (with the reason), every resident in a batch.

Reading a resident's colour writes an access-log row the resident can see (who, for which
member, when). Batch re-evaluation loads every input column-wise, recomputes all colours with
polars (or Dask), stores the changed ones and hands them to ``reissue``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Literal

import polars as pl
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.core.types import Role
from dyrd.healthcode.compute import batch
from dyrd.healthcode.compute.colour import Rule, evaluate_resident, rules_in_force
from dyrd.healthcode.compute.features import (
    SCHEMAS,
    Inputs,
    external_context,
    facts_of_row,
    features_frame,
    local_date,
)
from dyrd.healthcode.models import AccessLog, ColourStatus
from dyrd.healthcode.repository import INPUT_TABLES, HealthcodeRepository
from dyrd.healthcode.schemas import ColourRead, ReevaluationRead
from dyrd.healthcode.service._common import acting, cities, require_resident
from dyrd.healthcode.service.rules import verified_rules
from dyrd.healthcode.types import ColourVerdict

Engine = Literal["polars", "dask"]


def _typed(name: str, df: pl.DataFrame) -> pl.DataFrame:
    schema = dict(SCHEMAS[name])
    schema["rid"] = pl.String
    if name == "symptoms":
        df = df.with_columns(pl.col("symptoms").list.len().alias("count")).drop("symptoms")
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    casts = []
    for column, dtype in schema.items():
        if column in ("city_code", "district_code") and column in df.columns:
            casts.append(pl.col(column).cast(pl.String).cast(pl.Int32).alias(column))
        elif column in df.columns:
            casts.append(pl.col(column).cast(dtype).alias(column))
    return df.with_columns(casts).select(list(schema))


def load_inputs(session: Session, resident_id: str | None = None) -> Inputs:
    """Every input (of one resident, or of all) as the frames of the feature computation."""
    repo = HealthcodeRepository(session)
    frames = {}
    for name, (model, columns) in INPUT_TABLES.items():
        raw = repo.frame(model, columns, resident_id)
        if name == "symptoms" and raw.height == 0:
            raw = pl.DataFrame(
                schema={"rid": pl.String, "declared_on": pl.Date, "symptoms": pl.List(pl.String)}
            )
        frames[name] = _typed(name, raw)
    areas = [
        (a.city_code, a.district_code, a.level, a.effective_from, a.effective_until)
        for a in repo.current_areas()
    ]
    area_frame = pl.DataFrame(
        areas, schema=["city_code", "district_code", "level", "effective_from", "effective_until"],
        orient="row",
    ) if areas else pl.DataFrame(schema=SCHEMAS["areas"])  # fmt: skip
    area_frame = area_frame.with_columns(
        pl.col("city_code").cast(pl.Int32), pl.col("district_code").cast(pl.Int32)
    ).cast(SCHEMAS["areas"])  # type: ignore[arg-type]  # polars accepts a schema mapping
    return Inputs(areas=area_frame, **frames)


def verdict_of(
    session: Session, resident_id: str, rules: list[Rule], at: datetime
) -> ColourVerdict:
    """The colour, rule and reason of one resident at ``at``."""
    inputs = load_inputs(session, resident_id)
    row = features_frame(inputs, at).row(0, named=True)
    jurisdiction = str(row["resident.jurisdiction"])
    in_force = rules_in_force(rules, jurisdiction, local_date(at))
    return evaluate_resident(facts_of_row(row, external_context(at)), in_force, cities(session))


def record_access(
    session: Session, resident_id: str, *, actor: Actor, action: str, at: datetime
) -> None:
    """Log that ``actor`` read or verified the resident's status or code (resident-visible)."""
    HealthcodeRepository(session).add(
        AccessLog(
            resident_id=resident_id,
            accessed_at=at,
            user=actor.user,
            member=actor.member,
            action=action,
        )
    )


def _store_status(
    repo: HealthcodeRepository, resident_id: str, verdict: ColourVerdict, at: datetime
) -> bool:
    """Store the colour; True when it (or its rule version) changed."""
    row = repo.status(resident_id)
    key = (verdict.colour.value, verdict.rule.rule_id, verdict.rule.version)
    if row is None:
        repo.add(
            ColourStatus(
                resident_id=resident_id,
                colour=key[0],
                rule_id=key[1],
                rule_version=key[2],
                evaluated_at=at,
                changed_at=at,
            )
        )
        return True
    changed = (row.colour, row.rule_id, row.rule_version) != key
    row.colour, row.rule_id, row.rule_version = key
    row.evaluated_at = at
    if changed:
        row.changed_at = at
    repo.session.flush()
    return changed


def resident_colour(
    session: Session, resident_id: str, *, principal: Principal, clock: Clock
) -> ColourRead:
    """A resident's colour now, with rule and reason (viewer role anywhere; the read is logged)."""
    repo = HealthcodeRepository(session)
    resident = require_resident(repo, resident_id)
    actor = principal.acting_for(Role.VIEWER)
    now = clock()
    verdict = verdict_of(session, resident_id, verified_rules(session), now)
    _store_status(repo, resident_id, verdict, now)
    record_access(session, resident.id, actor=actor, action="status.read", at=now)
    session.commit()
    return colour_read(resident_id, verdict, now)


def colour_read(resident_id: str, verdict: ColourVerdict, at: datetime) -> ColourRead:
    """The API view of a verdict."""
    return ColourRead(
        resident_id=resident_id,
        colour=verdict.colour,
        rule_id=verdict.rule.rule_id,
        rule_version=verdict.rule.version,
        reason_zh=verdict.reason_zh,
        reason_en=verdict.reason_en,
        evaluated_at=at,
    )


def reevaluate_all(
    session: Session,
    *,
    principal: Principal | None,
    clock: Clock,
    engine: Engine = "polars",
    partitions: int = 4,
    reissue: Callable[[Session, list[str], datetime], int] | None = None,
) -> ReevaluationRead:
    """Recompute every resident's colour; store and re-issue only the changed ones.

    ``principal`` None: the platform itself (CLI, scheduler); else the region's data steward.
    """
    if principal is not None:
        principal.acting_for(Role.DATA_STEWARD, "CN-YRD")
    started = time.perf_counter()
    now = clock()
    rules = verified_rules(session)
    inputs = load_inputs(session)
    repo = HealthcodeRepository(session)
    previous_rows = repo.statuses()
    previous = pl.DataFrame(
        {
            "rid": [r.resident_id for r in previous_rows],
            "colour": [r.colour for r in previous_rows],
            "rule_id": [r.rule_id for r in previous_rows],
            "rule_version": [r.rule_version for r in previous_rows],
        },
        schema={
            "rid": pl.String,
            "colour": pl.String,
            "rule_id": pl.String,
            "rule_version": pl.Int32,
        },
    )
    if engine == "dask":
        result = batch.reevaluate_dask(inputs, rules, now, partitions=partitions, previous=previous)
    else:
        result = batch.reevaluate(inputs, rules, now, previous=previous)
    held = {r.resident_id: r for r in previous_rows}
    for rid, colour, rule_id, version in result.changed.iter_rows():
        row = held.get(rid)
        if row is None:
            repo.add(
                ColourStatus(
                    resident_id=rid,
                    colour=colour,
                    rule_id=rule_id,
                    rule_version=version,
                    evaluated_at=now,
                    changed_at=now,
                )
            )
        else:
            row.colour, row.rule_id, row.rule_version = colour, rule_id, version
            row.changed_at = now
    session.flush()
    changed_ids = [str(r) for r in result.changed["rid"].to_list()]
    reissued = reissue(session, changed_ids, now) if reissue is not None and changed_ids else 0
    session.commit()
    return ReevaluationRead(
        residents=result.residents,
        changed=len(changed_ids),
        reissued=reissued,
        colours=dict(batch.colour_counts(result.status)),
        engine=engine,
        seconds=round(time.perf_counter() - started, 3),
    )


def acting_viewer(principal: Principal, jurisdiction: str) -> Actor:
    """The actor of a read in a jurisdiction."""
    return acting(principal, Role.VIEWER, jurisdiction)
