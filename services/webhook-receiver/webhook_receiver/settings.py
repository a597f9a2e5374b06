"""webhook-receiver settings: ``MLC_WEBHOOK_*`` on top of the common ``MLC_*`` settings.

The broker and store come from ``MLC_AMQP_URL`` / ``MLC_DATABASE_URL`` like every service.
One tenant (``MLC_TENANT``, ``default`` unless set) may take its webhook authentication from
the environment (``MLC_WEBHOOK_AUTH_METHOD`` and friends); any number of tenants from the
file named by ``MLC_WEBHOOK_TENANTS_FILE`` (:mod:`webhook_receiver.tenants`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mlc_shared.config import CommonSettings, ConfigError
from pydantic import Field, SecretStr, model_validator

from webhook_receiver.tenants import (
    BasicAuth,
    HmacAuth,
    OAuthAuth,
    PerformanceSignature,
    StaticTenantConfigs,
    TenantWebhookConfig,
    load_tenants_file,
)


class WebhookReceiverSettings(CommonSettings):
    webhook_host: str = Field(default="127.0.0.1", description="address uvicorn binds")
    webhook_port: int = Field(default=8085, ge=0, le=65535, description="0 picks a free port")
    webhook_max_body_bytes: int = Field(
        default=1_048_576,
        ge=1024,
        le=64 * 1_048_576,
        description="larger bodies get 413, counted while reading (before parsing)",
    )
    webhook_dependency_timeout: float = Field(
        default=5.0,
        gt=0,
        le=60,
        description="seconds a store write or a broker confirm may take before the answer "
        "is 503; Walmart expects a quick answer (walmart-api.md §9.5)",
    )
    webhook_sweep_interval: float = Field(
        default=30.0,
        gt=0,
        description="seconds between sweeps that publish stored but "
        "unpublished events (crash between store and publish)",
    )
    webhook_sweep_grace: float = Field(
        default=60.0,
        ge=0,
        description="a stored event younger than this is left to the "
        "request that may still be publishing it; keep it "
        "above three dependency timeouts (store, publish, mark)",
    )
    webhook_tenants_file: Path | None = None

    # The environment-configured tenant (issue 5): MLC_WEBHOOK_AUTH_METHOD and friends.
    webhook_auth_method: Literal["basic", "hmac", "oauth"] | None = None
    webhook_auth_header: str = "Authorization"
    webhook_username: str | None = None
    webhook_password: SecretStr | None = None
    webhook_hmac_secret: SecretStr | None = None
    webhook_hmac_encoding: Literal["hex", "base64", "any"] = "any"
    webhook_oauth_client_id: str | None = None
    webhook_oauth_client_secret: SecretStr | None = None
    webhook_oauth_token_ttl: int = Field(default=3600, ge=60, le=86_400)
    webhook_signature_secret: SecretStr | None = None
    webhook_signature_window: int = Field(default=300, ge=1, le=3600)
    webhook_signature_required: bool = True

    @model_validator(mode="after")
    def _method_has_its_secrets(self) -> WebhookReceiverSettings:
        missing = {
            "basic": [n for n in ("webhook_username", "webhook_password") if not getattr(self, n)],
            "hmac": [n for n in ("webhook_hmac_secret",) if not getattr(self, n)],
            "oauth": [
                n
                for n in ("webhook_oauth_client_id", "webhook_oauth_client_secret")
                if not getattr(self, n)
            ],
        }.get(self.webhook_auth_method or "", [])
        if missing:
            names = ", ".join("MLC_" + n.upper() for n in missing)
            raise ValueError(f"MLC_WEBHOOK_AUTH_METHOD={self.webhook_auth_method} needs {names}")
        return self

    def env_tenant_config(self) -> TenantWebhookConfig | None:
        """The tenant configured through environment variables, if any."""
        if self.webhook_auth_method is None:
            return None
        header = self.webhook_auth_header
        auth: BasicAuth | HmacAuth | OAuthAuth
        if self.webhook_auth_method == "basic":
            assert self.webhook_username  # checked by _method_has_its_secrets
            assert self.webhook_password
            auth = BasicAuth(
                header=header, username=self.webhook_username, password=self.webhook_password
            )
        elif self.webhook_auth_method == "hmac":
            assert self.webhook_hmac_secret
            auth = HmacAuth(
                header=header, secret=self.webhook_hmac_secret, encoding=self.webhook_hmac_encoding
            )
        else:
            assert self.webhook_oauth_client_id
            assert self.webhook_oauth_client_secret
            auth = OAuthAuth(
                header=header,
                client_id=self.webhook_oauth_client_id,
                client_secret=self.webhook_oauth_client_secret,
                token_ttl_seconds=self.webhook_oauth_token_ttl,
            )
        signature = None
        if self.webhook_signature_secret is not None:
            signature = PerformanceSignature(
                secret=self.webhook_signature_secret,
                replay_window_seconds=self.webhook_signature_window,
                required=self.webhook_signature_required,
            )
        return TenantWebhookConfig(auth=auth, performance_signature=signature)

    def tenant_configs(self) -> StaticTenantConfigs:
        """Every configured tenant; :class:`ConfigError` when one is configured twice."""
        configs = load_tenants_file(self.webhook_tenants_file) if self.webhook_tenants_file else {}
        from_env = self.env_tenant_config()
        if from_env is not None:
            if self.tenant in configs:
                raise ConfigError(
                    f"tenant {self.tenant!r} has webhook authentication both in "
                    "MLC_WEBHOOK_TENANTS_FILE and in MLC_WEBHOOK_AUTH_METHOD; keep one"
                )
            configs[self.tenant] = from_env
        return StaticTenantConfigs(configs)
