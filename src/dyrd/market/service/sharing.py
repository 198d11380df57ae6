"""Share enterprise risk scores across jurisdictions through the exchange fabric, under grants.

The scores are published as a conditional-sharing table in the data catalog: other members see
the entry, request access, and read rows only under a grant (the exchange domain's access
requests, grants, privacy gates and gateway). Each call uploads the current scores as a new data
version; unchanged scores make no new version (the exchange deduplicates by content hash).
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from dyrd.core.auth import Principal
from dyrd.core.clock import Clock
from dyrd.exchange import ResourceCreate, ResourceRead, SharingClass
from dyrd.exchange import service as exchange
from dyrd.exchange.compute.tabular import FileFormat
from dyrd.exchange.errors import ResourceNotFound
from dyrd.market.service.risk import risk_scores

RISK_DATASET = "market-enterprise-risk-scores"
"""Catalog name of the shared scores (one per node; the owning member is the publisher)."""

COLUMNS: list[dict[str, str | bool]] = [
    {
        "name": "enterprise_id",
        "type": "string",
        "required": True,
        "unique": True,
        "description_zh": "企业标识（统一社会信用代码）",
        "description_en": "Enterprise identifier (unified social credit code)",
    },
    {
        "name": "score",
        "type": "number",
        "required": True,
        "description_zh": "风险分（按公开权重加权的事件之和）",
        "description_en": "Risk score (weighted sum of events under published weights)",
    },
    {
        "name": "level",
        "type": "string",
        "required": True,
        "description_zh": "等级：none / watch / alert",
        "description_en": "Level: none / watch / alert",
    },
    {
        "name": "events",
        "type": "integer",
        "required": True,
        "description_zh": "计入的事件数",
        "description_en": "Number of events counted",
    },
    {
        "name": "explanation_zh",
        "type": "string",
        "description_zh": "各类事件的贡献",
        "description_en": "Contribution of each event kind (Chinese)",
    },
]


def _entry(owner_member: str) -> ResourceCreate:
    return ResourceCreate.model_validate(
        {
            "name": RISK_DATASET,
            "owner_member": owner_member,
            "kind": "table",
            "title_zh": "企业市场风险评分",
            "title_en": "Enterprise market risk scores",
            "description_zh": "由质量抽检不合格、投诉、知识产权侵权判决、逾期付款、退出产业链和"
            "招投标风险信号等事件按公开、可配置的权重计算的企业风险分，按条件共享，凭授权访问。",
            "description_en": "Enterprise risk scores computed from quality-inspection failures, "
            "complaints, IP infringement judgments, overdue payments, supply-chain exits and "
            "procurement red flags under published, configurable weights; shared on "
            "condition, readable under a grant.",
            "sharing_class": SharingClass.CONDITIONAL.value,
            "themes": ["ECON", "GOVE"],
            "keywords": ["市场风险", "信用", "red flags", "market risk"],
            "frequency": "DAILY",
            "licence": "GOV_SHARING",
            "columns": COLUMNS,
        }
    )


def share_risk_scores(
    session: Session, *, principal: Principal, clock: Clock, owner_member: str
) -> ResourceRead:
    """Register the scores dataset if needed and upload the current scores as its data."""
    try:
        exchange.get_resource(session, RISK_DATASET)
    except ResourceNotFound:
        exchange.create_resource(session, _entry(owner_member), principal=principal, clock=clock)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c["name"] for c in COLUMNS])
    for row in risk_scores(session, clock=clock):
        writer.writerow(
            [row.enterprise_id, f"{row.score:.6g}", row.level, row.events, row.explanation_zh]
        )
    exchange.upload_data(
        session,
        RISK_DATASET,
        content=buffer.getvalue().encode("utf-8"),
        fmt=FileFormat.CSV,
        principal=principal,
        clock=clock,
        summary="Risk scores refreshed by the market risk monitor.",
    )
    return exchange.get_resource(session, RISK_DATASET)
