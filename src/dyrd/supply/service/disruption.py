"""Use cases: run a disruption scenario on the stored supply network; save and list scenarios.

The network is the registered enterprises (nodes, in their cities) and the supply links
(daily values); final demand is each enterprise's ``final_demand_per_day``. Restrictions come
from the scenario (periods, and response levels through its share table) and, when wired, from
an outside ``CityRestrictions`` source; the stricter applies.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from dyrd.core.actor import Actor
from dyrd.core.clock import Clock
from dyrd.region import service as region_service
from dyrd.supply.compute import disruption, restrictions
from dyrd.supply.errors import InvalidInput, SupplyConflict, SupplyNotFound
from dyrd.supply.models import Scenario
from dyrd.supply.ports import CityRestrictions, LevelSources
from dyrd.supply.repository import SupplyRepository
from dyrd.supply.schemas import (
    CriticalNode,
    DisruptionReport,
    LossRow,
    ScenarioCreate,
    ScenarioRead,
    ScenarioSpec,
)

CRITICAL = 10

METHOD = (
    "Firm-level ARIO model (Hallegatte 2008; Inoue & Todo 2020): Leontief production limited by "
    "restricted capacity, inputs in stock and orders; proportional rationing; restocking towards "
    "(1 + buffer_days) days of inputs at rate 1/tau. Direct loss = capacity removed by the "
    "restrictions; indirect = total output loss - direct. Values in the units of the supply "
    "links' value_per_day, summed over days."
)


def spec_shares(spec: ScenarioSpec, cities: list[str]) -> np.ndarray:
    """The scenario's own restrictions (periods and levels) per day and city."""
    explicit = restrictions.from_periods(
        cities,
        spec.start,
        spec.days,
        [(p.city, p.start, p.end, p.share) for p in spec.restrictions],
    )
    if not spec.levels:
        return explicit
    lookup = restrictions.level_lookup(
        [(p.jurisdiction, p.start, p.end, p.level) for p in spec.levels]
    )
    levels = restrictions.from_levels(
        cities, spec.start, spec.days, lookup, {int(k): v for k, v in spec.level_shares.items()}
    )
    return np.maximum(explicit, levels)


def _source_shares(
    session: Session, spec: ScenarioSpec, cities: list[str], sources: LevelSources | None
) -> np.ndarray | None:
    """The shares from the scenario's ``levels_source`` through its own share table."""
    if spec.levels_source is None:
        return None
    if sources is None:
        raise InvalidInput(
            f"Response-level source {spec.levels_source.value!r} is not available here.",
            f"此处无法使用响应级别来源 {spec.levels_source.value}。",
        )
    levels = sources.levels(session, spec.levels_source, spec.start)
    table = {int(k): v for k, v in spec.level_shares.items()}
    return restrictions.from_levels(cities, spec.start, spec.days, levels.level, table)


