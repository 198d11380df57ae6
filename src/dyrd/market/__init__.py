"""Market cloud governance: e-contracts, e-tendering with sealed bids, online judicial auctions,
OCDS export, red flags, collusion screens and market risk (issue 8)."""

from __future__ import annotations

__all__: list[str] = []
