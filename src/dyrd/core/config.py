"""Typed settings read from the environment (prefix ``DYRD_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as ``DYRD_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="DYRD_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'dyrd.db'}",
        description="SQLAlchemy URL; sqlite:///... (embedded) or postgresql+psycopg://...",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: str = "INFO"
    log_json: bool = True
    default_language: str = Field(default="zh", pattern="^(zh|en)$")
    token_default_days: int = Field(default=90, ge=1, le=3650)
