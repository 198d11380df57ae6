"""Page model of the supply-chain dashboard: chains across the delta, decisions, matches and
saved disruption scenarios (run on the stored network on each view).

Every figure comes from the supply services; with nothing registered the page says so. Labels
live here (both languages) rather than in the shared catalog, except the nav link.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dyrd.core.errors import DyrdError
from dyrd.region import service as region
from dyrd.region.schemas import StatisticValue
from dyrd.supply.schemas import ChainRead, DecisionRead, DisruptionReport, MatchRead
from dyrd.supply.service import chains, disruption, enterprises, matching
from dyrd.web.choropleth import ChoroplethMap, build_map
from dyrd.web.i18n import Lang

PATH = "/supply"
MAX_SCENARIOS = 5
"""Scenarios run per page view (each is one model run on the stored network)."""

LABELS: dict[str, tuple[str, str]] = {
    "title": ("供应链治理", "Supply-chain governance"),
    "sub": (
        "产业链准入退出（规则即数据、逐条理由、审计账本）、供需对接与断链冲击分析（ARIO 模型）。",
        "Chain join and exit (rules as data, a reason per rule, audit ledger), supply-demand "
        "matching and disruption analysis (ARIO model).",
    ),
    "map": ("产业链成员企业分布", "Chain member enterprises by city"),
    "map.source": ("已登记的产业链成员", "registered chain members"),
    "chains": ("产业链", "Chains"),
    "decisions": ("准入与退出决定", "Join and exit decisions"),
    "matches": ("供需对接", "Supply-demand matches"),
    "scenarios": ("断链情景", "Disruption scenarios"),
    "col.id": ("标识", "Id"),
    "col.name": ("名称", "Name"),
    "col.class": ("品类", "Class"),
    "col.version": ("规则版本", "Rule version"),
    "col.members": ("成员", "Members"),
    "col.cities": ("城市", "Cities"),
    "col.date": ("日期", "Date"),
    "col.chain": ("产业链", "Chain"),
    "col.enterprise": ("企业", "Enterprise"),
    "col.kind": ("类型", "Kind"),
    "col.outcome": ("结果", "Outcome"),
    "col.ledger": ("账本序号", "Ledger #"),
    "col.supplier": ("供方", "Supplier"),
    "col.buyer": ("需方", "Buyer"),
    "col.qty": ("数量", "Quantity"),
    "col.km": ("距离（公里）", "Distance (km)"),
    "col.score": ("得分", "Score"),
    "col.why": ("理由", "Why"),
    "col.direct": ("直接损失", "Direct loss"),
    "col.indirect": ("间接损失", "Indirect loss"),
    "col.total": ("合计", "Total"),
    "col.ratio": ("间接/直接", "Indirect/direct"),
    "col.critical": ("关键节点", "Critical nodes"),
    "col.city": ("城市", "City"),
    "none.chains": (
        "尚无产业链。用 dyrd supply chain create 创建。",
        "No chains yet. Create one with dyrd supply chain create.",
    ),
    "none.decisions": ("尚无决定。", "No decisions yet."),
    "none.matches": ("当前没有可对接的供给与需求。", "No open offers and needs match."),
    "none.scenarios": (
        "尚无保存的情景。用 dyrd supply disruption save 保存。",
        "No saved scenarios. Save one with dyrd supply disruption save.",
    ),
    "scenario.failed": ("无法运行：", "Cannot run: "),
    "output": ("日产出占基准比例", "Daily output as a share of baseline"),
    "method": ("方法", "Method"),
    "kind.join": ("加入", "join"),
    "kind.exit": ("退出", "exit"),
    "outcome.admitted": ("准入", "admitted"),
    "outcome.refused": ("拒绝", "refused"),
    "outcome.exited": ("退出", "exited"),
    "outcome.retained": ("保留", "retained"),
}


def labels(lang: Lang) -> dict[str, str]:
    """The page's labels in ``lang``."""
    i = 0 if lang == "zh" else 1
    return {k: v[i] for k, v in LABELS.items()}


@dataclass(frozen=True, slots=True)
class ScenarioView:
    """One saved scenario's result (or why it could not run) and its output path as SVG points."""

    id: str
    name: str
    report: DisruptionReport | None
    error: str
    points: str


@dataclass(frozen=True, slots=True)
class SupplyPage:
    """Everything the template shows."""

    map: ChoroplethMap
    chains: list[ChainRead]
    decisions: list[DecisionRead]
    matches: list[MatchRead]
    names: dict[str, str]
    scenarios: list[ScenarioView]
    L: dict[str, str]


def _points(shares: list[float], width: float = 300.0, height: float = 60.0) -> str:
    """Polyline points of a daily share path on [0, 1] (SVG y grows downwards)."""
    if not shares:
        return ""
    step = width / max(len(shares) - 1, 1)
    return " ".join(f"{i * step:.1f},{height * (1 - v):.1f}" for i, v in enumerate(shares))


def supply_page(session: Session, *, lang: Lang) -> SupplyPage:
    """Build the page from the supply and region services."""
    cities = {c.code: c for c in region.list_cities(session)}
    ents = enterprises.list_enterprises(session)
    names = {e.code: (e.name_zh if lang == "zh" else e.name_en) for e in ents}
    chain_rows = chains.list_chains(session)
    members = {m for c in chain_rows for m in c.members}
    counts: dict[str, int] = {}
    for e in ents:
        if e.code in members:
            counts[e.city_code] = counts.get(e.city_code, 0) + 1
    words = labels(lang)
    values = {
        code: StatisticValue(value=float(n), year=0, unit="", source=words["map.source"])
        for code, n in counts.items()
    }
    features = region.boundaries(session).features
    views: list[ScenarioView] = []
    for s in disruption.list_scenarios(session)[:MAX_SCENARIOS]:
        try:
            report = disruption.run(session, s.spec)
        except DyrdError as exc:
            msg = exc.message_zh if lang == "zh" and exc.message_zh else exc.message
            views.append(ScenarioView(s.id, s.name, None, msg, ""))
        else:
            views.append(ScenarioView(s.id, s.name, report, "", _points(report.daily_output_share)))
    return SupplyPage(
        map=build_map(features, cities, values, lang=lang),
        chains=chain_rows,
        decisions=chains.decisions(session)[:50],
        matches=matching.match(session).matches[:50],
        names=names,
        scenarios=views,
        L=words,
    )
