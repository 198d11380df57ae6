"""`dyrd user|token|member ...` (placeholder until users and tokens land)."""

from __future__ import annotations

import typer

user_app = typer.Typer(help="用户 / Users.")
token_app = typer.Typer(help="访问令牌 / API tokens.")
member_app = typer.Typer(help="成员单位 / Members.")
