"""Implementations of the supply domain's ports (wired in ``bootstrap.py`` or the CLI)."""
