"""Evaluates the rules every ``interval`` seconds and notifies on changes only: a condition
is announced once when it starts holding and once when it clears, never on every tick."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Sequence

from mlc_shared.logging import get_logger
from mlc_shared.metrics import ALERTS_FIRING, StateSource, gauge
from prometheus_client.core import Metric

from ml_connector.alerts.model import Condition, Notification
from ml_connector.alerts.notify import Notifier
from ml_connector.alerts.rules import Rule

log = get_logger("ml_connector.alerts")


class AlertEngine(StateSource):
    name = "alerts"

    def __init__(
        self,
        rules: Sequence[Rule],
        notifier: Notifier,
        *,
        interval_s: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rules = list(rules)
        self.notifier = notifier
        self.interval_s = interval_s
        self.clock = clock
        self.active: dict[str, Condition] = {}
        self._owner: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def evaluate(self) -> list[Notification]:
        """One round: every rule, then one notification per condition that started or
        stopped holding. A rule that fails keeps its conditions as they were (an
        unreadable database is not a recovery)."""
        now = self.clock()
        await self.notifier.retry_backlog()
        sent: list[Notification] = []
        for rule in self.rules:
            try:
                holding = {c.key: c for c in await rule.evaluate(now)}
            except Exception as exc:
                log.warning("alert rule could not be evaluated", rule=rule.name, error=str(exc))
                continue
            mine = {key for key, owner in self._owner.items() if owner == rule.name}
            for key in sorted(mine - holding.keys()):
                cleared = self.active.pop(key)
                del self._owner[key]
                sent.append(Notification(cleared, "resolved"))
            for key, condition in holding.items():
                if key not in self.active:
                    sent.append(Notification(condition, "firing"))
                self.active[key] = condition
                self._owner[key] = rule.name
        for notification in sent:
            await self.notifier.notify(notification)
        return sent

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="alerts")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.evaluate()
            except Exception:  # the watcher must outlive any one failure
                log.exception("alert evaluation crashed")
            await asyncio.sleep(self.interval_s)

    # -- StateSource: which alerts hold, on /metrics -----------------------------------------
    async def refresh(self) -> None:
        return None

    def families(self) -> Iterable[Metric]:
        firing = gauge(ALERTS_FIRING, ["alert", "key"])
        for key, condition in sorted(self.active.items()):
            firing.add_metric([condition.alert, key], 1.0)
        return [firing]
