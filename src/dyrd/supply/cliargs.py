"""What the `dyrd supply` command modules share: options, the actor, input validation."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from dyrd.core.actor import Actor
from dyrd.core.errors import FieldError
from dyrd.core.types import REGION_MEMBER_ID
from dyrd.supply.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

JsonFlag = Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON for scripts")]
MemberOpt = Annotated[
    str | None, typer.Option(help="代表的成员单位 / member recorded, default CN-YRD")
]
ExistingFile = typer.Argument(exists=True, dir_okay=False, readable=True)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers
        return "unknown"


def actor_for(member: str | None) -> Actor:
    return Actor(user="cli:" + _os_user(), member=member or REGION_MEMBER_ID)


def model(cls: type[M], data: dict[str, Any]) -> M:
    """Validate CLI input with the API's schema; errors exit 3 with each field named."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            "Invalid input.",
            "输入无效。",
            errors=[
                FieldError(".".join(map(str, e["loc"])) or "input", e["msg"])
                for e in exc.errors(include_url=False)
            ],
        ) from exc


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(
            f"Cannot read JSON from {path.name}: {exc}", f"无法从 {path.name} 读取 JSON：{exc}"
        ) from exc
