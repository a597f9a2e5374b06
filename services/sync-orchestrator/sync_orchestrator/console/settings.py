"""Console settings (``MLC_CONSOLE_*``)."""

from __future__ import annotations

from mlc_shared.config import CommonSettings
from pydantic import Field


class ConsoleSettings(CommonSettings):
    console_secure_cookie: bool = Field(
        default=False,
        description="send the session cookie only over HTTPS (set it behind a TLS ingress)",
    )
    console_session_hours: float = Field(default=8.0, gt=0, le=24 * 7)
