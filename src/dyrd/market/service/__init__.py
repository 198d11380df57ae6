"""Use cases of the market domain, one module per concept (contracts, tenders, auctions, ...)."""
