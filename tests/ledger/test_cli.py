"""`dyrd ledger`: export, then offline verification that catches every kind of tampering."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from dyrd.cli.main import app
from dyrd.core.clock import utc_now
from dyrd.core.db import make_session_factory
from dyrd.ledger import service
from dyrd.ledger.adapters.local_keys import Ed25519Signer
from dyrd.ledger.compute import bundle, merkle
from dyrd.ledger.compute.entries import canonical_json, parse_timestamp
from dyrd.ledger.compute.signatures import public_key, to_pem, tree_head_message
from dyrd.ledger.types import TreeHead
from tests.ledger.conftest import append_many

Lines = list[dict[str, Any]]
ENTRIES, HEAD_SIZES = 14, (6, 11, 14)


def _line_of_entry(seq: int) -> int:
    """1-based line of entry ``seq`` in the export: header, 2 keys, heads after 6 and 11."""
    return 4 + seq + sum(1 for size in HEAD_SIZES if size <= seq)


def _line_of_head(size: int) -> int:
    return _line_of_entry(size - 1) + 1


def _env(engine: Engine, key_dir: Path) -> dict[str, str]:
    """Environment of a `dyrd` process using ``engine`` and a key file in ``key_dir``."""
    return {
        "DYRD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "DYRD_LEDGER_KEY_PATH": str(key_dir / "ledger.pem"),
        "DYRD_LOG_JSON": "false",
    }


@pytest.fixture
def cli_env(committing_engine: Engine, tmp_path: Path) -> dict[str, str]:
    """A `dyrd` environment on a fresh database of each backend."""
    return _env(committing_engine, tmp_path / "keys")


def _dyrd(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture(scope="module")
def module_env(module_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A `dyrd` environment on the module's database (verify never opens it)."""
    return _env(module_engine, tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="module")
