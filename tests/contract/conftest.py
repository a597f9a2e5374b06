"""Fixtures of the contract suites (each suite's own module says what it checks)."""

from tests.contract.bus_fixtures import amqp_harness, embedded_harness, harness

__all__ = ["amqp_harness", "embedded_harness", "harness"]
