"""HTTP routes of the trust domain under /api/v1/trust."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/trust", tags=["trust"])
