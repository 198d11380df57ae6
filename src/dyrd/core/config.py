"""Typed settings read from the environment (prefix ``DYRD_``)."""

from __future__ import annotations

from datetime import date
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
    log_level: str | None = Field(
        default=None,
        description="Root log level; unset: INFO for servers and pipes, WARNING at a terminal",
    )
    log_json: bool | None = Field(
        default=None, description="JSON log lines; unset: JSON unless stderr is a terminal"
    )
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
    node_member: str | None = Field(
        default=None,
        description="Federated node: the member this node serves (`dyrd serve --member`)",
    )
    directory_url: str | None = Field(
        default=None,
        description="Federated node: URL of the region's signed directory "
        "(.../api/v1/trust/directory); unset: embedded, every member in this database",
    )
    directory_root_key: str | None = Field(
        default=None,
        description="Federated node: the pinned region root public key, a JWK (Set) as JSON "
        "or the path of a file holding it",
    )
    directory_refresh_seconds: float = Field(
        default=60.0, gt=0, le=3600, description="How often a federated node polls the directory"
    )
    directory_cache_path: Path = Field(
        default=DEFAULT_DATA_DIR / "directory.json",
        description="Where a federated node keeps its last verified copy of the directory",
    )
    epcis_artefacts_dir: Path | None = Field(
        default=None,
        description="Directory with the GS1 EPCIS 2.0 artefacts (EPCIS-JSON-Schema.json and "
        "epcis-context.jsonld, from ref.gs1.org/standards/epcis/artefacts); needed for EPCIS "
        "capture and validation (GS1's terms do not let us bundle them)",
    )
    ledger_key_path: Path = Field(
        default=DEFAULT_DATA_DIR / "ledger-ed25519.pem",
        description="Ed25519 key that signs ledger tree heads; created (mode 0600) on first use",
    )
    pseudonym_secret_path: Path = Field(
        default=DEFAULT_DATA_DIR / "pseudonym.secret",
        description="Secret from which each grant's pseudonym key is derived; created (mode "
        "0600) on first use. Replacing it changes every pseudonym released from then on",
    )
    # 1.0: a policy choice of the platform, not a standard (see dyrd.exchange.compute.dp).
    privacy_epsilon_per_grant: float = Field(
        default=1.0, gt=0, le=1000, description="Total differential-privacy ε of each grant"
    )
    # 30 s: see dyrd.exchange.compute.xroad.DEFAULT_SKEW for why.
    gateway_clock_skew_seconds: int = Field(
        default=30, ge=1, le=300, description="How far a signed request's created may be from now"
    )
    gateway_algorithm: str = Field(
        default="ES256",
        pattern="^(ES256|EdDSA)$",
        description="Algorithm of the member keys the gateway signs requests and responses with",
    )
    gateway_upstream_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="Timeout for provider nodes and upstream services"
    )
    gateway_retry_after_seconds: int = Field(
        default=30, ge=1, le=3600, description="Retry-After sent when a node or service is down"
    )
    ledger_checkpoint_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Sign a tree head over new ledger entries this often; 0 disables the signer",
    )
    healthcode_tally_seconds: float = Field(
        default=60.0,
        ge=0,
        description="Flush checkpoint verification counts to the ledger this often; "
        "0 flushes only every 1000 verifications and at shutdown",
    )
    ledger_checkpoint_entries: int = Field(
        default=1000, ge=1, description="...or as soon as this many entries wait for a head"
    )
    # 10: the longer of the answer limits in the sharing rules the project follows (Guizhou:
    # 10 working days; a 2024 county rule: 5, or 10 when data must first be published); see
    # dyrd.exchange.compute.access.DEFAULT_ANSWER_WORKING_DAYS for the sources.
    exchange_answer_working_days: int = Field(
        default=10, ge=1, le=60, description="Working days an owner has to answer a request"
    )
    exchange_max_grant_days: int = Field(
        default=365, ge=1, le=3650, description="Longest grant a request may ask for (days)"
    )
    exchange_holidays: list[date] = Field(
        default_factory=list,
        description="Extra days off (JSON list of dates) on top of the bundled State Council ones",
    )
    exchange_workdays: list[date] = Field(
        default_factory=list,
        description="Extra worked weekend days (调休上班, JSON list of dates)",
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
