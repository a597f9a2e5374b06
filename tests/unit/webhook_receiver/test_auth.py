"""Each verifier of walmart-api.md §9.4, good and bad."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from pydantic import SecretStr
from starlette.datastructures import Headers
from webhook_receiver.auth import (
    BasicVerifier,
    BearerVerifier,
    Delivery,
    HmacVerifier,
    Unauthorized,
)
from webhook_receiver.signature import PerformanceSignatureVerifier, sign
from webhook_receiver.tenants import BasicAuth, HmacAuth, OAuthAuth, PerformanceSignature
from webhook_receiver.tokens import OAuthTokens

BODY = b'{"source":{"eventType":"PO_CREATED","eventId":"e1"},"payload":{}}'


def delivery(
    headers: dict[str, str],
    body: bytes = BODY,
    path: str = "/webhooks/walmart/acme",
    query: str = "",
) -> Delivery:
    return Delivery(method="POST", path=path, query=query, headers=Headers(headers), body=body)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class Clock:
    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


# --- BASIC_AUTH ---

BASIC = BasicAuth(username="walmart", password=SecretStr("s3cret:with:colons"))


@pytest.mark.parametrize(
    "value",
    [
        b64(b"walmart:s3cret:with:colons"),
        "Basic " + b64(b"walmart:s3cret:with:colons"),
        "basic   " + b64(b"walmart:s3cret:with:colons"),
    ],
)
def test_basic_accepts_with_and_without_prefix(value: str) -> None:
    BasicVerifier(BASIC).verify(delivery({"Authorization": value}))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": b64(b"walmart:wrong")},
        {"Authorization": b64(b"other:s3cret:with:colons")},
        {"Authorization": "Basic not-base64!"},
        {"Authorization": "Bearer " + b64(b"walmart:s3cret:with:colons")},
        {"X-Other": b64(b"walmart:s3cret:with:colons")},
    ],
)
def test_basic_refuses(headers: dict[str, str]) -> None:
    with pytest.raises(Unauthorized):
        BasicVerifier(BASIC).verify(delivery(headers))


def test_basic_reads_the_configured_header() -> None:
    config = BasicAuth(header="X-Walmart-Auth", username="u", password=SecretStr("p"))
    BasicVerifier(config).verify(delivery({"x-walmart-auth": b64(b"u:p")}))
    with pytest.raises(Unauthorized):
        BasicVerifier(config).verify(delivery({"Authorization": b64(b"u:p")}))


def test_failure_reason_names_no_secret() -> None:
    with pytest.raises(Unauthorized) as caught:
        BasicVerifier(BASIC).verify(delivery({"Authorization": b64(b"walmart:nope")}))
    assert "s3cret" not in caught.value.reason
    assert "nope" not in caught.value.reason


# --- HMAC ---

SECRET = "hmac-client-secret"
DIGEST = hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()


@pytest.mark.parametrize(
    ("encoding", "value"),
    [
        ("hex", DIGEST.hex()),
        ("hex", DIGEST.hex().upper()),
        ("base64", b64(DIGEST)),
        ("any", DIGEST.hex()),
        ("any", b64(DIGEST)),
    ],
)
def test_hmac_accepts_configured_encodings(encoding: str, value: str) -> None:
    config = HmacAuth.model_validate({"secret": SECRET, "encoding": encoding})
    HmacVerifier(config).verify(delivery({"Authorization": value}))


@pytest.mark.parametrize(
    ("encoding", "value"),
    [
        ("hex", b64(DIGEST)),  # the other encoding than configured
        ("base64", DIGEST.hex()),
        ("any", hmac.new(b"other", BODY, hashlib.sha256).hexdigest()),
        ("any", ""),
        ("any", "zz" * 32),
    ],
)
def test_hmac_refuses(encoding: str, value: str) -> None:
    config = HmacAuth.model_validate({"secret": SECRET, "encoding": encoding})
    with pytest.raises(Unauthorized):
        HmacVerifier(config).verify(delivery({"Authorization": value}))


def test_hmac_covers_the_exact_body() -> None:
    config = HmacAuth.model_validate({"secret": SECRET})
    reformatted = BODY.replace(b":", b": ")  # same JSON, other bytes
    with pytest.raises(Unauthorized):
        HmacVerifier(config).verify(delivery({"Authorization": DIGEST.hex()}, body=reformatted))


# --- OAUTH ---

OAUTH = OAuthAuth(
    client_id="walmart-client", client_secret=SecretStr("oauth-secret"), token_ttl_seconds=900
)


def test_oauth_client_credentials_with_or_without_basic_prefix() -> None:
    tokens = OAuthTokens("acme", OAUTH, Clock(1_000_000))
    tokens.check_client(b64(b"walmart-client:oauth-secret"))
    tokens.check_client("Basic " + b64(b"walmart-client:oauth-secret"))
    for bad in (None, "", b64(b"walmart-client:wrong"), b64(b"someone:oauth-secret")):
        with pytest.raises(Unauthorized):
            tokens.check_client(bad)


def test_oauth_token_accepted_until_it_expires() -> None:
    clock = Clock(1_000_000)
    tokens = OAuthTokens("acme", OAUTH, clock)
    issued = tokens.issue()
    assert issued.expires_in == 900
    verifier = BearerVerifier(OAUTH, tokens)
    verifier.verify(delivery({"Authorization": f"Bearer {issued.access_token}"}))
    clock.at += 899
    verifier.verify(delivery({"Authorization": f"Bearer {issued.access_token}"}))
    clock.at += 1
    with pytest.raises(Unauthorized, match="expired"):
        verifier.verify(delivery({"Authorization": f"Bearer {issued.access_token}"}))


def test_oauth_refuses_foreign_tampered_and_schemeless_tokens() -> None:
    clock = Clock(1_000_000)
    tokens = OAuthTokens("acme", OAUTH, clock)
    verifier = BearerVerifier(OAUTH, tokens)
    token = tokens.issue().access_token
    other_tenant = OAuthTokens("other", OAUTH, clock).issue().access_token
    rotated = (
        OAuthTokens("acme", OAUTH.model_copy(update={"client_secret": SecretStr("new")}), clock)
        .issue()
        .access_token
    )
    version, claims, signature = token.split(".")
    forged_claims = base64.urlsafe_b64encode(b'{"t":"acme","exp":9999999999,"n":"x"}')
    for value in (
        token,  # no Bearer scheme
        f"Bearer {other_tenant}",
        f"Bearer {rotated}",
        f"Bearer {version}.{forged_claims.decode().rstrip('=')}.{signature}",
        f"Bearer {version}.{claims}.{signature[:-2]}",
        "Bearer ",
        "Bearer garbage",
    ):
        with pytest.raises(Unauthorized):
            verifier.verify(delivery({"Authorization": value}))


def test_oauth_tokens_survive_a_second_replica() -> None:
    """Tokens are self-contained: another receiver with the same configuration accepts them."""
    clock = Clock(1_000_000)
    token = OAuthTokens("acme", OAUTH, clock).issue().access_token
    OAuthTokens("acme", OAUTH, clock).check(token)


# --- performance signature ---

SIG = PerformanceSignature(secret=SecretStr("perf-secret"), replay_window_seconds=300)
NOW = 1_700_000_000


def signed(
    timestamp: int, *, body: bytes = BODY, secret: str = "perf-secret", query: str = ""
) -> Delivery:
    path = "/webhooks/walmart/acme"
    signature = sign(secret, "POST", path, query, str(timestamp), body)
    return delivery(
        {"WM_SEC.TIMESTAMP": str(timestamp), "WM_SEC.SIGNATURE": signature},
        body=body,
        path=path,
        query=query,
    )


def test_signature_matches_the_documented_string() -> None:
    """§9.4: base64(HMAC-SHA256(secret, METHOD\\nPATH?QUERY\\nTIMESTAMP\\nsha256_hex(body)))."""
    text = f"POST\n/p?a=1\n{NOW}\n{hashlib.sha256(BODY).hexdigest()}".encode()
    expected = b64(hmac.new(b"perf-secret", text, hashlib.sha256).digest())
    assert sign("perf-secret", "POST", "/p", "a=1", str(NOW), BODY) == expected


def test_signature_accepted_inside_the_window() -> None:
    verifier = PerformanceSignatureVerifier(SIG, Clock(NOW))
    for stamp in (NOW, NOW - 300, NOW + 300):
        verifier.verify(signed(stamp), "SELLER_PERFORMANCE_NOTIFICATIONS")
    verifier.verify(signed(NOW, query="x=1"), "SELLER_PERFORMANCE_NOTIFICATIONS")


@pytest.mark.parametrize("bad", ["stale", "future", "secret", "body", "missing", "half", "nan"])
def test_signature_refused(bad: str) -> None:
    verifier = PerformanceSignatureVerifier(SIG, Clock(NOW))
    good = signed(NOW)
    deliveries = {
        "stale": signed(NOW - 301),
        "future": signed(NOW + 301),
        "secret": signed(NOW, secret="other"),
        "body": Delivery("POST", good.path, "", good.headers, BODY + b" "),
        "missing": delivery({}),
        "half": delivery({"WM_SEC.TIMESTAMP": str(NOW)}),
        "nan": delivery({"WM_SEC.TIMESTAMP": "soon", "WM_SEC.SIGNATURE": "AAAA"}),
    }
    with pytest.raises(Unauthorized):
        verifier.verify(deliveries[bad], "SELLER_PERFORMANCE_NOTIFICATIONS")


def test_signature_only_demanded_of_performance_events() -> None:
    verifier = PerformanceSignatureVerifier(SIG, Clock(NOW))
    verifier.verify(delivery({}), "PO_CREATED")
    optional = PerformanceSignatureVerifier(SIG.model_copy(update={"required": False}), Clock(NOW))
    optional.verify(delivery({}), "SELLER_PERFORMANCE_NOTIFICATIONS")
    with pytest.raises(Unauthorized):  # present but wrong is refused on any event
        verifier.verify(signed(NOW, secret="other"), "PO_CREATED")
