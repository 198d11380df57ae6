"""Errors of the region domain."""

from __future__ import annotations

from dyrd.core.errors import PayloadTooLarge


class ImportTooLarge(PayloadTooLarge):
    """An uploaded table is larger than the import accepts."""

    title = "File too large"
    title_zh = "文件过大"
