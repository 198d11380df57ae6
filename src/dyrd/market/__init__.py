"""Market cloud governance: e-contracts, e-tendering with sealed bids, online judicial auctions,
OCDS export, red flags, collusion screens and market risk (issue 8)."""

from __future__ import annotations

from dyrd.market.service.auctions import create_auction, get_auction, place_bid
from dyrd.market.service.contracts import sign_contract, upload_contract, verify_contract
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
from dyrd.market.service.tender_views import tender_view
from dyrd.market.service.tenders import (
    award,
    evaluate,
    open_tender,
    publish_tender,
    reveal_bid,
    submit_bid,
)

__all__: list[str] = [
    "award",
    "create_auction",
    "enterprise_risk",
    "evaluate",
    "export_record_package",
    "get_auction",
    "import_ocds",
    "list_alerts",
    "open_tender",
    "place_bid",
    "publish_tender",
    "raise_alerts",
    "record_event",
    "record_red_flags",
    "red_flag_report",
    "reveal_bid",
    "risk_scores",
    "screen_report",
    "share_risk_scores",
    "sign_contract",
    "submit_bid",
    "tender_view",
    "upload_contract",
    "validate_ocds",
    "verify_contract",
]
