"""Service proxying of the provider gateway: a service resource's calls go to its base URL.

The nonce is claimed before the upstream sees the call, so a replay never reaches it; the
upstream is told who is asking (verified by then), as X-Road's security server tells its
providers. When it does not answer, the client gets 503 with ``Retry-After``.
"""

from __future__ import annotations

import httpx

from dyrd.exchange.compute import xroad
from dyrd.exchange.models import Resource
from dyrd.exchange.service.gateway_messages import Answer, ExchangeState, Refusal


def proxy_service(
    upstream: httpx.Client, ex: ExchangeState, res: Resource, *, retry_after: int
) -> Answer:
    """Forward ``ex`` (granted, its nonce claimed) to ``res``'s upstream; its answer as is."""
    base = str(res.snapshot.get("service_base_url") or "").rstrip("/")
    if not base:
        raise Refusal(404, "unknown-service", "The service has no base URL.", "服务未登记地址。")
    rest = xroad.parse_path(ex.request.path).rest
    url = f"{base}/{rest}" if rest else base
    if ex.request.query:
        url += "?" + ex.request.query
    try:
        answer = upstream.get(
            url,
            # The service learns who is asking (verified above), as X-Road's security
            # server tells its providers; it may narrow its answer to that member.
            headers={
                "Accept": "application/json",
                "X-Road-Id": ex.message_id or "",
                "X-Road-Client": ex.client or "",
                "X-Road-UserId": ex.user_id or "",
            },
        )
    except httpx.HTTPError as exc:
        retry = str(retry_after)
        raise Refusal(
            503,
            "upstream-unavailable",
            f"The provider's service did not answer ({type(exc).__name__}).",
            "提供方的服务没有响应。",
            hint=f"Try again in {retry} s.",
            headers={"Retry-After": retry},
        ) from exc
    ex.rows = None
    content_type = answer.headers.get("content-type", "application/octet-stream")
    return answer.status_code, answer.content, content_type, {}
