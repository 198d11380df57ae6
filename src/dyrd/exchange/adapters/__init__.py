"""Implementations of the exchange domain's outside-world needs; wired in dyrd.bootstrap."""
