"""Where alerts go: the log always, then a webhook (JSON POST) and/or e-mail (SMTP).

Both senders use the standard library (urllib, smtplib) in a worker thread: every service
image can send alerts without another dependency (a receiver image has no httpx). A failed
send is kept and tried again at the next evaluation, so an alert outlives a mail server
restart; the backlog is bounded.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
import ssl
import urllib.request
from collections import deque
from email.message import EmailMessage
from typing import Protocol

from mlc_shared.logging import get_logger, register_secret
from mlc_shared.metrics import ALERT_NOTIFICATIONS

from ml_connector.alerts.model import Notification
from ml_connector.alerts.settings import AlertSettings

log = get_logger("ml_connector.alerts")
BACKLOG_LIMIT = 200


class Channel(Protocol):
    name: str

    def send(self, notification: Notification) -> None:
        """Blocking; raises when the notification did not get through."""


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, timeout: float) -> None:
        register_secret(url)  # chat hooks carry their secret in the URL
        self._url = url
        self._timeout = timeout

    def send(self, notification: Notification) -> None:
        request = urllib.request.Request(  # noqa: S310 (scheme checked in AlertSettings)
            self._url,
            data=json.dumps(notification.document()).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "ml-connector-alerts"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310
            if not 200 <= answer.status < 300:
                raise OSError(f"the alert webhook answered HTTP {answer.status}")


class SmtpChannel:
    name = "smtp"

    def __init__(self, settings: AlertSettings) -> None:
        assert settings.alert_smtp_host
        self._settings = settings
        self._host = settings.alert_smtp_host

    def send(self, notification: Notification) -> None:
        s = self._settings
        message = EmailMessage()
        message["Subject"] = notification.subject
        message["From"] = s.alert_smtp_from
        message["To"] = ", ".join(s.recipients)
        message.set_content(notification.text())
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.alert_smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                self._host, s.alert_smtp_port, timeout=s.alert_smtp_timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(self._host, s.alert_smtp_port, timeout=s.alert_smtp_timeout_s)
        with smtp:
            if s.alert_smtp_security == "starttls":
                smtp.starttls(context=context)
            if s.alert_smtp_username and s.alert_smtp_password is not None:
                smtp.login(s.alert_smtp_username, s.alert_smtp_password.get_secret_value())
            smtp.send_message(message)


def channels_from(settings: AlertSettings) -> list[Channel]:
    found: list[Channel] = []
    if settings.alert_webhook_url is not None:
        found.append(
            WebhookChannel(
                settings.alert_webhook_url.get_secret_value(), settings.alert_webhook_timeout_s
            )
        )
    if settings.alert_smtp_host:
        found.append(SmtpChannel(settings))
    return found


class Notifier:
    def __init__(self, channels: list[Channel]) -> None:
        self.channels = channels
        self.backlog: deque[tuple[Channel, Notification]] = deque()

    async def notify(self, notification: Notification) -> None:
        c = notification.condition
        fields = {
            "alert": c.alert,
            "key": c.key,
            "severity": c.severity,
            "action": c.action,
            **c.labels,
        }
        if notification.state == "firing":
            log.error(f"alert: {c.summary}", alert_state="firing", **fields)
        else:
            log.warning(f"alert resolved: {c.summary}", alert_state="resolved", **fields)
        ALERT_NOTIFICATIONS.labels("log", "sent").inc()
        for channel in self.channels:
            await self._send(channel, notification)

    async def retry_backlog(self) -> None:
        for _ in range(len(self.backlog)):
            channel, notification = self.backlog.popleft()
            await self._send(channel, notification)

    async def _send(self, channel: Channel, notification: Notification) -> None:
        try:
            await asyncio.to_thread(channel.send, notification)
        except Exception as exc:  # a down mail server must not stop the evaluations
            ALERT_NOTIFICATIONS.labels(channel.name, "failed").inc()
            log.warning(
                "alert not delivered; will try again",
                channel=channel.name,
                alert=notification.condition.key,
                error=str(exc),
            )
            if len(self.backlog) >= BACKLOG_LIMIT:
                dropped = self.backlog.popleft()
                log.error(
                    "alert backlog full; oldest undelivered alert dropped",
                    channel=dropped[0].name,
                    alert=dropped[1].condition.key,
                )
            self.backlog.append((channel, notification))
            return
        ALERT_NOTIFICATIONS.labels(channel.name, "sent").inc()
