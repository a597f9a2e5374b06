"""The signature on performance notifications (SELLER_PERFORMANCE_NOTIFICATIONS).

walmart-api.md §9.4 (D-security-and-authenticity): ``WM_SEC.TIMESTAMP`` is epoch seconds and
``WM_SEC.SIGNATURE`` is ``base64(HMAC-SHA256(secret, "METHOD\\nPATH?QUERY\\nTIMESTAMP\\n"
+ sha256_hex(body)))``; ``WM_SEC.KEY_ID`` is optional and not needed with one secret.

A timestamp farther than the replay window from our clock (either way) is refused, so a
captured delivery cannot be replayed later; inside the window a replay is a duplicate
``eventId`` and changes nothing. When the query is empty the signed line is the bare path
(whether Walmart then writes ``PATH?`` is not documented). The path is the one this server
sees: a proxy that rewrites paths must be configured not to.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from webhook_receiver.auth import Clock, Delivery, Unauthorized, now
from webhook_receiver.tenants import PerformanceSignature

TIMESTAMP_HEADER = "WM_SEC.TIMESTAMP"
SIGNATURE_HEADER = "WM_SEC.SIGNATURE"
PERFORMANCE_EVENT = "SELLER_PERFORMANCE_NOTIFICATIONS"


def signing_string(method: str, path: str, query: str, timestamp: str, body: bytes) -> bytes:
    target = f"{path}?{query}" if query else path
    return f"{method.upper()}\n{target}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def sign(secret: str, method: str, path: str, query: str, timestamp: str, body: bytes) -> str:
    """The ``WM_SEC.SIGNATURE`` value for a request (used by tests and the docs example)."""
    digest = hmac.new(
        secret.encode(), signing_string(method, path, query, timestamp, body), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


class PerformanceSignatureVerifier:
    def __init__(self, config: PerformanceSignature, clock: Clock = now) -> None:
        self._secret = config.secret.get_secret_value().encode()
        self._window = config.replay_window_seconds
        self._required = config.required
        self._clock = clock

    def verify(self, delivery: Delivery, event_type: str) -> None:
        """Check the signature when present; demand it on performance events if required."""
        timestamp = delivery.headers.get(TIMESTAMP_HEADER)
        signature = delivery.headers.get(SIGNATURE_HEADER)
        if timestamp is None and signature is None:
            if self._required and event_type == PERFORMANCE_EVENT:
                raise Unauthorized("signature: performance notification without WM_SEC headers")
            return
        if not timestamp or not signature:
            raise Unauthorized("signature: WM_SEC.TIMESTAMP or WM_SEC.SIGNATURE missing")
        try:
            stamp = int(timestamp.strip())
        except ValueError:
            raise Unauthorized("signature: WM_SEC.TIMESTAMP is not epoch seconds") from None
        if abs(self._clock() - stamp) > self._window:
            raise Unauthorized("signature: timestamp outside the replay window")
        try:
            given = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise Unauthorized("signature: WM_SEC.SIGNATURE is not base64") from None
        expected = hmac.new(
            self._secret,
            signing_string(
                delivery.method, delivery.path, delivery.query, timestamp.strip(), delivery.body
            ),
            hashlib.sha256,
        ).digest()
        if not hmac.compare_digest(given, expected):
            raise Unauthorized("signature: WM_SEC.SIGNATURE does not match")
