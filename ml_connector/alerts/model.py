"""What an alert is: a condition that holds now, keyed so it is reported once until it
clears, and the notification sent when it starts or stops holding."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Severity = Literal["warning", "critical"]
State = Literal["firing", "resolved"]


@dataclass(frozen=True)
class Condition:
    alert: str
    """The rule's name, e.g. ``parking_growing`` (also the Prometheus rule's name)."""
    key: str
    """Unique per condition: one alert per key until the key stops holding."""
    summary: str
    """What is wrong, in one plain sentence."""
    action: str
    """What to do about it."""
    severity: Severity = "warning"
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    condition: Condition
    state: State
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def document(self) -> dict[str, Any]:
        """The JSON body POSTed to the alert webhook."""
        c = self.condition
        return {
            "source": "ml-connector",
            "alert": c.alert,
            "state": self.state,
            "severity": c.severity,
            "summary": c.summary,
            "action": c.action,
            "labels": dict(c.labels),
            "key": c.key,
            "at": self.at.isoformat(),
        }

    @property
    def subject(self) -> str:
        word = "FIRING" if self.state == "firing" else "RESOLVED"
        return f"[ml-connector {word}] {self.condition.summary}"

    def text(self) -> str:
        c = self.condition
        lines = [
            f"{'Alert' if self.state == 'firing' else 'Resolved'}: {c.summary}",
            "",
            f"What to do: {c.action}" if self.state == "firing" else "No action needed now.",
            "",
            f"alert: {c.alert}",
            f"severity: {c.severity}",
            *(f"{k}: {v}" for k, v in sorted(c.labels.items())),
            f"at: {self.at.isoformat()}",
        ]
        return "\n".join(lines) + "\n"
