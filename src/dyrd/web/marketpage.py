"""Page model of market oversight: red flags and screens over imported OCDS, and the risk monitor.

Labels live here (not in i18n.CATALOG) so the market pages stay one self-contained module; the
page hands the template strings already in the page language.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.market.bundled import risk_weights
from dyrd.market.compute.red_flags import FLAG_INFO, Flag
from dyrd.market.service import oversight, risk
from dyrd.market.types import RiskEventKind
from dyrd.web.common import Kpi
from dyrd.web.i18n import Lang

PATH = "/market"
MAX_PROCESSES = 2000
"""Imported processes analysed on one page view (the CLI and API take any number)."""

LABELS: dict[str, dict[Lang, str]] = {
    "title": {"zh": "市场监管：风险信号与企业风险", "en": "Market oversight: red flags and risk"},
    "sub": {
        "zh": "对已导入的 OCDS 采购数据计算 Cardinal 兼容风险信号与串通投标筛查，"
        "并按可配置权重汇总企业风险事件。",
        "en": "Cardinal-compatible red flags and bid-rigging screens over the imported OCDS "
        "data, and enterprise risk from events under configurable weights.",
    },
    "kpi.processes": {"zh": "已导入采购过程", "en": "Imported processes"},
    "kpi.flagged": {"zh": "触发风险信号", "en": "With red flags"},
    "kpi.screened": {"zh": "串通筛查可疑", "en": "Flagged by screens"},
    "kpi.alerts": {"zh": "预警企业", "en": "Enterprises on alert"},
    "flags": {"zh": "风险信号", "en": "Red flags"},
    "flags.none": {
        "zh": "尚无已导入的 OCDS 数据，或没有信号触发。导入：dyrd market ocds import FILE。",
        "en": "No imported OCDS data, or no flag fired. Import: dyrd market ocds import FILE.",
    },
    "col.ocid": {"zh": "采购过程 ocid", "en": "Process (ocid)"},
    "col.flag": {"zh": "信号", "en": "Flag"},
    "col.value": {"zh": "值", "en": "Value"},
    "col.meaning": {"zh": "含义", "en": "Meaning"},
    "screens": {"zh": "串通投标筛查", "en": "Collusion screens"},
    "screens.none": {
        "zh": "没有含 3 个以上有效报价的采购过程。",
        "en": "No process with three or more priced valid bids.",
    },
    "col.bids": {"zh": "报价数", "en": "Bids"},
    "col.verdict": {"zh": "结论", "en": "Verdict"},
    "col.why": {"zh": "原因", "en": "Why"},
    "yes": {"zh": "可疑", "en": "flagged"},
    "no": {"zh": "正常", "en": "not flagged"},
    "risk": {"zh": "企业风险", "en": "Enterprise risk"},
    "risk.none": {
        "zh": "尚无风险事件。记录：dyrd market risk add 企业 类型。",
        "en": "No risk events yet. Record one: dyrd market risk add ENTERPRISE KIND.",
    },
    "col.enterprise": {"zh": "企业", "en": "Enterprise"},
    "col.score": {"zh": "风险分", "en": "Score"},
    "col.level": {"zh": "等级", "en": "Level"},
    "weights": {
        "zh": "当前权重（可配置，透明）",
        "en": "Weights in use (configurable, transparent)",
    },
    "weights.note": {
        "zh": "默认权重为中性策略值（每类事件权重 1），不是测量数据；各地可用自己的权重文件替换。",
        "en": "The defaults are neutral policy values (every kind weighs 1), not measured "
        "figures; a jurisdiction replaces them with its own weights file.",
    },
    "watch_at": {"zh": "关注阈值", "en": "Watch at"},
    "alert_at": {"zh": "预警阈值", "en": "Alert at"},
    "legend": {"zh": "信号说明", "en": "What the flags mean"},
}


def label(key: str, lang: Lang) -> str:
    """One label of the market pages in ``lang``."""
    return LABELS[key][lang]


@dataclass(frozen=True, slots=True)
class FlagRow:
    """One fired flag on one process."""

    ocid: str
    code: str
    value: str
    meaning: str


@dataclass(frozen=True, slots=True)
class ScreenRow:
    """One screened tender."""

    ocid: str
    bids: int
    flagged: bool
    why: str


@dataclass(frozen=True, slots=True)
class RiskRow:
    """One enterprise's score."""

    enterprise: str
    score: str
    level: str
    level_label: str
    why: str


@dataclass(frozen=True, slots=True)
class MarketPage:
    """Everything the market oversight page shows."""

    labels: dict[str, str]
    kpis: tuple[Kpi, ...]
    flags: tuple[FlagRow, ...]
    screens: tuple[ScreenRow, ...]
    risks: tuple[RiskRow, ...]
    weights: tuple[tuple[str, str], ...]
    watch_at: str
    alert_at: str
    legend: tuple[tuple[str, str, str], ...]


def market_page(session: Session, *, lang: Lang, clock: Clock) -> MarketPage:
    """Red flags and screens of the imported processes, scores and alerts of enterprises."""
    zh = lang == "zh"
    ocids = oversight.stored_ocids(session)[:MAX_PROCESSES]
    compiled = []
    for ocid in ocids:
        package = oversight.export_record_package(
            session, ocid, published=clock(), uri="", publisher=""
        )
        compiled.append(package["records"][0]["compiledRelease"])
    report = oversight.red_flag_report(compiled) if compiled else None
    flags: list[FlagRow] = []
    if report is not None:
        for ocid, fired in report.results.get("OCID", {}).items():
            for code, value in sorted(fired.items()):
                info = FLAG_INFO[Flag(code)]
                flags.append(FlagRow(ocid, code, f"{value:g}", info.title_zh if zh else info.title))
    screened = oversight.screen_report(compiled).tenders if compiled else []
    screens = tuple(
        ScreenRow(s.ocid, s.bids, s.flagged, s.explanation_zh if zh else s.explanation)
        for s in screened
    )
    scores = risk.risk_scores(session, clock=clock)
    risks = tuple(
        RiskRow(
            r.enterprise_id,
            f"{r.score:.2f}",
            r.level,
            r.level_zh if zh else r.level,
            r.explanation_zh if zh else r.explanation,
        )
        for r in scores
    )
    weights = risk_weights()
    on_alert = sum(1 for r in scores if r.level == "alert")
    kpis = (
        Kpi(label("kpi.processes", lang), str(len(ocids))),
        Kpi(label("kpi.flagged", lang), str(len({f.ocid for f in flags}))),
        Kpi(label("kpi.screened", lang), str(sum(1 for s in screens if s.flagged))),
        Kpi(label("kpi.alerts", lang), str(on_alert)),
    )
    return MarketPage(
        labels={k: v[lang] for k, v in LABELS.items()},
        kpis=kpis,
        flags=tuple(flags),
        screens=screens,
        risks=risks,
        weights=tuple(
            (kind.zh if zh else kind.value, f"{weights.weights[kind]:g}") for kind in RiskEventKind
        ),
        watch_at=f"{weights.watch_at:g}",
        alert_at=f"{weights.alert_at:g}",
        legend=tuple(
            (
                flag.value,
                info.title_zh if zh else info.title,
                info.explanation_zh if zh else info.explanation,
            )
            for flag, info in FLAG_INFO.items()
        ),
    )
