"""Alert settings: ``MLC_ALERT_*`` (or the config file), like every other setting."""

from __future__ import annotations

from mlc_shared.config import CommonSettings
from pydantic import Field, SecretStr, field_validator, model_validator


class AlertSettings(CommonSettings):
    alert_interval_s: float = Field(
        default=30.0, gt=0, description="seconds between evaluations of every alert condition"
    )
    alert_webhook_url: SecretStr | None = Field(
        default=None,
        description="POST each alert as JSON here (chat hooks carry a secret in the URL, "
        "so it is never logged)",
    )
    alert_webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    alert_smtp_host: str | None = Field(default=None, description="send alerts by e-mail")
    alert_smtp_port: int = Field(default=587, ge=1, le=65535)
    alert_smtp_security: str = Field(
        default="starttls", description="starttls, ssl (implicit TLS, port 465) or none"
    )
    alert_smtp_username: str | None = None
    alert_smtp_password: SecretStr | None = None
    alert_smtp_from: str = "ml-connector@localhost"
    alert_smtp_to: str = Field(default="", description="comma-separated recipients")
    alert_smtp_timeout_s: float = Field(default=20.0, gt=0, le=300)

    alert_parking_window_s: float = Field(
        default=600.0,
        gt=0,
        description="a parking queue that grew within this window raises an alert; it "
        "clears once a whole window passes without growth (or the queue is emptied)",
    )
    alert_agent_down_after_s: float = Field(
        default=600.0,
        gt=0,
        description="the agent silent, TallyPrime unreachable or the company closed for "
        "longer than this raises an alert (the agent reports every MLC_TALLY_STATUS_INTERVAL)",
    )
    alert_auth_window_s: float = Field(default=600.0, gt=0)
    alert_walmart_auth_failures: int = Field(
        default=3,
        ge=1,
        description="refused Walmart token requests or tokens within the window that raise "
        "an alert",
    )
    alert_webhook_auth_failures: int = Field(
        default=10,
        ge=1,
        description="webhook deliveries refused as unauthorized within the window that raise "
        "an alert (a public endpoint also meets scanners: keep it above a handful)",
    )
    alert_unbalanced_status: str = Field(
        default="unbalanced",
        min_length=1,
        description="audit status of a settlement report whose rows do not add up",
    )

    @field_validator("alert_webhook_url")
    @classmethod
    def _http_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("alert_smtp_security")
    @classmethod
    def _security(cls, value: str) -> str:
        if value not in ("starttls", "ssl", "none"):
            raise ValueError("must be starttls, ssl or none")
        return value

    @model_validator(mode="after")
    def _smtp_complete(self) -> AlertSettings:
        if self.alert_smtp_host and not self.recipients:
            raise ValueError("MLC_ALERT_SMTP_HOST is set but MLC_ALERT_SMTP_TO names nobody")
        if self.alert_smtp_password is not None and not self.alert_smtp_username:
            raise ValueError("MLC_ALERT_SMTP_PASSWORD is set but MLC_ALERT_SMTP_USERNAME is not")
        return self

    @property
    def recipients(self) -> list[str]:
        return [a.strip() for a in self.alert_smtp_to.split(",") if a.strip()]

    @property
    def channels(self) -> list[str]:
        found = ["log"]
        if self.alert_webhook_url is not None:
            found.append("webhook")
        if self.alert_smtp_host:
            found.append("smtp")
        return found
