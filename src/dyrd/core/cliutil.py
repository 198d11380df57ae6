"""What every domain's CLI shares: the session provider, JSON/table output, error exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from dyrd.core.clock import Clock
from dyrd.core.errors import (
    AuthenticationRequired,
    ConfigurationError,
    ConflictError,
    DyrdError,
    NotFoundError,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
)

# The one table from the error tree to CLI exit codes (0 ok, 1 unexpected, 2 usage by Click).
EXIT_CODES: dict[type[DyrdError], int] = {
    ValidationFailed: 3,
    NotFoundError: 4,
    ConflictError: 5,
    AuthenticationRequired: 6,
    PermissionDenied: 7,
    ConfigurationError: 8,
    ServiceUnavailable: 9,
}


def exit_code_for(exc: DyrdError) -> int:
    """Exit code of an error: the nearest class in the table, else 10."""
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return 10


@dataclass
class CliState:
    """Handed from the root CLI to domain commands through ``ctx.obj``."""

    session_factory: Callable[[], Session]
    clock: Clock


def state(ctx: typer.Context) -> CliState:
    """The CLI state set by the root command."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):
        raise ConfigurationError("CLI state missing", "命令行状态缺失")
    return obj


@contextmanager
def session_scope(ctx: typer.Context) -> Iterator[Session]:
    """A session for one command."""
    with state(ctx).session_factory() as session:
        yield session


err_console = Console(stderr=True)
out_console = Console()


def fail(exc: DyrdError) -> NoReturn:
    """Print a bilingual error with its hint and row/column errors, then exit with its code."""
    # Messages and hints quote user input (codes, file names): escape it, or a "[" in it is
    # read as console markup and garbles the text or raises MarkupError instead of exiting.
    # soft_wrap: never break a line inside a message, so commands in hints stay copyable
    # (and the text does not change with the terminal width or the length of a quoted id).
    err_console.print(
        f"[bold red]错误 Error:[/] {escape(exc.message_zh or '')}".rstrip(), soft_wrap=True
    )
    err_console.print(f"  {exc.message}", markup=False, highlight=False, soft_wrap=True)
    for item in exc.errors[:200]:
        line = f"  - {item.location}: {item.message}"
        if item.message_zh:
            line += f" / {item.message_zh}"
        err_console.print(line, markup=False, highlight=False, soft_wrap=True)
    if len(exc.errors) > 200:
        err_console.print(f"  ... {len(exc.errors) - 200} more")
    if exc.hint:
        err_console.print(f"[yellow]提示 Hint:[/] {escape(exc.hint)}", soft_wrap=True)
    raise typer.Exit(exit_code_for(exc))


def print_json(data: Any) -> None:
    """Machine-readable output on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A human-readable table on stdout (cells are data, never console markup)."""
    table = Table(title=Text(title))
    for col in columns:
        table.add_column(Text(col))
    for row in rows:
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    out_console.print(table)
