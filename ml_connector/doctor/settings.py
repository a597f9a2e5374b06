"""What the doctor needs beyond the services' own settings."""

from __future__ import annotations

from mlc_shared.config import CommonSettings
from pydantic import Field


class DoctorSettings(CommonSettings):
    webhook_public_url: str | None = Field(
        default=None,
        description="the HTTPS URL Walmart delivers events to (your receiver behind its "
        "Ingress, ending in /webhooks/walmart/<tenant>); `mlc doctor` checks the "
        "subscriptions point at it",
    )
    doctor_timeout_s: float = Field(
        default=15.0, gt=0, le=300, description="longest wait for any one answer"
    )
