"""Typed settings read from the environment (prefix ``DYRD_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from dyrd.core.errors import ConfigurationError, FieldError

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
    key_dir: Path = Field(
        default=DEFAULT_DATA_DIR / "keys",
        description="Members' private signing keys: one PKCS#8 PEM file (mode 0600) per key",
    )
    key_passphrase: SecretStr | None = Field(
        default=None,
        description="Encrypts new key files and unlocks encrypted ones; unset: unencrypted, 0600",
    )
    directory_validity_hours: float = Field(
        default=24.0, ge=1 / 60, le=744, description="How long each signed directory is valid"
    )
    ledger_key_path: Path = Field(
        default=DEFAULT_DATA_DIR / "ledger-ed25519.pem",
        description="Ed25519 key that signs ledger tree heads; created (mode 0600) on first use",
    )
    ledger_checkpoint_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Sign a tree head over new ledger entries this often; 0 disables the signer",
    )
    ledger_checkpoint_entries: int = Field(
        default=1000, ge=1, description="...or as soon as this many entries wait for a head"
    )


def load_settings() -> Settings:
    """Settings from the environment; invalid values become one ConfigurationError naming each."""
    try:
        return Settings()
    except ValidationError as exc:
        # Values are left out on purpose: a setting may hold a password or a key path.
        errors = [
            FieldError(
                location="DYRD_" + "_".join(str(part) for part in err["loc"]).upper(),
                message=err["msg"],
            )
            for err in exc.errors()
        ]
        raise ConfigurationError(
            f"{len(errors)} DYRD_ environment variable(s) have invalid values.",
            f"{len(errors)} 个 DYRD_ 环境变量的值无效。",
            hint="Fix or unset them; dyrd.core.config.Settings lists every setting and default.",
            errors=errors,
        ) from exc
