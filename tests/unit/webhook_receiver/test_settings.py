"""Per-tenant webhook configuration: environment for one tenant, a file for many."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mlc_shared.config import ConfigError, load_settings
from mlc_shared.logging import redact_text
from webhook_receiver.settings import WebhookReceiverSettings
from webhook_receiver.tenants import BasicAuth, HmacAuth, OAuthAuth


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("MLC_"):
            monkeypatch.delenv(name)


def test_env_configures_the_default_tenant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_WEBHOOK_AUTH_METHOD", "hmac")
    monkeypatch.setenv("MLC_WEBHOOK_HMAC_SECRET", "env-hmac-secret")
    monkeypatch.setenv("MLC_WEBHOOK_HMAC_ENCODING", "base64")
    monkeypatch.setenv("MLC_WEBHOOK_SIGNATURE_SECRET", "env-signature-secret")
    settings = load_settings(WebhookReceiverSettings)
    configs = settings.tenant_configs()
    assert configs.tenants == ("default",)
    config = configs.webhook_config("default")
    assert config is not None
    assert isinstance(config.auth, HmacAuth)
    assert config.auth.encoding == "base64"
    assert config.performance_signature is not None
    assert "env-hmac-secret" not in redact_text("secret is env-hmac-secret")


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"MLC_WEBHOOK_AUTH_METHOD": "basic", "MLC_WEBHOOK_USERNAME": "u"}, "MLC_WEBHOOK_PASSWORD"),
        ({"MLC_WEBHOOK_AUTH_METHOD": "hmac"}, "MLC_WEBHOOK_HMAC_SECRET"),
        (
            {"MLC_WEBHOOK_AUTH_METHOD": "oauth", "MLC_WEBHOOK_OAUTH_CLIENT_ID": "c"},
            "MLC_WEBHOOK_OAUTH_CLIENT_SECRET",
        ),
    ],
)
def test_a_method_without_its_secrets_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=missing):
        load_settings(WebhookReceiverSettings)


def test_unknown_method_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_WEBHOOK_AUTH_METHOD", "none")
    with pytest.raises(ConfigError, match="MLC_WEBHOOK_AUTH_METHOD"):
        load_settings(WebhookReceiverSettings)


TOML = """
[tenants.acme.auth]
method = "basic"
username = "walmart"
password = "file-basic-password"

[tenants.shop-2.auth]
method = "oauth"
header = "X-Auth"
client_id = "cid"
client_secret = "file-oauth-secret"
token_ttl_seconds = 900

[tenants.shop-2.performance_signature]
secret = "file-signature-secret"
replay_window_seconds = 120
"""


def test_file_configures_many_tenants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tenants.toml"
    path.write_text(TOML)
    monkeypatch.setenv("MLC_WEBHOOK_TENANTS_FILE", str(path))
    monkeypatch.setenv("MLC_WEBHOOK_AUTH_METHOD", "basic")
    monkeypatch.setenv("MLC_WEBHOOK_USERNAME", "u")
    monkeypatch.setenv("MLC_WEBHOOK_PASSWORD", "env-password")
    configs = load_settings(WebhookReceiverSettings).tenant_configs()
    assert configs.tenants == ("acme", "default", "shop-2")
    acme, shop = configs.webhook_config("acme"), configs.webhook_config("shop-2")
    assert acme is not None
    assert isinstance(acme.auth, BasicAuth)
    assert shop is not None
    assert isinstance(shop.auth, OAuthAuth)
    assert shop.auth.header == "X-Auth"
    assert shop.performance_signature is not None
    assert shop.performance_signature.replay_window_seconds == 120
    assert configs.webhook_config("nobody") is None
    for secret in ("file-basic-password", "file-oauth-secret", "file-signature-secret"):
        assert secret not in redact_text(f"leaked {secret}")


def test_json_file_works_too(tmp_path: Path) -> None:
    path = tmp_path / "tenants.json"
    path.write_text(json.dumps({"tenants": {"acme": {"auth": {"method": "hmac", "secret": "k"}}}}))
    configs = WebhookReceiverSettings(webhook_tenants_file=path).tenant_configs()
    assert configs.tenants == ("acme",)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[tenants.acme.auth]\nmethod = "basic"\nusername = "u"\n', "password"),
        ('[tenants.acme.auth]\nmethod = "kerberos"\n', "method"),
        ('[tenants.acme.auth]\nmethod = "hmac"\nsecret = "k"\nencoding = "base32"\n', "encoding"),
        ('[tenants.acme.auth]\nmethod = "hmac"\nsecret = "k"\nheader = "bad header"\n', "header"),
        ('[tenants.Bad_Name.auth]\nmethod = "hmac"\nsecret = "k"\n', "Bad_Name"),
        ("[tenants.acme\n", "not valid"),
    ],
)
def test_bad_file_says_what_is_wrong(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "tenants.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=problem):
        WebhookReceiverSettings(webhook_tenants_file=path).tenant_configs()


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        WebhookReceiverSettings(webhook_tenants_file=tmp_path / "nope.toml").tenant_configs()


def test_one_tenant_configured_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tenants.toml"
    path.write_text('[tenants.default.auth]\nmethod = "hmac"\nsecret = "k"\n')
    settings = WebhookReceiverSettings(
        webhook_tenants_file=path, webhook_auth_method="hmac", webhook_hmac_secret="k2"
    )
    with pytest.raises(ConfigError, match="both"):
        settings.tenant_configs()
