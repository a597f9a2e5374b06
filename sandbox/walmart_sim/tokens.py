"""OAuth client-credentials tokens (walmart-api.md §2).

Tokens live ``token_lifetime_seconds`` (900) of simulated time. A data call is
authenticated only by ``WM_SEC.ACCESS_TOKEN``; an ``Authorization`` header there is ignored.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .context import SimContext
from .errors import WalmartError, gateway_error
from .models import Token

SCOPE_KEYS = (
    "reports", "item", "shipping", "price", "lagtime", "feeds",
    "returns", "orders", "rules", "inventory", "content",
)  # fmt: skip
"""Scope keys of ``GET /v3/token/detail`` (S2 authentication spec)."""


def parse_basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def issue(ctx: SimContext) -> tuple[str, Token]:
    now = ctx.clock.now_ms()
    value = ctx.ids.access_token()
    token = Token(issued_ms=now, expires_ms=now + ctx.config.token_lifetime_seconds * 1000)
    ctx.state.tokens[value] = token
    return value, token


def unauthorized() -> WalmartError:
    """The verbatim 401 of walmart-api.md §2 (I-highsidelabs/walmart-api-php#5)."""
    return gateway_error(401, "UNAUTHORIZED", "Unauthorized", field="UNAUTHORIZED")


def authenticate(ctx: SimContext, value: str | None) -> Token:
    if not value:
        raise unauthorized()
    token = ctx.state.tokens.get(value)
    if token is None:
        raise unauthorized()
    if token.revoked or ctx.clock.now_ms() >= token.expires_ms:
        # An expired or revoked token: 401 by default, legacy 400 INVALID_TOKEN by switch.
        if ctx.config.invalid_token_status == 400:
            raise gateway_error(
                400, "INVALID_TOKEN", "Token is invalid or expired", field="WM_SEC.ACCESS_TOKEN"
            )
        raise unauthorized()
    return token


def detail(ctx: SimContext, value: str, token: Token, scopes: dict[str, str]) -> dict[str, Any]:
    """``GET /v3/token/detail``: epoch-ms timestamps as strings (S1/S2)."""
    return {
        "expire_at": str(token.expires_ms),
        "issued_at": str(token.issued_ms),
        "is_valid": not token.revoked and ctx.clock.now_ms() < token.expires_ms,
        "is_channel_match": True,
        "scopes": {key: scopes.get(key, "full_access") for key in SCOPE_KEYS},
    }
