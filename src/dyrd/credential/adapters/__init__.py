"""Implementations of the credential domain's outside world (wired only in ``dyrd.bootstrap``)."""
