"""Implementations of the trust domain's ports; wired only in ``dyrd.bootstrap``."""
