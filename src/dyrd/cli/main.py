"""The root `dyrd` command: wires settings and sessions, then hands over to domain commands."""

from __future__ import annotations

import logging
import sys
from typing import Annotated, Any

import typer
import uvicorn
from sqlalchemy.orm import Session, sessionmaker
from typer import _click  # typer vendors click; its Group API is typed against this module
from typer.core import TyperGroup

from dyrd import bootstrap
from dyrd.core.cliutil import CliState, fail, print_json
from dyrd.core.clock import utc_now
from dyrd.core.config import load_settings
from dyrd.core.db import make_session_factory
from dyrd.core.errors import DyrdError
from dyrd.core.logging import configure_logging, resolve_logging
from dyrd.credential import cli as credential_cli
from dyrd.credential import revocation_cli as credential_revocation_cli
from dyrd.economy import cli as economy_cli
from dyrd.epidemic import calibration_cli as epidemic_calibration_cli
from dyrd.epidemic import cli as epidemic_cli
from dyrd.exchange import access_cli as exchange_access_cli
from dyrd.exchange import cli as exchange_cli
from dyrd.exchange import gateway_cli as exchange_gateway_cli
from dyrd.healthcode import checkpoint_cli as healthcode_checkpoint_cli
from dyrd.healthcode import cli as healthcode_cli
from dyrd.healthcode import tracing_cli as healthcode_tracing_cli
from dyrd.ledger import cli as ledger_cli
from dyrd.market import cli as market_cli
from dyrd.market import trade_cli as market_trade_cli
from dyrd.region import cli as region_cli
from dyrd.supply import cli as supply_cli
from dyrd.supply import epcis_cli as supply_epcis_cli
from dyrd.trust import certificates_cli as trust_certificates_cli
from dyrd.trust import cli as trust_cli
from dyrd.trust import federation_cli as trust_federation_cli
from dyrd.trust import keys_cli as trust_keys_cli


