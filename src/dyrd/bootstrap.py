"""The one composition root: settings -> engine -> sessions -> adapters -> app."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine, make_url
from sqlalchemy.orm import Session

from dyrd.api.app import AppParts, create_app
from dyrd.core.clock import Clock, utc_now
from dyrd.core.config import Settings
from dyrd.core.db import Base, check_database, create_db_engine, make_session_factory
from dyrd.core.errors import ConfigurationError, DyrdError
from dyrd.credential import api as credential_api
from dyrd.credential import models as _credential_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.credential import revocation_api as credential_revocation_api
from dyrd.credential.adapters.revocation_client import (
    DEFAULT_INTERVAL as REVOCATION_SYNC_SECONDS,
)
from dyrd.credential.adapters.revocation_client import (
    DirectoryKeys,
    RevocationClient,
    TrustListOwners,
)
from dyrd.credential.ports import CertificateSource
from dyrd.credential.service.revocation import local_snapshot as credential_local_revocations
from dyrd.economy import StabilityCache as EconomyStabilityCache
from dyrd.economy import api as economy_api
from dyrd.epidemic import api as epidemic_api
from dyrd.exchange import api as exchange_api
from dyrd.exchange import gateway_api as exchange_gateway_api
from dyrd.exchange import models as _exchange_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.exchange import service as exchange_service
from dyrd.exchange.adapters.gateway_client import HttpxGatewayTransport
from dyrd.exchange.adapters.member_locator import DatabaseMemberLocator, DirectoryMemberLocator
from dyrd.exchange.adapters.secret_file import load_or_create_secret
from dyrd.exchange.compute.access import AccessPolicy
from dyrd.exchange.ports import MemberLocator
from dyrd.exchange.service.gateway import Gateway, GatewaySettings
from dyrd.exchange.service.gateway_consumer import ConsumerGateway
from dyrd.exchange.service.gateway_privacy import PrivacySettings
from dyrd.healthcode import api as healthcode_api
from dyrd.healthcode import checkpoint_api as healthcode_checkpoint_api
from dyrd.healthcode import models as _healthcode_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.healthcode import policy_api as healthcode_policy_api
from dyrd.healthcode import tracing_api as healthcode_tracing_api
from dyrd.healthcode.adapters.credential_codec import HcertCodec
from dyrd.healthcode.adapters.secret_file import FileIdSecret
from dyrd.healthcode.ports import RevocationView, TrustListView
from dyrd.healthcode.service.tally import VerificationTally
from dyrd.ledger import api as ledger_api
from dyrd.ledger import models as _ledger_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.ledger.adapters.local_keys import FileSigner
from dyrd.ledger.ports import Signer
from dyrd.ledger.service import Checkpointer
from dyrd.market import api as market_api
from dyrd.market import models as _market_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.market import oversight_api as market_oversight_api
from dyrd.region import api as region_api
from dyrd.region import models as _region_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.supply import api as supply_api
from dyrd.supply import epcis_api as supply_epcis_api
from dyrd.supply import epcis_models as _supply_epcis_models  # noqa: F401  # registers tables
from dyrd.supply import models as _supply_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.trust import api as trust_api
from dyrd.trust import models as _trust_models  # noqa: F401  # registers tables on Base.metadata
from dyrd.trust import service as trust_service
from dyrd.trust.adapters.directory_client import DirectoryClient
from dyrd.trust.adapters.file_keystore import FileKeyStore
from dyrd.trust.adapters.local_trust_list import LocalTrustList
from dyrd.trust.adapters.trust_list_client import TrustListClient, trust_list_url
from dyrd.trust.ports import KeyStore
from dyrd.web import install as install_web

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def metadata() -> object:
    """Metadata of every table (used by Alembic autogenerate and tests)."""
    return Base.metadata


def routers(
    source: Callable[[], CertificateSource | None] = lambda: None,
) -> list[APIRouter]:
    """Every domain's router, in the order they appear in the OpenAPI document.

    ``source`` gives the credential trust list verifiers use (``build_app`` passes the app's).
    """
    return [
        region_api.router,
        economy_api.router,
        epidemic_api.router,
        trust_api.router,
        ledger_api.router,
        exchange_api.router,
        exchange_gateway_api.router,
        credential_api.build_router(source=source),
        credential_revocation_api.router,
        healthcode_api.router,
        healthcode_checkpoint_api.router,
        healthcode_policy_api.router,
        healthcode_tracing_api.router,
        market_api.router,
        market_oversight_api.router,
        supply_api.router,
        supply_epcis_api.router,
    ]


def credential_certificate_source(
    settings: Settings | None = None,
    *,
    sessions: Callable[[], Session] | None = None,
    clock: Clock = utc_now,
) -> CertificateSource | None:
    """Where credential verifiers find document-signer certificates by kid (offline).

    The embedded default reads the trust list from its own database (``LocalTrustList``); a
    member node (DYRD_NODE_MEMBER) uses its synced signed copy (``TrustListClient``, its cache
    file beside the directory's, refreshed once if it can be). Without ``sessions`` (the CLI)
    the database of ``settings`` is opened on first use; when it cannot be, None: verification
    then uses the certificates given with the request.
    """
    settings = settings or Settings()
    if settings.node_member and settings.directory_url and settings.directory_root_key:
        client = credential_trust_list_client(settings, clock=clock)
        client.refresh()  # never raises: offline, the cached copy answers and status says so
        return client
    if sessions is None:
        engine = _existing_database(settings)
        if engine is None:
            return None
        sessions = make_session_factory(engine)
    return LocalTrustList(sessions, clock=clock)


def _existing_database(settings: Settings) -> Engine | None:
    """The configured database if it exists and is migrated (never creates a SQLite file)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and (
        not url.database or not Path(url.database).is_file()
    ):
        return None
    try:
        engine = connect(settings)
        ensure_migrated(engine)
    except DyrdError:
        return None
    return engine


def credential_trust_list_client(
    settings: Settings, *, clock: Clock = utc_now, directory: DirectoryClient | None = None
) -> TrustListClient:
    """A member node's synced copy of the signed credential trust list (cached beside the
    directory's copy, verified with the pinned root key)."""
    assert settings.directory_url is not None  # noqa: S101  # callers check
    return TrustListClient(
        trust_list_url(settings.directory_url),
        root_public_jwk=directory_root_key(settings),
        cache_path=settings.directory_cache_path.with_name("trust-list.json"),
        clock=clock,
        directory=directory,
        timeout=settings.gateway_upstream_timeout_seconds,
    )


def healthcode_id_secret(settings: Settings | None = None) -> FileIdSecret:
    """The secret that keys residents' identity-number hashes: a 0600 file beside the pseudonym
    secret, made on first use (read lazily, so `--help` and tests never touch it)."""
    settings = settings or Settings()
    return FileIdSecret(settings.pseudonym_secret_path.with_name("healthcode-id.secret"))


def healthcode_codec() -> HcertCodec:
    """How health codes become HC1 text and QR images: the credential domain's codec."""
    return HcertCodec()


def alembic_config(engine: Engine) -> Config:
    """Alembic configuration bound to ``engine``."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade_database(engine: Engine) -> str:
    """Apply every migration; returns the head revision."""
    command.upgrade(alembic_config(engine), "head")
    return current_revision(engine) or ""


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None when never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest revision in the migrations folder."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    return head or ""


def connect(settings: Settings) -> Engine:
    """Engine for the configured database, checked to answer."""
    engine = create_db_engine(settings.database_url)
    check_database(engine)
    return engine


def ensure_migrated(engine: Engine) -> None:
    """Refuse to serve a database that is not at the newest schema."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise ConfigurationError(
            f"The database is at schema {current or 'none'}, the code expects {head}.",
            "数据库结构版本与程序不一致。",
            hint="Run `dyrd db upgrade` (make run does this for you).",
        )


def build_app(
    settings: Settings, *, engine: Engine | None = None, clock: Clock = utc_now
) -> FastAPI:
    """Wire the whole platform into one ASGI app."""
    engine = engine if engine is not None else connect(settings)
    parts = AppParts(
        engine=engine,
        session_factory=make_session_factory(engine),
        clock=clock,
        authenticator=trust_service.authenticator(clock),
        # Read per request: a member node swaps in its synced trust list below.
        routers=routers(source=lambda: app.state.credential_certificate_source),
    )
    app = create_app(parts)
    _wire_checkpoint(app, clock, tally_seconds=settings.healthcode_tally_seconds)
    app.state.settings = settings
    app.state.trust_keystore = trust_keystore(settings)
    app.state.exchange_access_policy = exchange_access_policy(settings)
    app.state.healthcode_id_secret = healthcode_id_secret(settings)
    app.state.healthcode_codec = healthcode_codec()
    app.state.healthcode_consumer_gateway = exchange_gateway_api.consumer_gateway
    # Rank-stability draws of the economy page, keyed by a digest of their inputs.
    app.state.economy_stability_cache = EconomyStabilityCache()
    app.state.supply_epcis_artefacts = settings.epcis_artefacts_dir
    # Page tokens are HMAC'd with a per-process key: they stop working after a restart, which the
    # REST binding allows (a nextPageToken may expire).
    app.state.supply_epcis_page_key = secrets.token_bytes(32)
    _wire_gateway(app, settings)
    if settings.node_member:
        _wire_federated_node(app, settings, parts)
    install_web(app)
    _run_ledger_checkpointer(app, settings, parts)
    return app


def covisitor_lookup_app(
    jurisdiction: str,
    *,
    settings: Settings | None = None,
    engine: Engine | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """The co-visitor lookup service of a jurisdiction's node: the upstream its gateway proxies
    a catalog ``service`` resource to. Serve it on an internal address only the gateway reaches
    (it trusts its caller: the gateway has checked the signature and the grant)."""
    engine = engine if engine is not None else connect(settings or Settings())
    app = FastAPI(title="dyrd co-visitor lookup", docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(healthcode_tracing_api.lookup_router)
    app.state.session_factory = make_session_factory(engine)
    app.state.clock = clock
    app.state.healthcode_lookup_jurisdiction = jurisdiction
    return app


def healthcode_trust_list(sessions: Callable[[], Session]) -> TrustListView:
    """The trust list `dyrd healthcode checkpoint` verifies against: this database's, or on a
    member node (DYRD_NODE_MEMBER) its synced signed copy."""
    source = credential_certificate_source(sessions=sessions)
    assert isinstance(source, LocalTrustList | TrustListClient)  # noqa: S101  # sessions given
    return source


def healthcode_revocation() -> Callable[[Session], RevocationView | None]:
    """The revocations `dyrd healthcode checkpoint` checks: this database's standing ones (the
    embedded default), or on a member node its synced copy of every issuer's lists."""
    settings = Settings()
    if settings.node_member and settings.directory_url and settings.directory_root_key:
        client = credential_revocation_client(settings)
        return lambda _session: client
    return credential_local_revocations


def _wire_checkpoint(app: FastAPI, clock: Clock, *, tally_seconds: float) -> None:
    """Embedded default: credential verifiers and checkpoints read this database's trust list
    and revocations (every member's, as one process hosts them all)."""

    def sessions() -> Session:
        # Looked up on each read, not bound now: tests and tools replace the factory later.
        return app.state.session_factory()  # type: ignore[no-any-return]

    local = LocalTrustList(sessions, clock=clock)
    app.state.credential_certificate_source = local
    app.state.healthcode_trust_list = local
    app.state.healthcode_revocation = credential_local_revocations
    # Checkpoint verification counts reach the ledger in batches (timer, every N, shutdown).
    counts = VerificationTally(sessions=sessions, clock=clock, interval=tally_seconds or 60.0)
    app.state.healthcode_audit_tally = counts
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        if tally_seconds > 0:
            counts.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            counts.stop()

    app.router.lifespan_context = lifespan


def healthcode_consumer(clock: Clock = utc_now) -> ConsumerGateway:
    """A consumer gateway for `dyrd healthcode venue trace --remote` (embedded locator)."""
    conf = gateway_settings()
    return ConsumerGateway(
        transport=gateway_transport(),
        keystore=trust_keystore(),
        locator=member_locator(),
        clock=clock,
        algorithm=conf.algorithm,
        skew=conf.skew,
    )


def trust_keystore(settings: Settings | None = None) -> KeyStore:
    """Members' private keys: PEM files in DYRD_KEY_DIR, encrypted if DYRD_KEY_PASSPHRASE is set."""
    settings = settings or Settings()
    secret = settings.key_passphrase
    passphrase = secret.get_secret_value().encode("utf-8") if secret is not None else None
    return FileKeyStore(settings.key_dir, passphrase=passphrase)


def exchange_access_policy(settings: Settings | None = None) -> AccessPolicy:
    """Answer deadline, grant cap and working-day calendar of the access workflow."""
    settings = settings or Settings()
    return exchange_service.access_policy(
        answer_working_days=settings.exchange_answer_working_days,
        max_grant_days=settings.exchange_max_grant_days,
        holidays=settings.exchange_holidays,
        workdays=settings.exchange_workdays,
    )


def gateway_settings(settings: Settings | None = None) -> GatewaySettings:
    """The signed gateway's tunables from DYRD_GATEWAY_* settings."""
    settings = settings or Settings()
    return GatewaySettings(
        skew=timedelta(seconds=settings.gateway_clock_skew_seconds),
        algorithm=settings.gateway_algorithm,
        upstream_timeout=settings.gateway_upstream_timeout_seconds,
        retry_after=settings.gateway_retry_after_seconds,
        privacy=PrivacySettings(epsilon_per_grant=settings.privacy_epsilon_per_grant),
    )


def gateway_transport(settings: Settings | None = None) -> HttpxGatewayTransport:
    """How the consumer gateway reaches provider nodes: httpx, with the configured timeout."""
    settings = settings or Settings()
    return HttpxGatewayTransport(
        timeout=settings.gateway_upstream_timeout_seconds,
        retry_after=settings.gateway_retry_after_seconds,
    )


def member_locator() -> MemberLocator:
    """Where other members' nodes and keys are on an embedded node: this database's trust tables.

    A federated node (``dyrd serve --member``) uses the signed directory instead
    (``_wire_federated_node``).
    """
    return DatabaseMemberLocator()


def _wire_gateway(app: FastAPI, settings: Settings) -> None:
    """What the gateway routes build their gateways from (on first use, with the keystore)."""
    app.state.exchange_gateway_settings = gateway_settings(settings)
    app.state.exchange_gateway_transport = gateway_transport(settings)
    app.state.exchange_member_locator = member_locator()
    loaded: list[bytes] = []

    def pseudonym_secret() -> bytes:
        if not loaded:  # read once: the file never changes under a running node
            loaded.append(load_or_create_secret(settings.pseudonym_secret_path))
        return loaded[0]

    app.state.exchange_pseudonym_secret = pseudonym_secret


def serve_settings(settings: Settings, *, member: str | None, directory: bool) -> Settings:
    """Settings for `dyrd serve [--member ID | --directory]` (see docs in README, Federation).

    ``--member``: one member's node, which knows other members only through the signed
    directory at DYRD_DIRECTORY_URL, verified with the pinned DYRD_DIRECTORY_ROOT_KEY.
    ``--directory``: the region's directory service: the trust API (members, keys, nodes,
    ``/api/v1/trust/directory``) over the region's database and root key; it polls no one.
    """
    if member and directory:
        raise ConfigurationError(
            "--member and --directory exclude each other.",
            "--member 与 --directory 不能同时使用。",
            hint="Run the directory and each member node as separate processes.",
        )
    if directory:
        return settings.model_copy(update={"node_member": None, "directory_url": None})
    member = member or settings.node_member
    if not member:
        return settings
    if not settings.directory_url or not settings.directory_root_key:
        raise ConfigurationError(
            f"The node of {member} needs the directory's URL and the pinned root key.",
            "联邦节点需要目录地址与固定的根公钥。",
            hint="Set DYRD_DIRECTORY_URL (https://.../api/v1/trust/directory) and "
            "DYRD_DIRECTORY_ROOT_KEY (the JWK from `dyrd directory root-key`, or its file).",
        )
    return settings.model_copy(update={"node_member": member})


def directory_root_key(settings: Settings) -> dict[str, Any]:
    """The pinned region root key: DYRD_DIRECTORY_ROOT_KEY as JSON, or the file it names."""
    value = (settings.directory_root_key or "").strip()
    if value.startswith("{"):
        return trust_service.parse_root_key(value.encode("utf-8"), source="DYRD_DIRECTORY_ROOT_KEY")
    try:
        data = Path(value).read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"Cannot read the pinned root key {value}: {exc.strerror}.",
            "无法读取固定的根公钥文件。",
            hint="DYRD_DIRECTORY_ROOT_KEY is the JWK itself or the path of a file holding it.",
        ) from exc
    return trust_service.parse_root_key(data, source=value)


def _wire_federated_node(app: FastAPI, settings: Settings, parts: AppParts) -> None:
    """A member's own node: poll the signed directory; find other members' nodes and keys there."""
    assert settings.directory_url is not None  # noqa: S101  # checked by serve_settings
    client = DirectoryClient(
        settings.directory_url,
        root_public_jwk=directory_root_key(settings),
        cache_path=settings.directory_cache_path,
        clock=parts.clock,
        interval=settings.directory_refresh_seconds,
        timeout=settings.gateway_upstream_timeout_seconds,
    )
    locator = DirectoryMemberLocator(client)
    gw = app.state.exchange_gateway_settings
    app.state.node_member = settings.node_member
    app.state.trust_directory_client = client
    app.state.exchange_member_locator = locator
    app.state.exchange_gateway = Gateway(
        keystore=app.state.trust_keystore,
        locator=locator,
        clock=parts.clock,
        secret=app.state.exchange_pseudonym_secret,
        settings=gw,
    )
    app.state.exchange_consumer_gateway = ConsumerGateway(
        transport=app.state.exchange_gateway_transport,
        keystore=app.state.trust_keystore,
        locator=locator,
        clock=parts.clock,
        algorithm=gw.algorithm,
        skew=gw.skew,
    )

    trust_list = credential_trust_list_client(settings, clock=parts.clock, directory=client)
    app.state.trust_list_client = trust_list
    app.state.credential_certificate_source = trust_list
    app.state.healthcode_trust_list = trust_list

    @app.get("/trustlistz", tags=["ops"])
    def trustlistz() -> dict[str, Any]:
        """The node's copy of the credential trust list: fresh, stale-but-valid or expired."""
        return {"member": settings.node_member, **trust_list.status().as_dict()}

    @app.get("/directoryz", tags=["ops"])
    def directoryz() -> dict[str, Any]:
        """The node's copy of the signed directory: fresh, stale-but-valid or expired."""
        status = client.status()
        return {
            "member": settings.node_member,
            "state": status.state.value,
            "serial": status.serial,
            "expires_at": status.expires_at,
            "last_error": status.last_error,
        }

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        client.start()
        trust_list.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            trust_list.close()
            client.close()
            app.state.exchange_gateway.close()

    app.router.lifespan_context = lifespan
    _wire_revocation_sync(app, settings, parts, client, trust_list)


def credential_revocation_client(
    settings: Settings | None = None,
    *,
    directory: DirectoryClient | None = None,
    trust_list: TrustListClient | None = None,
    clock: Clock = utc_now,
) -> RevocationClient:
    """A verifier's copy of issuers' revocation lists, found and checked via the directory.

    Without ``directory`` (the CLI's `dyrd credential revocation sync`) it reads the directory
    once from DYRD_DIRECTORY_URL / DYRD_DIRECTORY_ROOT_KEY and closes it with the client; without
    ``trust_list`` it syncs the signed trust list once the same way. Entries count only under
    kids that trust list gives the issuer that signed them.
    """
    settings = settings or Settings()
    closing = []
    if directory is None:
        if not settings.directory_url or not settings.directory_root_key:
            raise ConfigurationError(
                "Syncing revocation lists needs the signed directory.",
                "同步吊销列表需要签名目录。",
                hint="Set DYRD_DIRECTORY_URL and DYRD_DIRECTORY_ROOT_KEY (as for a member node).",
            )
        directory = DirectoryClient(
            settings.directory_url,
            root_public_jwk=directory_root_key(settings),
            cache_path=settings.directory_cache_path,
            clock=clock,
            timeout=settings.gateway_upstream_timeout_seconds,
        )
        directory.refresh()
        closing.append(directory.close)
    if trust_list is None:
        trust_list = credential_trust_list_client(settings, clock=clock, directory=directory)
        trust_list.refresh()
        closing.append(trust_list.close)
    keys = DirectoryKeys(directory, clock)
    return RevocationClient(
        keys.issuers,
        node_url=keys.node_url,
        keys=keys,
        # The list held even when expired: who owns a kid does not change with its validity.
        kid_owners=TrustListOwners(trust_list.current),
        cache_dir=settings.directory_cache_path.parent / "revocation",
        clock=clock,
        interval=REVOCATION_SYNC_SECONDS,
        timeout=settings.gateway_upstream_timeout_seconds,
        closing=closing,
    )


def _wire_revocation_sync(
    app: FastAPI,
    settings: Settings,
    parts: AppParts,
    directory: DirectoryClient,
    trust_list: TrustListClient,
) -> None:
    """A member node syncs the other issuers' revocation lists while it serves."""
    client = credential_revocation_client(
        settings, directory=directory, trust_list=trust_list, clock=parts.clock
    )
    app.state.credential_revocation_client = client
    app.state.healthcode_revocation = lambda _session: client
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        client.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            client.close()

    app.router.lifespan_context = lifespan


def ledger_signer(settings: Settings | None = None) -> Signer:
    """The key that signs ledger tree heads: a local Ed25519 key file, made on first use."""
    return FileSigner((settings or Settings()).ledger_key_path)


def _run_ledger_checkpointer(app: FastAPI, settings: Settings, parts: AppParts) -> None:
    """Sign ledger tree heads in a background thread while the app serves (off the request path)."""
    if settings.ledger_checkpoint_seconds <= 0:
        return
    checkpointer = Checkpointer(
        session_factory=parts.session_factory,
        signer=ledger_signer(settings),
        clock=parts.clock,
        interval=settings.ledger_checkpoint_seconds,
        batch=settings.ledger_checkpoint_entries,
    )
    app.state.ledger_checkpointer = checkpointer
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        checkpointer.start()
        try:
            async with inner(application) as state:
                yield state
        finally:
            checkpointer.stop()

    app.router.lifespan_context = lifespan
