"""The export format of a log (JSON Lines) and its offline audit.

One JSON object per line::

    {"type": "header", "format": "dyrd-ledger-export", "version": 1, "entries": N, "heads": H, ...}
    {"type": "key", "key_id": ..., "algorithm": "EdDSA", "public_key": <base64 SPKI DER>}
    {"type": "entry", "seq": 0, "leaf_hash": <hex>, "entry": {...canonical entry object...}}
    {"type": "head", "tree_size": 1, "root_hash": <hex>, "timestamp": ..., "key_id": ...,
     "algorithm": ..., "signature": <base64>, "consistency": [<hex>, ...]}

Keys come first, then entries in sequence order, each head right after the last entry it
covers, with the RFC 9162 consistency proof from the head before it. The audit reads the file
once, keeping O(log n) state (a :class:`Frontier`), so a log of any length fits in memory.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dyrd.ledger.compute.entries import (
    EntryError,
    canonical_json,
    entry_from_json,
    format_timestamp,
    parse_timestamp,
)
from dyrd.ledger.compute.merkle import EMPTY_ROOT, Frontier, leaf_hash, verify_consistency
from dyrd.ledger.compute.signatures import (
    ALGORITHMS,
    head_signature_valid,
    public_key,
)
from dyrd.ledger.types import PublicKey, TreeHead

FORMAT = "dyrd-ledger-export"
FORMAT_VERSION = 1


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def header_record(*, entries: int, heads: int, keys: int, exported_at: datetime) -> dict[str, Any]:
    """First line: what the file holds, so truncation is caught."""
    return {
        "type": "header",
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "entries": entries,
        "heads": heads,
        "keys": keys,
        "exported_at": format_timestamp(exported_at),
    }


def key_record(key: PublicKey) -> dict[str, Any]:
    """A public key that verifies heads in the file."""
    return {
        "type": "key",
        "key_id": key.key_id,
        "algorithm": key.algorithm,
        "public_key": _b64(key.spki_der),
    }


def entry_record(seq: int, data: bytes, leaf: bytes) -> dict[str, Any]:
    """One entry: its canonical object (re-canonicalised by the audit) and leaf hash."""
    return {"type": "entry", "seq": seq, "leaf_hash": leaf.hex(), "entry": json.loads(data)}


def head_record(head: TreeHead, consistency: Sequence[bytes]) -> dict[str, Any]:
    """One signed tree head with the consistency proof from the previous head in the file."""
    return {
        "type": "head",
        "tree_size": head.size,
        "root_hash": head.root_hash.hex(),
        "timestamp": format_timestamp(head.timestamp),
        "key_id": head.key_id,
        "algorithm": head.algorithm,
        "signature": _b64(head.signature),
        "consistency": [h.hex() for h in consistency],
    }


def dump_line(record: Mapping[str, Any]) -> str:
    """One JSON Lines line (UTF-8 text, no insignificant whitespace)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


@dataclass(frozen=True, slots=True)
class Problem:
    """The first thing wrong with a file, and where."""

    line: int
    location: str
    message: str
    message_zh: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "line": self.line,
            "location": self.location,
            "message": self.message,
            "message_zh": self.message_zh,
        }


