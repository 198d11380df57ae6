"""Implementations of the health-code ports; wired only in ``dyrd.bootstrap``."""