def run(
    session: Session,
    spec: ScenarioSpec,
    *,
    extra: CityRestrictions | None = None,
    level_sources: LevelSources | None = None,
) -> DisruptionReport:
    """Run a scenario; read-only. ``level_sources`` resolves the scenario's ``levels_source``."""
    repo = SupplyRepository(session)
    cities = region_service.list_cities(session)
    city_codes = [c.code for c in cities]
    names = {c.code: (c.name_zh, c.name_en) for c in cities}
    links = list(repo.links())
    members = repo.members(spec.chain) if spec.chain is not None else None
    if spec.chain is not None and repo.chain(spec.chain) is None:
        raise SupplyNotFound(f"No chain {spec.chain!r}.", f"没有产业链 {spec.chain}。")
    keep = None if members is None else {m.enterprise_code for m in members}
    ents = [e for e in repo.enterprises(limit=1_000_000) if keep is None or e.code in keep]
    index = {e.code: i for i, e in enumerate(ents)}
    links = [k for k in links if k.supplier_code in index and k.customer_code in index]
    n = len(ents)
    z = np.zeros((n, n))
    for link in links:
        z[index[link.supplier_code], index[link.customer_code]] += link.value_per_day
    f = np.array([e.final_demand_per_day for e in ents], dtype=np.float64)
    city_pos = {c: j for j, c in enumerate(city_codes)}
    net = disruption.Network(
        flows=z,
        final_demand=f,
        city=np.array([city_pos[e.city_code] for e in ents], dtype=np.int64),
    )
    idle = [e.code for e in ents if z[index[e.code]].sum() + f[index[e.code]] <= 0]
    if n == 0 or idle:
        raise InvalidInput(
            "The supply network is empty or has enterprises with no sales: give them supply "
            "links or final demand.",
            "供应网络为空，或有企业既无下游供货也无最终需求：请补充供货关系或最终需求。",
            hint=("Without output: " + ", ".join(idle[:10]))
            if idle
            else "Register enterprises and links first.",
        )
    delta = spec_shares(spec, city_codes)
    if extra is not None:
        delta = np.maximum(delta, extra.shares(city_codes, spec.start, spec.days))
    sourced = _source_shares(session, spec, city_codes, level_sources)
    if sourced is not None:
        delta = np.maximum(delta, sourced)
    result = disruption.simulate(
        net, delta, disruption.Params(buffer_days=spec.buffer_days, tau_days=spec.tau_days)
    )
    used_cities = sorted({e.city_code for e in ents})
    city_groups = {c: [index[e.code] for e in ents if e.city_code == c] for c in used_cities}
    chain_groups: dict[str, list[int]] = {}
    for m in repo.members():
        if m.enterprise_code in index:
            chain_groups.setdefault(m.chain_id, []).append(index[m.enterprise_code])
    chains = {c.id: (c.name_zh, c.name_en) for c in repo.chains()}

    def rows(groups: dict[str, list[int]], labels: dict[str, tuple[str, str]]) -> list[LossRow]:
        d = disruption.aggregate(result.direct, groups)
        ind = disruption.aggregate(result.indirect, groups)
        tot = disruption.aggregate(result.total, groups)
        out = [
            LossRow(
                key=k,
                name_zh=labels[k][0],
                name_en=labels[k][1],
                direct=round(d[k], 6),
                indirect=round(ind[k], 6),
                total=round(tot[k], 6),
            )
            for k in groups
        ]
        return sorted(out, key=lambda r: (-r.total, r.key))

    order = sorted(range(n), key=lambda i: (-result.bottleneck[i], -result.total[i], ents[i].code))
    critical = [
        CriticalNode(
            enterprise_code=ents[i].code,
            name_zh=ents[i].name_zh,
            name_en=ents[i].name_en,
            city_code=ents[i].city_code,
            bottleneck_loss=round(float(result.bottleneck[i]), 6),
            own_loss=round(float(result.total[i]), 6),
            days_input_bound=int(result.input_bound_days[i]),
        )
        for i in order[:CRITICAL]
        if result.bottleneck[i] > 0 or result.total[i] > 0
    ]
    direct, indirect = float(result.direct.sum()), float(result.indirect.sum())
    base = float(result.baseline.sum())
    return DisruptionReport(
        scenario=spec.name,
        start=spec.start,
        days=spec.days,
        buffer_days=spec.buffer_days,
        tau_days=spec.tau_days,
        nodes=n,
        links=len(links),
        direct=round(direct, 6),
        indirect=round(indirect, 6),
        total=round(float(result.total.sum()), 6),
        indirect_to_direct=round(indirect / direct, 6) if direct > 0 else None,
        baseline_per_day=round(base, 6),
        daily_output_share=[round(float(v) / base, 6) for v in result.output.sum(axis=1)],
        cities=rows(city_groups, names),
        chains=rows(chain_groups, chains),
        critical=critical,
        method=METHOD,
    )


def save(session: Session, data: ScenarioCreate, *, actor: Actor, clock: Clock) -> ScenarioRead:
    """Save a scenario under an id."""
    repo = SupplyRepository(session)
    if repo.scenario(data.id) is not None:
        raise SupplyConflict(f"Scenario {data.id!r} exists.", f"情景 {data.id} 已存在。")
    row = Scenario(id=data.id, name=data.spec.name, spec=data.spec.model_dump(mode="json"))
    repo.add(row, actor, clock())
    out = ScenarioRead(id=row.id, name=row.name, spec=data.spec, created_at=row.created_at)
    session.commit()
    return out


def get_scenario(session: Session, scenario_id: str) -> ScenarioRead:
    """One saved scenario."""
    row = SupplyRepository(session).scenario(scenario_id)
    if row is None:
        raise SupplyNotFound(f"No scenario {scenario_id!r}.", f"没有情景 {scenario_id}。")
    return ScenarioRead(
        id=row.id,
        name=row.name,
        spec=ScenarioSpec.model_validate(row.spec),
        created_at=row.created_at,
    )


def list_scenarios(session: Session) -> list[ScenarioRead]:
    """Saved scenarios."""
    return [
        ScenarioRead(
            id=r.id, name=r.name, spec=ScenarioSpec.model_validate(r.spec), created_at=r.created_at
        )
        for r in SupplyRepository(session).scenarios()
    ]


def run_saved(
    session: Session,
    scenario_id: str,
    *,
    extra: CityRestrictions | None = None,
    level_sources: LevelSources | None = None,
) -> DisruptionReport:
    """Run a saved scenario."""
    spec = get_scenario(session, scenario_id).spec
    return run(session, spec, extra=extra, level_sources=level_sources)
