"""Everything the simulated seller account holds, in one object (``WalmartSimulator.state``).

All mutation happens on the event loop between awaits, so each request sees and leaves a
consistent state without locks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import (
    DeliveryAttempt,
    Feed,
    Item,
    LoggedRequest,
    Order,
    ReturnOrder,
    Settlement,
    ShipNode,
    Stock,
    Subscription,
    Token,
    Transaction,
)

REQUEST_LOG_LIMIT = 5000
"""Oldest logged requests are dropped beyond this many (the log is for inspection)."""


@dataclass
class SimState:
    items: dict[str, Item] = field(default_factory=dict)
    ship_nodes: list[ShipNode] = field(default_factory=list)
    stock: dict[tuple[str, str], Stock] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    returns: dict[str, ReturnOrder] = field(default_factory=dict)
    feeds: dict[str, Feed] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    deliveries: list[DeliveryAttempt] = field(default_factory=list)
    tokens: dict[str, Token] = field(default_factory=dict)
    transactions: list[Transaction] = field(default_factory=list)
    settlements: dict[str, Settlement] = field(default_factory=dict)
    requests: list[LoggedRequest] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    """Every event the account raised (delivered or not), newest last."""
    inventory_cursors: dict[str, int] = field(default_factory=dict)
    request_seq: int = 0
    transaction_seq: int = 1000

    @property
    def default_node(self) -> ShipNode | None:
        return next((n for n in self.ship_nodes if n.status == "ACTIVE"), None)

    def node(self, ship_node: str) -> ShipNode | None:
        return next((n for n in self.ship_nodes if n.ship_node == ship_node), None)

    def stock_for(self, sku: str, ship_node: str) -> Stock:
        return self.stock.setdefault((sku, ship_node), Stock())

    def log_request(self, entry: LoggedRequest) -> None:
        self.requests.append(entry)
        if len(self.requests) > REQUEST_LOG_LIMIT:
            del self.requests[: len(self.requests) - REQUEST_LOG_LIMIT]

    def next_transaction_seq(self) -> int:
        self.transaction_seq += 1
        return self.transaction_seq
