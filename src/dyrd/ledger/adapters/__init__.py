"""Implementations of the ledger's ports; wired only in ``dyrd.bootstrap``."""
