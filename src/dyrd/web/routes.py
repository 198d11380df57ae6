"""Dashboard routes (placeholder until the dashboard lands)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the dashboard pages and their static assets on ``app``."""
