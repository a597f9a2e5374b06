"""Each tenant's webhook authentication: typed, and read from one source.

Walmart authenticates a delivery the way the subscription's ``authDetails`` says
(walmart-api.md §9.4), so the receiver must know, per tenant, which method and secrets that
subscription was given. A :class:`TenantConfigSource` answers that; the orchestrator's
tenant registry can implement it later. Until then the configuration comes from a TOML or
JSON file (``MLC_WEBHOOK_TENANTS_FILE``) and, for one tenant, from environment variables
(:mod:`webhook_receiver.settings`). File layout (docs/webhook-receiver.md has one per method)::

    [tenants.acme.auth]
    method = "hmac"            # basic | hmac | oauth
    header = "Authorization"   # the subscription's authHeaderName
    secret = "..."
    encoding = "hex"           # hex | base64 | any (UNCERTAIN, §9.4)

    [tenants.acme.performance_signature]   # optional, for SELLER_PERFORMANCE_NOTIFICATIONS
    secret = "..."
    replay_window_seconds = 300
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, Protocol

from mlc_shared.config import ConfigError
from mlc_shared.logging import register_secret
from mlc_shared.messages.envelope import TENANT_PATTERN, valid_tenant
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

HeaderName = Annotated[
    str, Field(min_length=1, max_length=128, pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
]
Secret = Annotated[SecretStr, Field(min_length=1)]


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BasicAuth(_Config):
    """``BASIC_AUTH``: ``<header>: Base64(userName:password)``, with or without ``Basic ``."""

    method: Literal["basic"] = "basic"
    header: HeaderName = "Authorization"
    username: str = Field(min_length=1)
    password: Secret


class HmacAuth(_Config):
    """``HMAC``: ``<header>: HMACSHA256(exact body, key=clientSecret)``. Whether Walmart
    encodes the digest as hex or base64 is UNCERTAIN (§9.4); ``any`` accepts either."""

    method: Literal["hmac"] = "hmac"
    header: HeaderName = "Authorization"
    secret: Secret
    encoding: Literal["hex", "base64", "any"] = "any"


class OAuthAuth(_Config):
    """``OAUTH``: Walmart first fetches a token from our token endpoint with
    ``<header>: Base64(clientId:clientSecret)``, then delivers with ``<header>: Bearer <token>``."""

    method: Literal["oauth"] = "oauth"
    header: HeaderName = "Authorization"
    client_id: str = Field(min_length=1)
    client_secret: Secret
    token_ttl_seconds: int = Field(default=3600, ge=60, le=86_400)


class PerformanceSignature(_Config):
    """The extra signature on performance notifications (``WM_SEC.TIMESTAMP`` and
    ``WM_SEC.SIGNATURE``, §9.4). ``required``: a SELLER_PERFORMANCE_NOTIFICATIONS delivery
    without a valid signature is refused."""

    secret: Secret
    replay_window_seconds: int = Field(default=300, ge=1, le=3600)
    required: bool = True


AuthMethod = Annotated[BasicAuth | HmacAuth | OAuthAuth, Field(discriminator="method")]


class TenantWebhookConfig(_Config):
    auth: AuthMethod
    performance_signature: PerformanceSignature | None = None


class TenantConfigSource(Protocol):
    """Where the receiver looks up a tenant's webhook configuration."""

    def webhook_config(self, tenant: str) -> TenantWebhookConfig | None: ...


class StaticTenantConfigs:
    """A fixed mapping, built at start-up from the file and the environment."""

    def __init__(self, configs: Mapping[str, TenantWebhookConfig]) -> None:
        for tenant in configs:
            if not valid_tenant(tenant):
                raise ConfigError(f"tenant name {tenant!r} does not match {TENANT_PATTERN}")
        self._configs = dict(configs)
        for config in self._configs.values():
            _register_secrets(config)

    def webhook_config(self, tenant: str) -> TenantWebhookConfig | None:
        return self._configs.get(tenant)

    @property
    def tenants(self) -> tuple[str, ...]:
        return tuple(sorted(self._configs))


class _TenantsFile(_Config):
    tenants: dict[str, TenantWebhookConfig] = Field(default_factory=dict)


def load_tenants_file(path: Path) -> dict[str, TenantWebhookConfig]:
    """Read ``[tenants.<name>]`` tables from a ``.toml`` or ``.json`` file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"MLC_WEBHOOK_TENANTS_FILE: cannot read {str(path)!r}: {exc.strerror}"
        ) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"MLC_WEBHOOK_TENANTS_FILE: {str(path)!r} is not valid: {exc}") from None
    try:
        return dict(_TenantsFile.model_validate(raw).tenants)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()[:10]
        ]
        raise ConfigError(
            f"MLC_WEBHOOK_TENANTS_FILE {str(path)!r}: " + "; ".join(problems)
        ) from None


def _register_secrets(config: TenantWebhookConfig) -> None:
    auth = config.auth
    secret = (
        auth.client_secret
        if isinstance(auth, OAuthAuth)
        else (auth.password if isinstance(auth, BasicAuth) else auth.secret)
    )
    register_secret(secret.get_secret_value())
    if config.performance_signature is not None:
        register_secret(config.performance_signature.secret.get_secret_value())
