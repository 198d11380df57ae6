"""`dyrd healthcode checkpoint TEXT_OR_IMAGE --jurisdiction SH`: verify a code at a checkpoint.

Offline: the signature is checked against the trust list this node holds and the revocations
it holds; the jurisdiction's acceptance policy decides. Exit codes: 0 accepted; 11 refused
(the verdict says which step and why); 3 input that cannot be understood; 2 usage errors.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from dyrd import trust
from dyrd.core.actor import Actor
from dyrd.core.cliutil import print_json, print_table, session_scope, state
from dyrd.healthcode import service
from dyrd.healthcode.checkpoint_schemas import CHECKPOINT_STEPS, CheckpointVerdictRead
from dyrd.healthcode.errors import HealthInputInvalid
from dyrd.healthcode.ports import CredentialVerifier, RevocationView, TrustListView
from dyrd.healthcode.service._common import member_of
from dyrd.healthcode.service.checkpoint import parse_at
from dyrd.healthcode.types import JURISDICTION_PREFIX

EXIT_REFUSED = 11
"""Exit code of a code the checkpoint refuses (as `dyrd credential verify` for invalid)."""

MAX_IMAGE_BYTES = 4 * 1024 * 1024
_MARK = {True: "✓ 通过 pass", False: "✗ 失败 fail", None: "– 未检 n/a"}
_BY_PREFIX = {prefix: code for code, prefix in JURISDICTION_PREFIX.items()}


def jurisdiction_code(value: str) -> str:
    """``310000`` from ``SH``, ``sh`` or ``310000``."""
    text = value.strip()
    return _BY_PREFIX.get(text.upper(), text)


def _input(value: str) -> str | bytes:
    """HC1 text, or the bytes of an image file (a text file holding HC1 counts as text)."""
    if value.startswith("HC1:") or len(value) > 4096:
        return value
    path = Path(value)
    if not path.is_file():
        return value
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise HealthInputInvalid(
            f"{path} is larger than {MAX_IMAGE_BYTES} bytes.",
            f"{path} 超过 {MAX_IMAGE_BYTES} 字节。",
            hint="Give a photo or screenshot of the QR code, or the HC1 text itself.",
        )
    data = path.read_bytes()
    if data.lstrip().startswith(b"HC1:"):
        return data.decode("ascii", errors="replace").strip()
    return data


def _print(verdict: CheckpointVerdictRead) -> None:
    print_table(
        f"卡口验证 Checkpoint {verdict.checkpoint_jurisdiction}",
        ["步骤 step", "结果 result"],
        [(step, _MARK[verdict.steps.get(step)]) for step in CHECKPOINT_STEPS],
    )
    head = "通行 ACCEPTED" if verdict.accepted else "拒绝 REFUSED"
    typer.echo(f"{head}: {verdict.reason_zh}")
    typer.echo(f"  {verdict.reason}")
    typer.echo(f"  信任列表 trust list: {verdict.trust_list.state} (v{verdict.trust_list.version})")


def build_checkpoint(
    *,
    keystore: Callable[[], trust.KeyStore],
    verifier: Callable[[], CredentialVerifier],
    trust_list: Callable[[Callable[[], Session]], TrustListView],
    revocation: Callable[[], Callable[[Session], RevocationView | None]],
) -> Callable[..., None]:
    """The `checkpoint` command; dependencies are built when it runs."""

    def checkpoint(  # noqa: PLR0917  # Typer's parameters, one per argument and option
        ctx: typer.Context,
        text_or_image: Annotated[
            str,
            typer.Argument(
                metavar="TEXT_OR_IMAGE",
                help="HC1: 开头的文本，或二维码图片路径 / HC1 text or a QR image path",
            ),
        ],
        jurisdiction: Annotated[
            str,
            typer.Option(
                "--jurisdiction",
                help="卡口所在省市 / the checkpoint's jurisdiction: SH, JS, ZJ, AH or 310000...",
            ),
        ],
        at: Annotated[
            str | None,
            typer.Option("--at", metavar="ISO8601", help="验证时间 / validation time"),
        ] = None,
        test: Annotated[
            str | None,
            typer.Option(
                "--test",
                metavar="TEXT_OR_IMAGE",
                help="同时出示的检测证书（EU DCC）/ a test certificate shown alongside",
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON / print JSON")] = False,
    ) -> None:
        """卡口离线验码并按本地互认策略判定 / Verify a code offline and apply the policy.

        Exit code 0: accepted; 11: refused (the verdict says which step failed and why).
        """
        code = jurisdiction_code(jurisdiction)
        value = _input(text_or_image)
        shown = None if test is None else _input(test)
        if isinstance(shown, bytes):  # an image of the test certificate: read its QR text
            try:
                shown = verifier().read_image(shown)
            except ValueError as exc:
                raise HealthInputInvalid(
                    f"No HC1 text could be read from the test certificate image: {exc}.",
                    "无法从检测证书图片中读取二维码。",
                    hint="Give the test certificate's HC1 text, or a sharper image.",
                ) from None
        when = parse_at(at)
        cli = state(ctx)
        try:
            login = getpass.getuser()
        except (OSError, KeyError):  # no login name in some containers
            login = "unknown"
        with session_scope(ctx) as session:
            book = service.checkpoint_policies(
                session, keystore=keystore(), clock=cli.clock, jurisdictions=[code]
            )
            verdict = service.verify_at_checkpoint(
                session,
                value,
                checkpoint_jurisdiction=code,
                at=when,
                clock=cli.clock,
                actor=Actor(user="cli:" + login, member=member_of(code)),
                verifier=verifier(),
                trust_list=trust_list(cli.session_factory),
                revocation=revocation()(session),
                policies=book,
                test_text=shown,
            )
        if as_json:
            print_json(verdict.model_dump(mode="json"))
        else:
            _print(verdict)
        if not verdict.accepted:
            raise typer.Exit(EXIT_REFUSED)

    return checkpoint
