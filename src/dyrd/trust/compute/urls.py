"""Checks on the base URLs of members' nodes, as published in the signed directory."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
"""Longest base URL accepted (the common limit of browsers and proxies, RFC 9110 §4.1 advice)."""

_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def node_url_problem(url: str) -> tuple[str, str] | None:  # noqa: PLR0911  # one return per rule
    """What is wrong with ``url`` as a node's base URL, in English and Chinese; None if fine.

    An absolute http or https URL with a host, and nothing a directory must not carry: no
    user name or password (they would be published to every member), no query, no fragment.
    """
    if len(url) > MAX_URL_LENGTH:
        return (f"At most {MAX_URL_LENGTH} characters.", f"最多 {MAX_URL_LENGTH} 个字符。")
    if _CONTROL_OR_SPACE.search(url):
        return ("No spaces or control characters.", "不能包含空格或控制字符。")
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError when not a number in 0-65535
    except ValueError:
        return ("Not a valid URL.", "不是合法的 URL。")
    if parts.scheme.lower() not in {"http", "https"}:
        return (
            "Only http:// and https:// URLs are accepted.",
            "仅接受 http:// 或 https:// 地址。",
        )
    if "@" in parts.netloc:
        return (
            "The URL must not carry a user name or password: the directory is public.",
            "地址中不能包含用户名或密码：目录是公开的。",
        )
    if not parts.hostname:
        return ("The URL has no host.", "地址缺少主机名。")
    if port == 0:
        return ("Port 0 is not a port a node listens on.", "端口 0 无效。")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        return (
            "A base URL has no query (?...) or fragment (#...).",
            "基础地址不能包含查询串（?...）或片段（#...）。",
        )
    return None
