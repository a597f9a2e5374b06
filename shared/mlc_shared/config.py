"""Settings: one loader for every service (STYLE.md: "one settings loader").

Values come from ``MLC_``-prefixed environment variables and, optionally, a TOML file named
by ``MLC_CONFIG_FILE`` (environment wins). Secrets are ``SecretStr``: never printed, and
registered with the log redactor as soon as they are loaded. A missing or impossible value
stops start-up with :class:`ConfigError`, one plain sentence per problem.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from mlc_shared.eventloop import EventLoop
from mlc_shared.messages.envelope import TENANT_PATTERN


class ConfigError(Exception):
    """Configuration that cannot work; the message says which setting and why."""


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MLC_", extra="ignore", frozen=True)

    tenant: str = Field(default="default", pattern=TENANT_PATTERN)
    amqp_url: SecretStr | None = Field(
        default=None,
        description="RabbitMQ (amqp:// or amqps://). Unset: the embedded bus on the SQLite store.",
    )
    database_url: SecretStr = Field(
        default=SecretStr("sqlite:///mlc.db"),
        description="postgresql://user@host/db or sqlite:///path/to/file.db",
    )
    bus_namespace: str = Field(
        default="",
        pattern=r"^[a-z0-9_-]*$",
        description="prefix of every queue name (isolates test runs)",
    )
    http_host: str = Field(
        default="127.0.0.1", description="where /healthz, /readyz, /metrics listen"
    )
    http_port: int | None = Field(
        default=None, ge=0, le=65535, description="port of the ops endpoints; unset: not served"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    event_loop: EventLoop = Field(
        default="uvloop",
        description="uvloop (default where installed) or asyncio: the loop the services run on",
    )

    @field_validator("amqp_url")
    @classmethod
    def _amqp_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("amqp://", "amqps://")):
            raise ValueError("must start with amqp:// or amqps://")
        return value

    @field_validator("database_url")
    @classmethod
    def _db_scheme(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if not url.startswith(("postgresql://", "postgres://", "sqlite:///")):
            raise ValueError("must start with postgresql:// or sqlite:///")
        return value

    @property
    def uses_embedded_bus(self) -> bool:
        return self.amqp_url is None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = os.environ.get("MLC_CONFIG_FILE")
        if config_file:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config_file)))
        return tuple(sources)


S = TypeVar("S", bound=CommonSettings)


def load_settings(settings_cls: type[S], **overrides: Any) -> S:
    """Build ``settings_cls`` or raise :class:`ConfigError` naming each bad setting."""
    config_file = os.environ.get("MLC_CONFIG_FILE")
    if config_file and not Path(config_file).is_file():
        raise ConfigError(f"MLC_CONFIG_FILE points to {config_file!r}, which is not a file")
    try:
        settings = settings_cls(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "MLC_" + "_".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}: {err['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
    from mlc_shared.logging import register_secrets

    register_secrets(settings)
    return settings
