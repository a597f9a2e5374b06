"""The one confirmed publishing channel of an :class:`AmqpBus`.

Publisher confirms make ``publish`` return only once the broker has the message on disk in
every quorum replica it needs (https://www.rabbitmq.com/docs/confirms#publisher-confirms).
``mandatory`` plus ``on_return_raises`` turns "no queue bound for this key" into an error
instead of the broker's silent drop. Many publishes may await their confirms at once on the
channel; that is how ``publish_many`` confirms a batch concurrently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aio_pika.abc import (
    AbstractExchange,
    AbstractMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
)
from aiormq.exceptions import AMQPConnectionError, ChannelInvalidStateError

from mlc_shared.bus.base import PublishFailed
from mlc_shared.logging import redact_text

_CONNECTION_LOST = (ChannelInvalidStateError, AMQPConnectionError)
"""The channel or connection went away under the publish (not a refusal by the broker)."""
_RESEND_PAUSE_SECONDS = 0.05


class Publisher:
    def __init__(self, connection: AbstractRobustConnection, exchange: str, timeout: float) -> None:
        self._connection = connection
        self._exchange_name = exchange
        self._timeout = timeout
        self._channel: AbstractRobustChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def open(self) -> None:
        channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)
        assert isinstance(channel, AbstractRobustChannel)  # channels of a robust connection
        self._channel = channel
        # Not declared here: the bus declares (or, for a user without "configure"
        # permission, verifies) the exchange with the queues before the first publish.
        self._exchange = await channel.get_exchange(self._exchange_name, ensure=False)

    async def close(self) -> None:
        if self._channel is not None and not self._channel.is_closed:
            await self._channel.close()

    async def publish(self, routing_key: str, message: AbstractMessage) -> None:
        await self.publish_many([(routing_key, message)])

    async def publish_many(self, items: Sequence[tuple[str, AbstractMessage]]) -> None:
        """Returns once every message is confirmed; otherwise raises :class:`PublishFailed`.

        The confirms of a batch are awaited together. While the robust connection is
        reconnecting the channel reports itself closed; the messages that met it are sent
        again once the channel is restored, until the timeout turns the outage into an
        answer. Sending again after a lost confirm may duplicate a message, which
        at-least-once delivery allows (consumers are idempotent by message_id).
        """
        if self._channel is None or self._exchange is None:
            raise PublishFailed("the bus is not started")
        channel, exchange = self._channel, self._exchange
        pending = list(items)
        last: BaseException | None = None
        try:
            async with asyncio.timeout(self._timeout):
                while pending:
                    await channel.ready()
                    results = await asyncio.gather(
                        *(exchange.publish(m, key, mandatory=True) for key, m in pending),
                        return_exceptions=True,
                    )
                    failed = [
                        (item, r)
                        for item, r in zip(pending, results, strict=True)
                        if isinstance(r, BaseException)
                    ]
                    refused = [
                        (item, r) for item, r in failed if not isinstance(r, _CONNECTION_LOST)
                    ]
                    if refused:
                        (key, _), exc = refused[0]
                        raise PublishFailed(
                            redact_text(
                                f"{len(refused)} of {len(items)} message(s) refused; publish to "
                                f"{key!r} failed: {type(exc).__name__}: {exc}"
                            )
                        ) from exc
                    pending = [item for item, _ in failed]
                    if failed:
                        last = failed[0][1]
                        await asyncio.sleep(_RESEND_PAUSE_SECONDS)
        except TimeoutError:
            cause = f" (last error: {type(last).__name__}: {last})" if last else ""
            raise PublishFailed(
                redact_text(
                    f"no publisher confirm for {len(pending)} of {len(items)} message(s) "
                    f"within {self._timeout:g} s; is RabbitMQ reachable?{cause}"
                )
            ) from None
        except PublishFailed:
            raise
        except Exception as exc:  # e.g. the connection was closed for good
            raise PublishFailed(
                redact_text(f"publish failed: {type(exc).__name__}: {exc}")
            ) from exc
