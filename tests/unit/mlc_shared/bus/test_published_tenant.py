"""Which tenant a delivery was published as (bus/amqp/messages.py: published_tenant).

Regression for issue 8's security check: the RabbitMQ consumer compared nothing, so a
tenant's agent could publish, under its own routing key, an envelope naming another tenant
and the orchestrator acted for that other tenant. The tenant the broker's permissions
checked is the routing key's; the ``x-mlc-tenant`` header is the publisher's word.
"""

from __future__ import annotations

from mlc_shared.bus.amqp.messages import published_tenant
from mlc_shared.bus.delivery import TENANT_HEADER

from tests.unit.mlc_shared.bus.test_amqp_messages import incoming

QUEUE = "orchestrator.events"


def test_the_routing_key_names_the_tenant() -> None:
    assert (
        published_tenant(incoming(b"{}", routing_key="orchestrator.events.acme"), QUEUE) == "acme"
    )


def test_the_header_is_not_believed() -> None:
    message = incoming(
        b"{}", routing_key="orchestrator.events.acme", headers={TENANT_HEADER: "globex"}
    )
    assert published_tenant(message, QUEUE) == "acme"
    bare = incoming(b"{}", routing_key="ns.orchestrator.events", headers={TENANT_HEADER: "globex"})
    assert published_tenant(bare, QUEUE) is None


def test_a_retry_coming_back_is_known_by_the_key_it_was_published_with() -> None:
    # A retry tier dead-letters to the work queue by name; the broker keeps the original
    # key in x-death.
    message = incoming(
        b"{}",
        routing_key="ns.orchestrator.events",
        headers={
            "x-death": [
                {
                    "queue": "ns.orchestrator.events.retry.0",
                    "reason": "expired",
                    "routing-keys": ["orchestrator.events.acme.retry.0"],
                }
            ]
        },
    )
    assert published_tenant(message, QUEUE) == "acme"


def test_keys_of_other_queues_or_without_a_tenant_say_nothing() -> None:
    for key in ("walmart.commands.acme", "orchestrator.events", "orchestrator.events.", ""):
        assert published_tenant(incoming(b"{}", routing_key=key), QUEUE) is None
    assert (
        published_tenant(
            incoming(b"{}", routing_key="tally.acme.commands.acme"), "tally.acme.commands"
        )
        == "acme"
    )
