"""The city-brain dashboard: server-rendered pages, zh-CN first, with an English switch."""

from dyrd.web.routes import install

__all__ = ["install"]
