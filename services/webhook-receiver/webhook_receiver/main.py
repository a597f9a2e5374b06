"""Run the receiver as its own process (``mlc serve webhook-receiver`` calls :func:`serve`).

Builds the store and the bus from the same settings as every service, migrates the store
(idempotent), serves until ``stop`` is set (or SIGINT/SIGTERM), then closes what it opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal

from mlc_shared import eventloop
from mlc_shared.bus.factory import create_bus
from mlc_shared.config import load_settings
from mlc_shared.logging import configure_logging, get_logger
from mlc_shared.store import SqlStore, open_store

from webhook_receiver.service import WebhookReceiverService
from webhook_receiver.settings import WebhookReceiverSettings

log = get_logger(__name__)


async def serve(settings: WebhookReceiverSettings, stop: asyncio.Event | None = None) -> None:
    stop = stop or _signalled()
    store = open_store(settings.database_url.get_secret_value())
    await store.migrate()
    engine = store.engine if isinstance(store, SqlStore) and settings.uses_embedded_bus else None
    bus = create_bus(settings, engine=engine)
    service = WebhookReceiverService(settings, bus, store)
    try:
        await service.start()
        eventloop.freeze_startup_objects()
        await stop.wait()
    finally:
        await service.stop()
        await bus.close()
        await store.close()


def _signalled() -> asyncio.Event:
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C still raises
            loop.add_signal_handler(sig, event.set)
    return event


def main() -> None:
    settings = load_settings(WebhookReceiverSettings)
    configure_logging(settings.log_level, settings.log_format)
    if settings.tenant_configs().tenants == ():
        log.warning(
            "webhook.no_tenants",
            hint="set MLC_WEBHOOK_AUTH_METHOD or "
            "MLC_WEBHOOK_TENANTS_FILE; every delivery is refused until then",
        )
    eventloop.run(serve(settings), settings.event_loop)


if __name__ == "__main__":
    main()
