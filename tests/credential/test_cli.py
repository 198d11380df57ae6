"""`dyrd credential verify`: text or image, --certificate, --at, --json, exit codes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from typer.testing import CliRunner

from dyrd.cli.main import app
from dyrd.credential.cli import EXIT_INVALID

VECTOR = json.loads(
    (Path(__file__).resolve().parents[1] / "external" / "hcert" / "IT" / "2.json").read_text(
        "utf-8"
    )
)
TEXT: str = VECTOR["PREFIX"]
CERT: str = VECTOR["TESTCTX"]["CERTIFICATE"]
AT: str = VECTOR["TESTCTX"]["VALIDATIONCLOCK"]
runner = CliRunner()


def test_valid_text_json() -> None:
    """--json prints valid, the nine steps and the reason; exit 0."""
    result = runner.invoke(
        app, ["credential", "verify", TEXT, "--certificate", CERT, "--at", AT, "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert list(data["steps"]) == [
        "prefix",
        "base45",
        "zlib",
        "cose",
        "cbor",
        "signature",
        "key_usage",
        "expiry",
        "schema",
    ]
    assert list(data)[:3] == ["valid", "steps", "reason"]


def test_invalid_exit_code_and_table() -> None:
    """Without the certificate: exit 11 and a bilingual table naming the failed step."""
    result = runner.invoke(app, ["credential", "verify", TEXT, "--at", AT])
    assert result.exit_code == EXIT_INVALID
    assert "无效 INVALID" in result.stdout
    assert "signature" in result.stdout
    assert "失败" in result.stdout
    result = runner.invoke(app, ["credential", "verify", "garbage", "--json"])
    assert result.exit_code == EXIT_INVALID
    assert json.loads(result.stdout)["steps"]["prefix"] is False


def test_image_and_text_files(tmp_path: Path) -> None:
    """A PNG path is decoded with zxing-cpp; a text file holding HC1 is read as text."""
    png = tmp_path / "code.png"
    png.write_bytes(base64.b64decode(VECTOR["2DCODE"]))
    result = runner.invoke(
        app, ["credential", "verify", str(png), "--certificate", CERT, "--at", AT]
    )
    assert result.exit_code == 0, result.output
    assert "有效 VALID" in result.stdout
    txt = tmp_path / "code.txt"
    txt.write_text(TEXT + "\n", encoding="ascii")
    result = runner.invoke(
        app, ["credential", "verify", str(txt), "--certificate", CERT, "--at", AT]
    )
    assert result.exit_code == 0, result.output


def test_malformed_input_exit_3() -> None:
    """An unreadable certificate or time is an error (exit 3) with a bilingual message."""
    result = runner.invoke(app, ["credential", "verify", TEXT, "--certificate", "***"])
    assert result.exit_code == 3
    assert "证书" in result.stderr
    result = runner.invoke(app, ["credential", "verify", TEXT, "--at", "noon"])
    assert result.exit_code == 3


def test_help_is_bilingual() -> None:
    """The help names the argument, the options and the exit codes in both languages."""
    result = runner.invoke(app, ["credential", "verify", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for text in ("TEXT_OR_IMAGE", "--certificate", "--at", "--json", "离线验证", "Exit code"):
        assert text in result.stdout
