"""Page model of a version comparison: each changed field with its old and new value.

Only the metadata diff and the data version's row count and hash are shown: row-level changes
need data access, which this page (no login) never has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from dyrd.exchange import service as exchange
from dyrd.exchange.types import LICENCES
from dyrd.web.catalogpage import PATH, Sharing, sharing, theme_label
from dyrd.web.common import Notice, clip, notice
from dyrd.web.i18n import Lang, t
from dyrd.web.resourcepage import field_label, frequency_label, joined, titles


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One changed field: old and new value as text, and details (added/removed items)."""

    key: str
    label: str
    old: str
    new: str
    details: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiffPage:
    """Everything the diff page shows."""

    notices: tuple[Notice, ...]
    name: str
    href: str
    title: str
    title_other: str
    sharing: Sharing
    a: int | None
    b: int | None
    rows: tuple[DiffRow, ...]
    version_numbers: tuple[int, ...]
    rows_note: str


def _licence_text(value: Any, lang: Lang) -> str:
    lic = LICENCES.get(str(value))
    return (lic.title_zh if lang == "zh" else lic.title_en) if lic else str(value)


def _data_text(value: Any, lang: Lang) -> str:
    if not isinstance(value, dict) or value.get("version") is None:
        return t("diff.empty", lang)
    sha = str(value.get("sha256") or "")[:12]
    return t("diff.data", lang, v=value["version"], rows=value.get("rows"), sha=sha + "…")


def _list_text(value: Any, lang: Lang, item: Callable[[Any], str] = str) -> str:
    return joined([item(v) for v in value], lang) if isinstance(value, list) else str(value)


# How the diff shows the value of a field that holds a code, a list or a nested record.
_VALUE_TEXT: dict[str, Callable[[Any, Lang], str]] = {
    "sharing_class": lambda v, lang: t(f"sharing.{v}", lang),
    "frequency": lambda v, lang: frequency_label(str(v), lang),
    "licence": _licence_text,
    "themes": lambda v, lang: _list_text(v, lang, lambda x: theme_label(str(x), lang)),
    "columns": lambda v, lang: _list_text(
        [c.get("name", "?") for c in v if isinstance(c, dict)] if isinstance(v, list) else v,
        lang,
    ),
    "data": _data_text,
}


def _value_text(key: str, value: Any, lang: Lang) -> str:
    """A snapshot value as the diff table shows it."""
    if value is None or value in ("", []):
        return t("diff.empty", lang)
    shown = _VALUE_TEXT.get(key)
    return shown(value, lang) if shown is not None else _list_text(value, lang)


def _details(key: str, change: Mapping[str, Any], lang: Lang) -> tuple[str, ...]:
    out: list[str] = []
    sep = t("sep", lang)
    label = (lambda v: theme_label(str(v), lang)) if key == "themes" else str
    added = change.get("added") or change.get("columns_added") or []
    removed = change.get("removed") or change.get("columns_removed") or []
    if added:
        out.append(t("diff.added", lang) + sep + joined([label(v) for v in added], lang))
    if removed:
        out.append(t("diff.removed", lang) + sep + joined([label(v) for v in removed], lang))
    for column, fields in (change.get("columns_changed") or {}).items():
        for name, pair in fields.items():
            old = "—" if pair.get("old") in (None, "") else str(pair.get("old"))
            new = "—" if pair.get("new") in (None, "") else str(pair.get("new"))
            out.append(f"{t('diff.column', lang, name=column)} · {name}{sep}{old} → {new}")
    return tuple(out)


def _version_param(given: str | None, known: Sequence[int]) -> int | None:
    """The version asked for; None when not asked, -1 when it is not one of ``known``."""
    if given is None or given == "":
        return None
    if not given.isdigit() or len(given) > 9 or int(given) not in known:
        return -1
    return int(given)


def diff_page(session: Session, ref: str, *, lang: Lang, a: str | None, b: str | None) -> DiffPage:
    """Field-by-field changes between two versions (default: the last change).

    Raises the exchange's ResourceNotFound for an unknown id or name.
    """
    res = exchange.get_resource(session, ref)
    known = [v.version for v in exchange.list_versions(session, res.id)]
    notices: list[Notice] = []
    title, other = titles(res, lang)
    page = DiffPage(
        notices=(),
        name=res.name,
        href=f"{PATH}/{res.name}",
        title=title,
        title_other=other,
        sharing=sharing(res.sharing_class.value, lang),
        a=None,
        b=None,
        rows=(),
        version_numbers=tuple(reversed(known)),
        rows_note=t("diff.rows_note", lang, id=res.name),
    )
    if len(known) < 2:
        return replace(page, notices=(notice("notice.one_version"),))
    frm, to = _version_param(a, known), _version_param(b, known)
    newer = to if to is not None and to > 0 else known[-1]
    older = frm if frm is not None and frm > 0 else max(known[0], newer - 1)
    for given, parsed in ((a, frm), (b, to)):
        if parsed == -1:
            notices.append(notice("notice.bad_version", given=clip(given or ""), a=older, b=newer))
    d = exchange.diff_versions(session, res.id, older, newer)
    rows = tuple(
        DiffRow(
            key=key,
            label=field_label(key, lang),
            old=_value_text(key, change.get("old"), lang),
            new=_value_text(key, change.get("new"), lang),
            details=_details(key, change, lang),
        )
        for key, change in d.changes.items()
    )
    return replace(page, notices=tuple(notices), a=older, b=newer, rows=rows)
