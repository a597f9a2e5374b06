"""Cumulative acknowledgements for a consumer that settles deliveries strictly in order.

A subscription handles its deliveries one at a time in delivery order (consumer.py), so
when delivery *n* is settled every earlier one is settled too, and one ``basic.ack`` with
``multiple=True`` for *n* acknowledges them all (AMQP 0-9-1 ``basic.ack``;
https://www.rabbitmq.com/docs/confirms#consumer-acks-multiple-parameter). That spares a
socket write and a quorum-queue settle command per message, which is most of the cost of
consuming (bench/bus.py).

An acknowledgement is still only ever sent after its handler returned (base.py contract);
it may be sent a little *later*: when the local buffer runs dry, when ``every`` messages
are pending, or ``linger`` seconds after the first pending one, whichever comes first. A
crash in between redelivers those already-handled messages, which at-least-once delivery
allows and idempotent consumers absorb. With prefetch 1 (Tally commands) ``every`` is 1:
each message is acknowledged as soon as it is settled.

Acks are queued on the connection's writer without awaiting the socket drain
(``wait=False``): they are fire-and-forget in AMQP anyway (there is no ack-ok), and
waiting for the drain serialised the consumer on the writer task.
"""

from __future__ import annotations

import asyncio

from aio_pika.abc import AbstractIncomingMessage

from mlc_shared.logging import get_logger

log = get_logger(__name__)

LINGER_SECONDS = 0.05


class CumulativeAcks:
    def __init__(self, every: int, linger: float = LINGER_SECONDS) -> None:
        self._every = max(1, every)
        self._linger = linger
        self._latest: AbstractIncomingMessage | None = None
        self._pending = 0
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def settled(self, message: AbstractIncomingMessage, *, idle: bool) -> None:
        """``message`` (and so every earlier delivery) is settled; ``idle``: nothing else
        is waiting in the local buffer, so the broker should get its credit back now."""
        self._latest = message
        self._pending += 1
        if idle or self._pending >= self._every:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._linger, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        latest, self._latest, self._pending = self._latest, None, 0
        if latest is None:
            return
        task = asyncio.ensure_future(_ack_up_to(latest))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Send what is pending and wait until it is handed to the connection."""
        self.flush()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def _ack_up_to(message: AbstractIncomingMessage) -> None:
    try:
        tag = message.delivery_tag
        if tag is None:
            return
        await message.channel.basic_ack(tag, multiple=True, wait=False)
    except Exception as exc:
        # The channel died after these outcomes were made durable; the broker delivers
        # the messages again, and consumers are idempotent (at-least-once, base.py).
        log.warning("bus.ack_lost", error=str(exc))
