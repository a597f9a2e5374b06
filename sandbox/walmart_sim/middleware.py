"""ASGI middleware around every Walmart (``/v3``) call: the request log, injected latency,
throttle headers on answers, and post-effect faults (the call took effect, the client sees a
5xx — the case a client must not blindly retry, walmart-api.md §10.4).

The request log keeps what the connector sent with secrets masked: access tokens, Basic
credentials and any ``password``/``clientSecret``/``client_secret``/``access_token`` field.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .context import SimContext
from .errors import gateway_error
from .guard import POST_EFFECT_FAULT, THROTTLE_HEADERS
from .models import LoggedRequest

BODY_LOG_LIMIT = 64 * 1024
_SECRET_KEYS = ("password", "clientSecret", "client_secret", "access_token")
_KEYS = "|".join(_SECRET_KEYS)
_JSON_SECRET = re.compile(r'("(?:' + _KEYS + r')"\s*:\s*)"[^"]*"')
_FORM_SECRET = re.compile(r"((?:" + _KEYS + r")=)[^&]*")


def mask_header(name: str, value: str) -> str:
    lower = name.lower()
    if lower == "wm_sec.access_token":
        return value[:8] + "…(masked)" if value else value
    if lower == "authorization":
        scheme = value.split(" ", 1)[0] if " " in value else ""
        return f"{scheme} ***(masked)".strip()
    return value


def mask_body(text: str) -> str:
    return _FORM_SECRET.sub(r"\1***", _JSON_SECRET.sub(r'\1"***"', text))


class WalmartMiddleware:
    def __init__(self, app: ASGIApp, context: Callable[[], SimContext]) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v3/"):
            await self.app(scope, receive, send)
            return
        ctx = self.context()
        state = ctx.state
        state.request_seq += 1
        entry = LoggedRequest(
            seq=state.request_seq,
            time_ms=ctx.clock.now_ms(),
            method=scope["method"],
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
            headers={
                k.decode("latin-1"): mask_header(k.decode("latin-1"), v.decode("latin-1"))
                for k, v in scope["headers"]
            },
            body="",
        )
        state.log_request(entry)
        chunks: list[bytes] = []

        async def logged_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        if ctx.config.latency_ms:
            await asyncio.sleep(ctx.config.latency_ms / 1000)
        request_state: dict[str, Any] = scope.setdefault("state", {})
        replaced = False

        async def patched_send(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start":
                fault = request_state.get(POST_EFFECT_FAULT)
                if fault is not None:
                    replaced = True
                    entry.status = fault
                    await _send_fault(send, fault)
                    return
                entry.status = message["status"]
                extra = request_state.get(THROTTLE_HEADERS) or {}
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                for name, value in extra.items():
                    if name.encode() not in present:
                        headers.append((name.encode(), value.encode()))
                message = {**message, "headers": headers}
            elif replaced:
                return
            await send(message)

        try:
            await self.app(scope, logged_receive, patched_send)
        except Exception:
            entry.status = 500
            raise
        finally:
            body = b"".join(chunks)[:BODY_LOG_LIMIT].decode("utf-8", errors="replace")
            entry.body = mask_body(body)


async def _send_fault(send: Send, status: int) -> None:
    error = gateway_error(
        status,
        "DOWNSTREAM_SYSTEM_TIME_OUT" if status == 504 else "SYSTEM_ERROR",
        "Downstream system timed out" if status == 504 else "Internal system error",
    )
    body = json.dumps(error.body()).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
