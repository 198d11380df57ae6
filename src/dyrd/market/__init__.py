"""Market cloud governance: e-contracts, e-tendering with sealed bids, online judicial auctions,
OCDS export, red flags, collusion screens and market risk (issue 8)."""

from __future__ import annotations

from dyrd.market.service.oversight import (
    export_record_package,
    import_ocds,
    red_flag_report,
    screen_report,
    validate_ocds,
)
from dyrd.market.service.risk import (
    enterprise_risk,
    list_alerts,
    raise_alerts,
    record_event,
    record_red_flags,
    risk_scores,
)
from dyrd.market.service.sharing import share_risk_scores

__all__: list[str] = [
    "enterprise_risk",
    "export_record_package",
    "import_ocds",
    "list_alerts",
    "raise_alerts",
    "record_event",
    "record_red_flags",
    "red_flag_report",
    "risk_scores",
    "screen_report",
    "share_risk_scores",
    "validate_ocds",
]
