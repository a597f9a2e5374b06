"""Queue arguments (bus/amqp/declarations.py): each value is one the docs explain."""

from __future__ import annotations

from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.topology import QueuePolicy, Topology, tally_commands

AT_LEAST_ONCE_TO = {
    "x-dead-letter-exchange": "",
    "x-dead-letter-strategy": "at-least-once",
    "x-overflow": "reject-publish",
}


def test_work_queue_parks_a_crash_loop_at_the_redelivery_limit() -> None:
    # The broker's limit counts returns without an ack, not failed attempts: its own value.
    policy = QueuePolicy(delivery_limit=4, redelivery_limit=7)
    topology = Topology(namespace="ns", default_policy=policy)
    work = declarations(topology, "walmart.commands").work
    assert work.name == "ns.walmart.commands"
    assert work.binding == "walmart.commands.*"
    assert work.arguments == {
        "x-queue-type": "quorum",
        "x-delivery-limit": 7,
        **AT_LEAST_ONCE_TO,
        "x-dead-letter-routing-key": "ns.walmart.commands.parking",
    }


def test_tally_command_queue_has_a_single_active_consumer() -> None:
    work = declarations(Topology(), tally_commands("acme")).work
    assert work.arguments["x-single-active-consumer"] is True
    assert (
        "x-single-active-consumer"
        not in declarations(Topology(), "walmart.commands").work.arguments
    )


def test_retry_tiers_hold_for_their_delay_then_return_to_the_work_queue() -> None:
    topology = Topology(default_policy=QueuePolicy(retry_delays=(0.2, 1.5, 60.0)))
    retries = declarations(topology, "orchestrator.events").retries
    assert [r.name for r in retries] == [f"orchestrator.events.retry.{n}" for n in range(3)]
    assert [r.arguments["x-message-ttl"] for r in retries] == [200, 1500, 60000]
    for tier, retry in enumerate(retries):
        assert retry.binding == f"orchestrator.events.*.retry.{tier}"
        assert retry.arguments == {
            "x-queue-type": "quorum",
            "x-message-ttl": retry.arguments["x-message-ttl"],
            **AT_LEAST_ONCE_TO,
            "x-dead-letter-routing-key": "orchestrator.events",
        }


def test_parking_queue_is_a_plain_quorum_queue_declared_first() -> None:
    decl = declarations(Topology(), "orchestrator.events")
    assert decl.parking.arguments == {"x-queue-type": "quorum"}  # no limit: listing is safe
    assert decl.all[0] is decl.parking
    assert decl.all[-1] is decl.work
