"""Authenticating a Walmart delivery: one verifier per subscription ``authMethod`` (§9.4).

Every comparison of a secret-derived value is constant-time (:func:`hmac.compare_digest`).
A failure raises :class:`Unauthorized`; its ``reason`` goes to the log (never a secret) and
the HTTP answer is a bare 401 that says nothing about why.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from webhook_receiver.tenants import BasicAuth, HmacAuth, OAuthAuth, TenantWebhookConfig

Clock = Callable[[], float]


class Unauthorized(Exception):
    """The delivery is not from the subscription's holder; ``reason`` is for operators."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    """What a verifier may look at: the request exactly as received."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]  # case-insensitive (Starlette's Headers)
    body: bytes


class Verifier(Protocol):
    def verify(self, delivery: Delivery) -> None:
        """Return when authentic; raise :class:`Unauthorized` otherwise."""


def _header(delivery: Delivery, name: str, scheme: str) -> str:
    value = delivery.headers.get(name)
    if not value or not value.strip():
        raise Unauthorized(f"{scheme}: header {name!r} missing")
    return value.strip()


def _without_scheme(value: str, scheme: str) -> str:
    """Drop a leading ``<scheme> `` (any case); Walmart's Basic prefix is UNCERTAIN (§9.4)."""
    head, _, rest = value.partition(" ")
    return rest.strip() if rest and head.lower() == scheme.lower() else value


def decode_basic(value: str) -> bytes:
    """``Base64(user:password)`` with or without ``Basic `` → the raw ``user:password``."""
    try:
        return base64.b64decode(_without_scheme(value, "Basic"), validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized("basic: value is not base64") from None


class BasicVerifier:
    """``BASIC_AUTH``: ``<authHeaderName>: Base64(userName:password)`` (§9.4)."""

    def __init__(self, config: BasicAuth) -> None:
        self._header = config.header
        self._expected = f"{config.username}:{config.password.get_secret_value()}".encode()

    def verify(self, delivery: Delivery) -> None:
        given = decode_basic(_header(delivery, self._header, "basic"))
        if not hmac.compare_digest(given, self._expected):
            raise Unauthorized("basic: credentials do not match")


class HmacVerifier:
    """``HMAC``: ``<authHeaderName>: HMACSHA256(complete body, key=clientSecret)`` (§9.4).

    The body is the exact bytes received, before any parsing. Hex or base64 digest per
    ``encoding`` (UNCERTAIN in §9.4): ``any`` reads 64 characters as hex, others as base64
    (a base64 SHA-256 digest is 44 characters, so the two cannot be confused)."""

    def __init__(self, config: HmacAuth) -> None:
        self._header = config.header
        self._key = config.secret.get_secret_value().encode()
        self._encoding = config.encoding

    def _decode(self, value: str) -> bytes:
        as_hex = self._encoding == "hex" or (self._encoding == "any" and len(value) == 64)
        try:
            return bytes.fromhex(value) if as_hex else base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise Unauthorized(f"hmac: value is not {'hex' if as_hex else 'base64'}") from None

    def verify(self, delivery: Delivery) -> None:
        given = self._decode(_header(delivery, self._header, "hmac"))
        expected = hmac.new(self._key, delivery.body, hashlib.sha256).digest()
        if not hmac.compare_digest(given, expected):
            raise Unauthorized("hmac: digest does not match the body")


class BearerVerifier:
    """``OAUTH``: ``<authHeaderName>: Bearer <access_token>``, a token we issued (§9.4)."""

    def __init__(self, config: OAuthAuth, tokens: TokenChecker) -> None:
        self._header = config.header
        self._tokens = tokens

    def verify(self, delivery: Delivery) -> None:
        value = _header(delivery, self._header, "oauth")
        token = _without_scheme(value, "Bearer")
        if token == value:
            raise Unauthorized("oauth: no 'Bearer ' scheme")
        self._tokens.check(token)


class TokenChecker(Protocol):
    def check(self, token: str) -> None: ...


def verifier_for(config: TenantWebhookConfig, tokens: TokenChecker | None) -> Verifier:
    auth = config.auth
    if isinstance(auth, BasicAuth):
        return BasicVerifier(auth)
    if isinstance(auth, HmacAuth):
        return HmacVerifier(auth)
    if tokens is None:
        raise ValueError("an OAUTH tenant needs its token issuer")
    return BearerVerifier(auth, tokens)


def now() -> float:
    return time.time()
