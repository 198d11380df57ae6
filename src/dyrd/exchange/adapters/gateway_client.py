"""HTTP transport of the consumer gateway: one signed GET to a provider node, over httpx.

Connection refused, timeouts and other transport failures become ``ServiceUnavailable`` with a
``Retry-After``, so callers (the API, the CLI) tell users to try later instead of crashing.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from dyrd.core.errors import ServiceUnavailable
from dyrd.exchange.ports import RawResponse

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for a provider node (connect and read)."""
DEFAULT_RETRY_AFTER = 30
"""Seconds a caller is told to wait when the provider node is down."""


class HttpxGatewayTransport:
    """Sends the consumer gateway's requests (implements ``exchange.ports.GatewayTransport``)."""

    def __init__(
        self,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry_after: int = DEFAULT_RETRY_AFTER,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._retry_after = retry_after
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": "dyrd-gateway"},
        )

    def __repr__(self) -> str:
        return f"HttpxGatewayTransport(retry_after={self._retry_after})"

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

    def get(self, url: str, headers: Sequence[tuple[str, str]]) -> RawResponse:
        """GET ``url`` with exactly these headers; ServiceUnavailable when the node is down."""
        try:
            response = self._http.get(url, headers=list(headers))
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"The provider node at {httpx.URL(url).host} did not answer "
                f"({type(exc).__name__}).",
                "提供方节点没有响应。",
                hint=f"The node may be down or unreachable; try again in {self._retry_after} s.",
                retry_after=self._retry_after,
            ) from exc
        return RawResponse(
            status=response.status_code,
            headers=list(response.headers.multi_items()),
            body=response.content,
        )
