"""Prometheus metrics: request counts and latencies by route template."""

from __future__ import annotations

import time

from fastapi import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class Metrics:
    """One registry per app, so several apps (tests) never collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "dyrd_http_requests_total",
            "HTTP requests by method, route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "dyrd_http_request_duration_seconds",
            "HTTP request latency by method and route.",
            ["method", "route"],
            registry=self.registry,
        )

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Pure ASGI middleware timing each request, labelled by route template.

        Pure ASGI rather than ``@app.middleware("http")``: the latter runs every request
        through an extra task and stream, which cost more than the city list's own query.
        """

        async def timed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            start = time.perf_counter()
            status = 500  # what the client sees if the app raises before answering

            async def send_status(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, send_status)
            finally:
                # The router records the matched route in the shared scope; bounded cardinality.
                template = getattr(scope.get("route"), "path", "unmatched")
                method = scope["method"]
                self.latency.labels(method, template).observe(time.perf_counter() - start)
                self.requests.labels(method, template, str(status)).inc()

        return timed

    def render(self) -> Response:
        """The text exposition format."""
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
