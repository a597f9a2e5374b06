"""The RabbitMQ adapter (aio-pika): quorum queues, confirms, retry tiers, parking."""

from mlc_shared.bus.amqp.bus import AmqpBus

__all__ = ["AmqpBus"]