def master_export(
    module_engine: Engine,
    module_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    signer: Ed25519Signer,
) -> Path:
    """A log of 14 entries with heads at 6 and 11 (the test key) and 14 (the CLI's key file),
    exported once per backend by `dyrd ledger export`."""
    factory = make_session_factory(module_engine)
    with factory() as session:
        append_many(session, 6, utc_now)
        service.sign_pending_head(session, signer=signer, clock=utc_now)
        append_many(session, 5, utc_now, start=6)
        service.sign_pending_head(session, signer=signer, clock=utc_now)
        append_many(session, 3, utc_now, start=11)
    path = tmp_path_factory.mktemp("out") / "ledger.jsonl"
    result = _dyrd(module_env, "ledger", "export", str(path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["entries"], summary["heads"], summary["keys"]) == (14, 3, 2)
    assert summary["last_head_size"] == 14
    lines = _read(path)
    assert [rec["type"] for rec in lines].count("entry") == ENTRIES
    for seq in range(ENTRIES):
        assert lines[_line_of_entry(seq) - 1]["seq"] == seq
    for size in HEAD_SIZES:
        assert lines[_line_of_head(size) - 1]["tree_size"] == size
    return path


@pytest.fixture
def exported(master_export: Path, tmp_path: Path) -> Path:
    """A private copy of the export, for one test to tamper with."""
    copy = tmp_path / "ledger.jsonl"
    copy.write_bytes(master_export.read_bytes())
    return copy


def _read(path: Path) -> Lines:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write(path: Path, lines: Lines) -> None:
    path.write_text("".join(bundle.dump_line(rec) for rec in lines), encoding="utf-8")


def _verify(env: dict[str, str], path: Path, *extra: str) -> tuple[Result, dict[str, Any]]:
    result = _dyrd(env, "ledger", "verify", str(path), "--json", *extra)
    return result, json.loads(result.stdout)


def _assert_detected(env: dict[str, str], path: Path, line: int, fragment: str) -> None:
    result, report = _verify(env, path)
    assert result.exit_code == 3, result.output
    assert report["valid"] is False
    problem = report["problem"]
    assert problem["line"] == line, problem
    assert fragment in problem["message"], problem
    assert problem["message_zh"]
    human = _dyrd(env, "ledger", "verify", str(path))
    assert human.exit_code == 3
    assert f"line {line}" in human.stderr
    assert "校验失败" in human.stderr


def test_an_untouched_export_verifies(exported: Path, module_env: dict[str, str]) -> None:
    result, report = _verify(module_env, exported)
    assert result.exit_code == 0, result.output
    assert report["valid"] is True
    assert (report["entries"], report["heads"]) == (14, 3)
    assert report["last_head"]["tree_size"] == 14
    human = _dyrd(module_env, "ledger", "verify", str(exported))
    assert human.exit_code == 0
    assert "有效 valid: 14" in human.stdout
    assert "--trusted-key" in human.stderr  # the note that keys came from the file itself


POSITIONS = [0, 3, 5, 6, 10, 11, 13]


@pytest.mark.parametrize("seq", POSITIONS)
def test_changing_an_entry_is_detected(
    exported: Path, module_env: dict[str, str], seq: int
) -> None:
    lines = _read(exported)
    lines[_line_of_entry(seq) - 1]["entry"]["payload"]["i"] = 999
    _write(exported, lines)
    _assert_detected(module_env, exported, _line_of_entry(seq), "leaf hash does not match")


@pytest.mark.parametrize("seq", POSITIONS)
def test_changing_an_entry_and_its_leaf_hash_is_detected(
    exported: Path, module_env: dict[str, str], seq: int
) -> None:
    lines = _read(exported)
    record = lines[_line_of_entry(seq) - 1]
    record["entry"]["subject"] = "dataset:forged"
    record["leaf_hash"] = merkle.leaf_hash(canonical_json(record["entry"])).hex()
    _write(exported, lines)
    following = next(s for s in HEAD_SIZES if s > seq)
    if seq + 1 < following:  # the next entry's prev no longer matches
        _assert_detected(module_env, exported, _line_of_entry(seq + 1), "hash chain broken")
    else:  # the last entry before a head: the head's root no longer matches
        _assert_detected(module_env, exported, _line_of_head(following), "root hash differs")


@pytest.mark.parametrize("seq", POSITIONS)
def test_deleting_an_entry_is_detected(
    exported: Path, module_env: dict[str, str], seq: int
) -> None:
    lines = _read(exported)
    del lines[_line_of_entry(seq) - 1]
    _write(exported, lines)
    if seq + 1 in HEAD_SIZES:  # the head that followed it now follows entry seq - 1
        _assert_detected(module_env, exported, _line_of_entry(seq), "head for")
    else:
        _assert_detected(
            module_env, exported, _line_of_entry(seq), f"seq {seq + 1} where seq {seq}"
        )


@pytest.mark.parametrize("seq", [0, 3, 4, 6, 9, 11, 12])
def test_swapping_two_entries_is_detected(
    exported: Path, module_env: dict[str, str], seq: int
) -> None:
    lines = _read(exported)
    a, b = _line_of_entry(seq) - 1, _line_of_entry(seq + 1) - 1
    lines[a], lines[b] = lines[b], lines[a]
    _write(exported, lines)
    _assert_detected(module_env, exported, a + 1, "was expected")


@pytest.mark.parametrize("seq", [0, 3, 6, 9, 12])
def test_swapping_and_renumbering_two_entries_is_detected(
    exported: Path, module_env: dict[str, str], seq: int
) -> None:
    lines = _read(exported)
    a, b = _line_of_entry(seq) - 1, _line_of_entry(seq + 1) - 1
    lines[a]["entry"], lines[b]["entry"] = lines[b]["entry"], lines[a]["entry"]
    for index, new_seq in ((a, seq), (b, seq + 1)):
        lines[index]["entry"]["seq"] = new_seq
        lines[index]["leaf_hash"] = merkle.leaf_hash(canonical_json(lines[index]["entry"])).hex()
    _write(exported, lines)
    _assert_detected(module_env, exported, a + 1, "hash chain broken")


@pytest.mark.parametrize("keep", list(range(0, 20)))
def test_truncating_the_export_is_detected(
    exported: Path, module_env: dict[str, str], keep: int
) -> None:
    lines = _read(exported)
    assert len(lines) == 20
    _write(exported, lines[:keep])
    if keep == 0:
        _assert_detected(module_env, exported, 1, "file is empty")
    else:
        _assert_detected(module_env, exported, keep + 1, "the file was truncated")


def test_cutting_the_last_line_short_is_detected(
    exported: Path, module_env: dict[str, str]
) -> None:
    text = exported.read_text(encoding="utf-8")
    exported.write_text(text[:-40], encoding="utf-8")
    _assert_detected(module_env, exported, 20, "not JSON")


HEAD_TAMPERING = [
    pytest.param(lambda h: h.update(root_hash="00" * 32), "root hash differs", id="root"),
    pytest.param(lambda h: h.update(tree_size=h["tree_size"] - 1), "head for", id="size"),
    pytest.param(
        lambda h: h.update(timestamp="2030-01-01T00:00:00.000000Z"), "signature", id="time"
    ),
    pytest.param(lambda h: h.update(key_id="unknown"), "unknown key", id="key"),
    pytest.param(  # drop an element, or add one to the first head's empty proof
        lambda h: h.update(consistency=h["consistency"][:-1] or ["ab" * 32]),
        "consistency proof",
        id="proof",
    ),
]


@pytest.mark.parametrize("size", HEAD_SIZES)
@pytest.mark.parametrize(("change", "fragment"), HEAD_TAMPERING)
def test_tampering_with_a_head_is_detected(
    *,
    exported: Path,
    module_env: dict[str, str],
    size: int,
    change: Callable[[dict[str, Any]], None],
    fragment: str,
) -> None:
    lines = _read(exported)
    head = lines[_line_of_head(size) - 1]
    change(head)
    _write(exported, lines)
    _assert_detected(module_env, exported, _line_of_head(size), fragment)


@pytest.mark.parametrize("size", HEAD_SIZES)
def test_a_forged_head_signature_is_detected(
    exported: Path, module_env: dict[str, str], size: int
) -> None:
    lines = _read(exported)
    head = lines[_line_of_head(size) - 1]
    signature = bytearray(base64.b64decode(head["signature"]))
    signature[7] ^= 0x01
    head["signature"] = base64.b64encode(bytes(signature)).decode()
    _write(exported, lines)
    _assert_detected(module_env, exported, _line_of_head(size), "signature does not verify")


def test_a_removed_key_or_a_swapped_key_is_detected(
    exported: Path, module_env: dict[str, str]
) -> None:
    lines = _read(exported)
    _write(exported, lines[:1] + lines[2:])
    result, report = _verify(module_env, exported)
    assert result.exit_code == 3
    assert "unknown key" in report["problem"]["message"]
    lines[1]["public_key"] = lines[2]["public_key"]
    _write(exported, lines)
    _assert_detected(module_env, exported, 2, "does not match the public key")


def _resign(lines: Lines, key: Ed25519Signer) -> Lines:
    """What a forger with their own key can do: rewrite, re-hash, re-sign everything."""
    header, entries = lines[0], [rec for rec in lines if rec["type"] == "entry"]
    heads = [rec for rec in lines if rec["type"] == "head"]
    prev, leaves = bytes(32), list[bytes]()
    nodes: dict[tuple[int, int], bytes] = {}
    frontier = merkle.Frontier()
    for rec in entries:
        rec["entry"]["prev"] = prev.hex()
        prev = merkle.leaf_hash(canonical_json(rec["entry"]))
        rec["leaf_hash"] = prev.hex()
        nodes[(0, len(leaves))] = prev
        leaves.append(prev)
        frontier, created = frontier.append(prev)
        nodes.update(created)
    out = [header, bundle.key_record(public_key(key.public_key))]
    header["keys"] = 1
    last = 0
    for rec in entries:
        out.append(rec)
        for head in heads:
            if head["tree_size"] == rec["seq"] + 1:
                size, at = head["tree_size"], parse_timestamp(head["timestamp"])
                root = merkle.root_of(leaves[:size])
                signed = TreeHead(
                    size,
                    root,
                    at,
                    key.key_id,
                    key.algorithm,
                    key.sign(tree_head_message(size, root, at)),
                )
                proof = merkle.consistency_proof(last, size, lambda w: {n: nodes[n] for n in w})
                out.append(bundle.head_record(signed, proof))
                last = size
    return out


def test_a_re_signed_forgery_is_caught_only_by_a_pinned_key(
    exported: Path, module_env: dict[str, str], tmp_path: Path
) -> None:
    keys = _dyrd(module_env, "ledger", "keys", "--pem")
    assert keys.exit_code == 0, keys.output
    pinned = tmp_path / "pinned.pem"
    pinned.write_text(keys.stdout, encoding="utf-8")
    assert keys.stdout.count("BEGIN PUBLIC KEY") == 2

    lines = _read(exported)
    lines[_line_of_entry(4) - 1]["entry"]["payload"]["purpose"] = "forged"
    _write(exported, _resign(lines, Ed25519Signer.generate()))
    result, report = _verify(module_env, exported)
    assert result.exit_code == 0, report  # internally consistent: only a pinned key tells
    # Each pinned file holds one PEM; pass both of the log's keys.
    first, second = keys.stdout.split("-----END PUBLIC KEY-----\n")[:2]
    (tmp_path / "a.pem").write_text(first + "-----END PUBLIC KEY-----\n", encoding="utf-8")
    (tmp_path / "b.pem").write_text(second + "-----END PUBLIC KEY-----\n", encoding="utf-8")
    pins = ["--trusted-key", str(tmp_path / "a.pem"), "--trusted-key", str(tmp_path / "b.pem")]
    result, report = _verify(module_env, exported, *pins)
    assert result.exit_code == 3
    assert report["problem"]["line"] == 2
    assert "not among the trusted keys" in report["problem"]["message"]


def test_the_untouched_export_verifies_against_its_pinned_keys(
    exported: Path, module_env: dict[str, str], tmp_path: Path
) -> None:
    rows = json.loads(_dyrd(module_env, "ledger", "keys", "--json").stdout)
    pins = []
    for i, row in enumerate(rows):
        pem = tmp_path / f"k{i}.pem"
        pem.write_text(to_pem(base64.b64decode(row["public_key"])), encoding="utf-8")
        pins += ["--trusted-key", str(pem)]
    result, report = _verify(module_env, exported, *pins)
    assert result.exit_code == 0, report
    assert not any("--trusted-key" in w for w in report["warnings"])


def test_verify_refuses_unreadable_inputs(
    exported: Path, module_env: dict[str, str], tmp_path: Path
) -> None:
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\xff\xfe not utf-8")
    assert _dyrd(module_env, "ledger", "verify", str(garbage)).exit_code == 3
    assert _dyrd(module_env, "ledger", "verify", str(tmp_path / "missing.jsonl")).exit_code == 2
    bad_key = tmp_path / "bad.pem"
    bad_key.write_text("not a key", encoding="utf-8")
    result = _dyrd(module_env, "ledger", "verify", str(exported), "--trusted-key", str(bad_key))
    assert result.exit_code == 3
    assert "PEM" in result.stderr


def test_head_command_shows_and_signs(committing_engine: Engine, cli_env: dict[str, str]) -> None:
    missing = _dyrd(cli_env, "ledger", "head")
    assert missing.exit_code == 4
    assert "no signed tree head" in missing.stderr
    with make_session_factory(committing_engine)() as session:
        append_many(session, 3, utc_now)
    signed = _dyrd(cli_env, "ledger", "head", "--sign", "--json")
    assert signed.exit_code == 0, signed.output
    body = json.loads(signed.stdout)
    assert (body["tree_size"], body["pending_entries"]) == (3, 0)
    table = _dyrd(cli_env, "ledger", "head")
    assert table.exit_code == 0
    assert body["root_hash"][:32] in table.stdout


def test_help_is_bilingual(module_env: dict[str, str]) -> None:
    result = _dyrd(module_env, "ledger", "--help")
    assert result.exit_code == 0
    for text in ("审计账本", "Audit ledger", "export", "verify", "离线校验"):
        assert text in result.stdout
