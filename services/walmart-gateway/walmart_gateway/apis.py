"""The throttled APIs: each name is one Walmart token bucket (walmart-api.md §10.1, "token
bucket per seller per API") with its default budget from the §10.2 table.

§10.2 is itself marked UNCERTAIN (secondary compilations), so every budget is a setting
(``MLC_WALMART_BUDGETS``). ``None`` means the sheet gives no figure: the gateway then spends
no local budget and follows only what Walmart's headers and 429s say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Api(StrEnum):
    TOKEN = "token"  # noqa: S105 (an API name, not a secret)
    FEED_ITEM = "feeds.item"
    FEED_INVENTORY = "feeds.inventory"
    FEED_PRICE = "feeds.price"
    FEED_STATUS = "feeds.status"
    PRICE_UPDATE = "price.update"
    INVENTORY_UPDATE = "inventory.update"
    INVENTORY_READ = "inventory.read"
    ITEMS_LIST = "items.list"
    ITEM_GET = "items.get"
    ORDERS_READ = "orders.list"
    ORDERS_ACKNOWLEDGE = "orders.acknowledge"
    RETURNS_READ = "returns.read"
    RETURNS_REFUND = "returns.refund"
    RECON = "reports.recon"
    WEBHOOKS = "webhooks"


_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_BUDGET_RE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour)\s*$")


@dataclass(frozen=True)
class Budget:
    """``limit`` calls per ``period`` seconds, replenished evenly (§10.1: "replenishment is
    gradual, e.g. 20/hour -> 1 token every 3 min")."""

    limit: int
    period: float

    @property
    def per_second(self) -> float:
        return self.limit / self.period

    @classmethod
    def parse(cls, text: str) -> Budget:
        match = _BUDGET_RE.match(text)
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"{text!r} is not a budget like '10/hour', '200/minute' or '5/second'")
        return cls(int(match.group(1)), _UNITS[match.group(2)])

    def __str__(self) -> str:
        unit = next(name for name, seconds in _UNITS.items() if seconds == self.period)
        return f"{self.limit}/{unit}"


# walmart-api.md §10.2 (production; UNCERTAIN). Feed budgets are also the ceilings the
# settings refuse to exceed unless MLC_WALMART_ALLOW_BUDGETS_ABOVE_PUBLISHED is set.
PUBLISHED_BUDGETS: dict[Api, Budget | None] = {
    Api.TOKEN: None,
    Api.FEED_ITEM: Budget(10, 3600.0),  # MP_ITEM / MP_MAINTENANCE 10/hour
    Api.FEED_INVENTORY: Budget(10, 3600.0),  # inventory feeds 10/hour
    Api.FEED_PRICE: Budget(10, 3600.0),  # price feeds (shared with promo) 10/hour
    Api.FEED_STATUS: None,
    Api.PRICE_UPDATE: Budget(100, 3600.0),  # PUT /v3/price 100/hour
    Api.INVENTORY_UPDATE: Budget(200, 60.0),  # PUT /v3/inventory 200/min
    Api.INVENTORY_READ: None,
    Api.ITEMS_LIST: Budget(300, 60.0),  # GET /v3/items 300/min
    Api.ITEM_GET: Budget(900, 60.0),  # GET /v3/items/{id} 900/min
    Api.ORDERS_READ: Budget(5000, 60.0),  # GET /v3/orders 5000/min
    Api.ORDERS_ACKNOWLEDGE: None,
    Api.RETURNS_READ: None,
    Api.RETURNS_REFUND: None,  # §10.2's 60/min is for *order* refunds; none given for returns
    Api.RECON: Budget(100, 60.0),  # reconFile 100/min
    Api.WEBHOOKS: None,
}

FEED_APIS = (Api.FEED_ITEM, Api.FEED_INVENTORY, Api.FEED_PRICE)
