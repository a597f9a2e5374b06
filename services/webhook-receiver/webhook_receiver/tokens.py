"""The OAuth token endpoint Walmart calls before delivering to an ``OAUTH`` subscription.

Walmart POSTs ``grant_type=client_credentials`` to the subscription's ``authUrl`` with
``<authHeaderName>: Base64(clientId:clientSecret)`` and expects 200 with ``access_token``
and ``expires_in``; it then delivers with ``Bearer <access_token>`` (walmart-api.md §9.4).

Tokens are self-contained and signed (no server-side table), so any receiver replica can
check a token another replica issued: ``v1.<base64url(json)>.<base64url(HMAC-SHA256)>``
carrying the tenant and the expiry. The signing key is derived from the tenant's client
secret, so rotating the secret revokes every token issued under the old one. Only we issue
and check these tokens; no interoperability is needed, which is why this is not a JWT.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from webhook_receiver.auth import Clock, Unauthorized, decode_basic, now
from webhook_receiver.tenants import OAuthAuth

_VERSION = "v1"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    token_type: str = "Bearer"  # noqa: S105 (a scheme name, not a secret)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class OAuthTokens:
    """Checks client credentials, issues bearer tokens and checks them, for one tenant."""

    def __init__(self, tenant: str, config: OAuthAuth, clock: Clock = now) -> None:
        self._tenant = tenant
        self._ttl = config.token_ttl_seconds
        self._clock = clock
        secret = config.client_secret.get_secret_value().encode()
        self._credentials = f"{config.client_id}:{config.client_secret.get_secret_value()}".encode()
        self._key = hmac.new(
            secret, f"mlc-webhook-token|{tenant}".encode(), hashlib.sha256
        ).digest()

    def check_client(self, header_value: str | None) -> None:
        """The token request's ``Base64(clientId:clientSecret)`` (``Basic `` prefix optional)."""
        if not header_value or not header_value.strip():
            raise Unauthorized("oauth token request: credentials header missing")
        if not hmac.compare_digest(decode_basic(header_value.strip()), self._credentials):
            raise Unauthorized("oauth token request: client credentials do not match")

    def issue(self) -> IssuedToken:
        claims = {
            "t": self._tenant,
            "exp": int(self._clock()) + self._ttl,
            "n": secrets.token_urlsafe(12),
        }
        body = f"{_VERSION}.{_b64(json.dumps(claims, separators=(',', ':')).encode())}"
        return IssuedToken(access_token=f"{body}.{self._sign(body)}", expires_in=self._ttl)

    def check(self, token: str) -> None:
        version, _, rest = token.partition(".")
        claims_part, _, signature = rest.partition(".")
        if version != _VERSION or not claims_part or not signature:
            raise Unauthorized("oauth: token is not one we issue")
        if not hmac.compare_digest(
            signature.encode(), self._sign(f"{version}.{claims_part}").encode()
        ):
            raise Unauthorized("oauth: token signature does not match")
        try:
            claims = json.loads(_unb64(claims_part))
            tenant, expires = claims["t"], int(claims["exp"])
        except (binascii.Error, ValueError, TypeError, KeyError):
            raise Unauthorized("oauth: token claims unreadable") from None
        if tenant != self._tenant:
            raise Unauthorized("oauth: token issued for another tenant")
        if expires <= self._clock():
            raise Unauthorized("oauth: token expired")

    def _sign(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode(), hashlib.sha256).digest())
