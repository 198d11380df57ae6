"""`dyrd credential verify`: check an HC1 code (text or QR image) offline.

Exit codes: 0 the credential is valid; 11 it is not (the verdict says which step failed);
3 the input cannot be understood (an unreadable certificate or time); 2 usage errors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from dyrd.core.cliutil import print_json, print_table, state
from dyrd.credential import service
from dyrd.credential.compute.qr import MAX_IMAGE_BYTES
from dyrd.credential.errors import CredentialTooLarge
from dyrd.credential.ports import CertificateSource
from dyrd.credential.types import STEPS, Verdict

EXIT_INVALID = 11
"""Exit code of a credential that does not verify (0 when it does)."""

_MARK = {True: "✓ 通过 pass", False: "✗ 失败 fail", None: "– 未检 n/a"}


def _input(value: str) -> tuple[str | None, bytes | None]:
    """``(text, None)`` for HC1 text, ``(None, image)`` for an image file; a text file holding
    HC1 counts as text."""
    if value.startswith("HC1:") or len(value) > 4096:
        return value, None
    path = Path(value)
    if not path.is_file():
        return value, None
    if path.stat().st_size > MAX_IMAGE_BYTES:
        raise CredentialTooLarge(
            f"{path} is larger than {MAX_IMAGE_BYTES} bytes.",
            f"{path} 超过 {MAX_IMAGE_BYTES} 字节。",
            hint="Give a photo or screenshot of the QR code, or the HC1 text itself.",
        )
    data = path.read_bytes()
    if data.lstrip().startswith(b"HC1:"):
        return data.decode("ascii", errors="replace").strip(), None
    return None, data


def _print(verdict: Verdict) -> None:
    print_table(
        "凭证验证 Credential verification",
        ["步骤 step", "结果 result"],
        [(step.value, _MARK[verdict.steps.get(step)]) for step in STEPS],
    )
    head = "有效 VALID" if verdict.valid else "无效 INVALID"
    typer.echo(f"{head}: {verdict.reason_zh}")
    typer.echo(f"  {verdict.reason}")


def build_app(*, source: Callable[[], CertificateSource | None] = lambda: None) -> typer.Typer:
    """The `dyrd credential` commands; ``source`` gives the trust list (wired by bootstrap)."""
    app = typer.Typer(
        help="电子凭证（HC1 / EU DCC 格式）：离线验证 / Signed credentials (HC1, EU DCC): verify."
    )

    @app.command("verify")
    def verify(
        ctx: typer.Context,
        text_or_image: Annotated[
            str,
            typer.Argument(
                metavar="TEXT_OR_IMAGE",
                help="HC1: 开头的文本，或二维码图片（PNG/JPEG）路径 / HC1 text or a QR image path",
            ),
        ],
        certificate: Annotated[
            list[str] | None,
            typer.Option(
                "--certificate",
                metavar="BASE64_DER",
                help="签名证书（base64 DER，可多次）/ document-signer certificate (repeatable)",
            ),
        ] = None,
        at: Annotated[
            str | None,
            typer.Option(
                "--at",
                metavar="ISO8601",
                help="验证时间，默认当前 / validation time (naive = UTC), default now",
            ),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="输出 JSON / print the verdict as JSON")
        ] = False,
    ) -> None:
        """离线验证凭证 / Verify a credential offline.

        Exit code 0: valid; 11: not valid (the verdict says which step failed and why);
        3: a certificate or time that cannot be read.
        """
        text, image = _input(text_or_image)
        verdict = service.verify_credential(
            text=text,
            image=image,
            certificates=certificate or [],
            source=source(),
            at=at,
            clock=state(ctx).clock,
        )
        if as_json:
            data = verdict.as_dict()
            print_json(
                {"valid": data["valid"], "steps": data["steps"], "reason": data["reason"]}
                | {k: v for k, v in data.items() if k not in ("valid", "steps", "reason")}
            )
        else:
            _print(verdict)
        if not verdict.valid:
            raise typer.Exit(EXIT_INVALID)

    return app
