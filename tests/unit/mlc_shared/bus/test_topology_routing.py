"""Routing keys and bindings (bus/topology.py): every key reaches exactly one queue."""

from __future__ import annotations

import re

import pytest
from mlc_shared.bus.amqp.declarations import declarations
from mlc_shared.bus.topology import Topology, standard_queues

TENANTS = ("acme", "parking", "retry", "default")
"""Includes tenant names that look like suffixes, which must not confuse routing."""


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching for the patterns we use (``*`` is exactly one word)."""
    regex = r"\.".join("[^.]+" if word == "*" else re.escape(word) for word in pattern.split("."))
    return re.fullmatch(regex, key) is not None


def test_topic_matcher_itself() -> None:
    assert topic_matches("a.b.*", "a.b.c")
    assert not topic_matches("a.b.*", "a.b.c.d")
    assert not topic_matches("a.b.*", "a.b")


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_routing_key_reaches_exactly_its_own_queue(tenant: str) -> None:
    topology = Topology(namespace="ns")
    bindings = [
        (item.name, item.binding)
        for queue in standard_queues(tenant)
        for item in declarations(topology, queue).all
    ]
    for queue in standard_queues(tenant):
        expected = {topology.routing_key(queue, tenant): topology.physical(queue)}
        expected[topology.parking_routing_key(queue, tenant)] = topology.parking_queue(queue)
        for tier in range(len(topology.policy(queue).retry_delays)):
            expected[topology.retry_routing_key(queue, tenant, tier)] = topology.retry_queue(
                queue, tier
            )
        for key, target in expected.items():
            reached = [name for name, pattern in bindings if topic_matches(pattern, key)]
            assert reached == [target], key


def test_the_tenant_is_one_word_of_every_key() -> None:
    topology = Topology()
    assert topology.routing_key("walmart.commands", "acme").split(".")[2] == "acme"
    assert topology.retry_routing_key("walmart.commands", "acme", 1).split(".")[2] == "acme"
    assert topology.parking_routing_key("walmart.commands", "acme").split(".")[2] == "acme"