@dataclass(frozen=True, slots=True)
class AuditReport:
    """Outcome of auditing an export."""

    entries: int
    heads: int
    key_ids: list[str]
    last_head: TreeHead | None
    problem: Problem | None
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return self.problem is None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (``dyrd ledger verify --json``)."""
        head = self.last_head
        return {
            "valid": self.valid,
            "entries": self.entries,
            "heads": self.heads,
            "keys": self.key_ids,
            "last_head": None
            if head is None
            else {
                "tree_size": head.size,
                "root_hash": head.root_hash.hex(),
                "timestamp": format_timestamp(head.timestamp),
                "key_id": head.key_id,
            },
            "problem": None if self.problem is None else self.problem.as_dict(),
            "warnings": self.warnings,
        }


class _Bad(Exception):
    def __init__(self, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


def _hex32(value: object, what: str) -> bytes:
    try:
        if isinstance(value, str) and len(value) == 64 and value == value.lower():
            return bytes.fromhex(value)
    except ValueError:
        pass
    raise _Bad(f"{what} is not 64 lower-case hex digits", f"{what} 不是 64 位小写十六进制")


def _b64decode(value: object, what: str) -> bytes:
    try:
        if isinstance(value, str):
            return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        pass
    raise _Bad(f"{what} is not base64", f"{what} 不是 base64 编码")


def _int(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Bad(f"{what} is not a non-negative integer", f"{what} 不是非负整数")
    return value


@dataclass
class _Audit:
    trusted: Mapping[str, PublicKey] | None
    keys: dict[str, PublicKey] = field(default_factory=dict)
    header: dict[str, Any] | None = None
    frontier: Frontier = field(default_factory=Frontier)
    prev: bytes = bytes(32)
    heads: int = 0
    last_head: TreeHead | None = None
    location: str = ""

    def record(self, obj: object) -> None:
        if not isinstance(obj, dict):
            raise _Bad("line is not a JSON object", "该行不是 JSON 对象")
        kind = obj.get("type")
        if self.header is None:
            self.location = "header"
            self._header(obj)
        elif kind == "key":
            self._key(obj)
        elif kind == "entry":
            self._entry(obj)
        elif kind == "head":
            self._head(obj)
        else:
            self.location = "record"
            raise _Bad(f"unknown record type {kind!r}", f"未知记录类型 {kind!r}")

    def _header(self, obj: dict[str, Any]) -> None:
        if obj.get("type") != "header" or obj.get("format") != FORMAT:
            raise _Bad(f"the first line is not a {FORMAT} header", f"第一行不是 {FORMAT} 文件头")
        if obj.get("version") != FORMAT_VERSION:
            raise _Bad(
                f"export version {obj.get('version')!r} is not {FORMAT_VERSION}",
                "导出格式版本不受支持",
            )
        for name in ("entries", "heads", "keys"):
            _int(obj.get(name), f"header.{name}")
        self.header = obj

    def _key(self, obj: dict[str, Any]) -> None:
        self.location = f"key {obj.get('key_id')!r}"
        if self.frontier.size or self.heads:
            raise _Bad("keys must come before entries and heads", "公钥必须位于条目和树头之前")
        der = _b64decode(obj.get("public_key"), "public_key")
        try:
            key = public_key(der)
        except ValueError as exc:
            raise _Bad(f"public key is unusable: {exc}", "公钥无法使用") from exc
        if key.key_id != obj.get("key_id") or key.algorithm != obj.get("algorithm"):
            raise _Bad(
                f"key id or algorithm does not match the public key (it is {key.key_id})",
                "公钥标识或算法与公钥不符",
            )
        if key.key_id in self.keys:
            raise _Bad("key listed twice", "公钥重复")
        if self.trusted is not None and key.key_id not in self.trusted:
            raise _Bad(
                "key is not among the trusted keys given with --trusted-key",
                "该公钥不在 --trusted-key 指定的可信公钥中",
            )
        self.keys[key.key_id] = key

    def _entry(self, obj: dict[str, Any]) -> None:
        expected = self.frontier.size
        self.location = f"entry seq {obj.get('seq')!r}"
        seq = _int(obj.get("seq"), "seq")
        if seq != expected:
            raise _Bad(
                f"entry seq {seq} where seq {expected} was expected "
                "(an entry was deleted, inserted or moved)",
                f"此处应为序号 {expected} 的条目，实为 {seq}（条目被删除、插入或移动）",
            )
        try:
            entry = entry_from_json(obj.get("entry"))
            data = canonical_json(entry.as_json())
        except EntryError as exc:
            raise _Bad(f"entry is malformed: {exc}", "条目格式错误") from exc
        if entry.seq != seq:
            raise _Bad(f"entry body says seq {entry.seq}", f"条目内容中的序号为 {entry.seq}")
        leaf = leaf_hash(data)
        if _hex32(obj.get("leaf_hash"), "leaf_hash") != leaf:
            raise _Bad(
                f"leaf hash does not match the entry (recomputed {leaf.hex()}): "
                "the entry was changed",
                "叶哈希与条目内容不符：条目被篡改",
            )
        if entry.prev != self.prev:
            raise _Bad(
                f"hash chain broken: prev is {entry.prev.hex()}, the previous entry's leaf hash "
                f"is {self.prev.hex()}",
                "哈希链断裂：prev 与前一条目的叶哈希不符",
            )
        self.frontier, _ = self.frontier.append(leaf)
        self.prev = leaf

    def _head(self, obj: dict[str, Any]) -> None:
        self.location = f"head tree_size {obj.get('tree_size')!r}"
        size = _int(obj.get("tree_size"), "tree_size")
        root = _hex32(obj.get("root_hash"), "root_hash")
        try:
            at = parse_timestamp(obj.get("timestamp"))  # type: ignore[arg-type]  # checked inside
        except EntryError as exc:
            raise _Bad(str(exc), "时间戳格式错误") from exc
        head = TreeHead(
            size=size,
            root_hash=root,
            timestamp=at,
            key_id=str(obj.get("key_id")),
            algorithm=str(obj.get("algorithm")),
            signature=_b64decode(obj.get("signature"), "signature"),
        )
        if size != self.frontier.size:
            raise _Bad(
                f"head for {size} entries follows entry {self.frontier.size - 1} "
                "(entries or heads were removed or moved)",
                f"树头覆盖 {size} 个条目，但位于第 {self.frontier.size} 个条目之后",
            )
        if self.frontier.root() != root:
            raise _Bad(
                f"root hash differs from the root recomputed from the entries "
                f"({self.frontier.root().hex()})",
                "根哈希与由条目重新计算的根不符",
            )
        key = (self.trusted if self.trusted is not None else self.keys).get(head.key_id)
        if key is None or head.algorithm not in ALGORITHMS:
            raise _Bad(
                f"head is signed by unknown key {head.key_id!r}", f"树头签名公钥 {head.key_id} 未知"
            )
        if not head_signature_valid(head, key):
            raise _Bad("head signature does not verify", "树头签名验证失败")
        prev = self.last_head
        prev_size, prev_root = (prev.size, prev.root_hash) if prev else (0, EMPTY_ROOT)
        if prev is not None and (size <= prev.size or at < prev.timestamp):
            raise _Bad(
                f"heads out of order: size {size} at {obj.get('timestamp')} follows size "
                f"{prev.size} at {format_timestamp(prev.timestamp)}",
                "树头顺序错误（大小或时间倒退）",
            )
        proof = obj.get("consistency")
        if not isinstance(proof, list):
            raise _Bad("consistency is not a list", "consistency 不是数组")
        path = [_hex32(h, "consistency hash") for h in proof]
        if not verify_consistency(prev_size, size, prev_root, root, path):
            raise _Bad(
                f"consistency proof from tree size {prev_size} does not verify",
                f"从树大小 {prev_size} 起的一致性证明验证失败",
            )
        self.heads += 1
        self.last_head = head

    def finish(self) -> list[str]:
        if self.header is None:
            self.location = "header"
            raise _Bad("file is empty", "文件为空")
        self.location = "end of file"
        counts = {"entries": self.frontier.size, "heads": self.heads, "keys": len(self.keys)}
        for name, got in counts.items():
            if self.header[name] != got:
                raise _Bad(
                    f"header announces {self.header[name]} {name}, the file holds {got} "
                    "(the file was truncated or lines were removed)",
                    f"文件头声明 {self.header[name]} 个 {name}，实际为 {got}（文件被截断或删行）",
                )
        warnings = []
        covered = self.last_head.size if self.last_head else 0
        if covered < self.frontier.size:
            warnings.append(
                f"{self.frontier.size - covered} entries after the last signed head are "
                "covered by the hash chain only"
            )
        if self.trusted is None:
            warnings.append(
                "signatures were checked with keys taken from the file itself; pin the log's "
                "key with --trusted-key to detect a re-signed log"
            )
        return warnings


def audit(lines: Iterable[str], *, trusted: Iterable[PublicKey] | None = None) -> AuditReport:
    """Check an export: leaf hashes, hash chain, every head's root, signature and consistency.

    Stops at the first problem. ``trusted`` pins the keys that may sign heads; without it the
    keys listed in the file are used, which proves integrity but not who wrote the log.
    """
    state = _Audit(trusted=None if trusted is None else {k.key_id: k for k in trusted})
    number = 0
    problem: Problem | None = None
    warnings: list[str] = []
    try:
        for number, line in enumerate(lines, start=1):  # noqa: B007  # number is reported below
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                state.location = "line"
                raise _Bad(f"not JSON: {exc.msg}", "不是合法的 JSON") from exc
            state.record(obj)
        number += 1
        warnings = state.finish()
    except _Bad as bad:
        problem = Problem(number, state.location, bad.message, bad.message_zh)
    return AuditReport(
        entries=state.frontier.size,
        heads=state.heads,
        key_ids=sorted(state.keys),
        last_head=state.last_head,
        problem=problem,
        warnings=warnings,
    )
