"""`dyrd market ...`: the market domain's command group; each concept adds its subcommands."""

from __future__ import annotations

import typer

from dyrd.market import oversight_cli

app = typer.Typer(
    help="市场治理：电子合同、电子招投标与网络拍卖、OCDS、风险信号、串通筛查、市场风险 / "
    "Market governance: e-contracts, e-tendering and auctions, OCDS, red flags, collusion "
    "screens, market risk.",
    no_args_is_help=True,
)
oversight_cli.register(app)