class _PlatformGroup(TyperGroup):
    """Turns platform errors raised by any subcommand into a message and an exit code."""

    def invoke(self, ctx: _click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DyrdError as exc:
            fail(exc)


app = typer.Typer(
    cls=_PlatformGroup,
    help="数字长三角 区域数字治理平台 / Digital YRD regional digital-governance platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="数据库 / Database.")
app.add_typer(db_app, name="db")
app.add_typer(region_cli.app, name="region")
app.add_typer(economy_cli.app, name="economy")
epidemic_calibration_cli.register(epidemic_cli.app)
app.add_typer(epidemic_cli.app, name="epidemic")
app.add_typer(exchange_cli.app, name="catalog")
exchange_app = exchange_access_cli.build_app(policy=bootstrap.exchange_access_policy)
exchange_app.command("fetch")(
    exchange_gateway_cli.build_fetch(
        keystore=bootstrap.trust_keystore,
        transport=bootstrap.gateway_transport,
        locator=bootstrap.member_locator,
        settings=bootstrap.gateway_settings,
    )
)
exchange_app.command("aggregate")(
    exchange_gateway_cli.build_aggregate(
        keystore=bootstrap.trust_keystore,
        transport=bootstrap.gateway_transport,
        locator=bootstrap.member_locator,
        settings=bootstrap.gateway_settings,
    )
)
app.add_typer(exchange_app, name="exchange")
app.add_typer(trust_cli.user_app, name="user")
app.add_typer(trust_cli.token_app, name="token")
app.add_typer(trust_cli.member_app, name="member")
app.add_typer(trust_keys_cli.build_key_app(keystore=bootstrap.trust_keystore), name="key")
directory_app = trust_keys_cli.build_directory_app(keystore=bootstrap.trust_keystore)
directory_app.command("register")(trust_federation_cli.register)
app.add_typer(directory_app, name="directory")
app.add_typer(ledger_cli.build_app(signer=bootstrap.ledger_signer), name="ledger")
credential_app = credential_cli.build_app(source=bootstrap.credential_certificate_source)
credential_app.add_typer(
    credential_revocation_cli.build_app(client=bootstrap.credential_revocation_client),
    name="revocation",
)
app.add_typer(credential_app, name="credential")
healthcode_app = healthcode_cli.build_app(
    keystore=bootstrap.trust_keystore,
    secret=bootstrap.healthcode_id_secret,
    codec=bootstrap.healthcode_codec,
    calendar=lambda: bootstrap.exchange_access_policy().calendar,
)
healthcode_app.command("checkpoint")(
    healthcode_checkpoint_cli.build_checkpoint(
        keystore=bootstrap.trust_keystore,
        verifier=bootstrap.healthcode_codec,
        trust_list=bootstrap.healthcode_trust_list,
        revocation=bootstrap.healthcode_revocation,
    )
)
healthcode_app.add_typer(
    healthcode_tracing_cli.build_app(
        keystore=bootstrap.trust_keystore,
        codec=bootstrap.healthcode_codec,
        gateway=bootstrap.healthcode_consumer,
        lookup_app=bootstrap.covisitor_lookup_app,
    ),
    name="venue",
)
app.add_typer(healthcode_app, name="healthcode")
market_trade_cli.register(market_cli.app, keystore=bootstrap.trust_keystore)
app.add_typer(market_cli.app, name="market")
app.add_typer(
    trust_certificates_cli.build_trust_app(keystore=bootstrap.trust_keystore), name="trust"
)
supply_app = supply_cli.build_app(
    epcis=supply_epcis_cli.build_app(artefacts=lambda: load_settings().epcis_artefacts_dir)
)
app.add_typer(supply_app, name="supply")


@app.callback()
def root(ctx: typer.Context) -> None:
    """数字长三角 / Digital YRD."""
    settings = load_settings()
    level, json_lines = resolve_logging(
        settings.log_level, settings.log_json, interactive=sys.stderr.isatty()
    )
    configure_logging(level, json_lines=json_lines)
    # Migration chatter is for operators reading server logs, not for people at a terminal.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    factories: list[sessionmaker[Session]] = []

    def session_factory() -> Session:
        # The engine is created on first use, so `--help` works without a database.
        if not factories:
            engine = bootstrap.connect(settings)
            ctx.call_on_close(engine.dispose)  # close pooled connections when the command ends
            factories.append(make_session_factory(engine))
        return factories[0]()

    ctx.obj = CliState(session_factory=session_factory, clock=utc_now)


@db_app.command("upgrade")
def db_upgrade(
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
) -> None:
    """应用全部数据库迁移 / Apply every database migration."""
    engine = bootstrap.connect(load_settings())
    head = bootstrap.upgrade_database(engine)
    if as_json:
        print_json({"revision": head, "database": engine.dialect.name})
    else:
        typer.echo(f"数据库已升级 database upgraded to {head} ({engine.dialect.name})")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址 / bind address")] = None,
    port: Annotated[int | None, typer.Option(help="端口 / port")] = None,
    member: Annotated[
        str | None,
        typer.Option(
            "--member",
            help="联邦节点：只服务此成员，经签名目录识别其他成员 / federated node of this member "
            "(needs DYRD_DIRECTORY_URL and DYRD_DIRECTORY_ROOT_KEY)",
        ),
    ] = None,
    directory: Annotated[
        bool,
        typer.Option(
            "--directory",
            help="区域目录服务 / run the region's directory service (members, keys, nodes)",
        ),
    ] = False,
) -> None:
    """启动 API 与驾驶舱 / Serve the API and the dashboard.

    Without options one process hosts every member (the embedded default). `--member ID` runs
    one member's node, federated through the signed directory; `--directory` runs the region's
    directory service.
    """
    settings = bootstrap.serve_settings(load_settings(), member=member, directory=directory)
    engine = bootstrap.connect(settings)
    bootstrap.ensure_migrated(engine)
    web = bootstrap.build_app(settings, engine=engine)
    bind_host = host or settings.host
    bind_port = port or settings.port
    level, json_lines = resolve_logging(
        settings.log_level, settings.log_json, interactive=sys.stderr.isatty(), server=True
    )
    configure_logging(level, json_lines=json_lines)
    typer.echo(f"数字长三角 Digital YRD: http://{bind_host}:{bind_port}/  (API docs /docs)")
    uvicorn.run(web, host=bind_host, port=bind_port, log_level=level.lower())


def main() -> None:
    """Console entry point."""
    app()
