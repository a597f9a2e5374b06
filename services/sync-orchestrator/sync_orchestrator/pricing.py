"""Tally stock item -> Walmart price (docs/mapping.md "Prices"). Pure functions.

Walmart prices are absolute (walmart-api.md §4, ``currentPriceType`` BASE), so a repeated
update is harmless. The amount is Tally's rate from the configured source, plus the markup,
times the exchange rate (Tally's company currency, typically INR, to USD), rounded half-up
to the cent only at the end.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from mlc_shared.domain.tally import StockItem
from mlc_shared.domain.walmart import PriceUpdate

from sync_orchestrator.mapping import Pricing, TenantMapping

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class NoPrice(Exception):
    """The source holds no usable price for the item; the reason goes to the audit trail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def tally_rate(item: StockItem, pricing: Pricing) -> Decimal:
    if pricing.source == "standard_price":
        if item.standard_price is None:
            raise NoPrice("the stock item has no standard price in Tally")
        return item.standard_price
    wanted = (pricing.price_level or "").casefold()
    for level in item.price_levels:
        if level.price_level.casefold() == wanted:
            return level.rate
    raise NoPrice(f"the stock item has no rate in price level {pricing.price_level!r}")


def convert(rate: Decimal, pricing: Pricing) -> Decimal:
    marked_up = rate * (HUNDRED + pricing.markup_percent) / HUNDRED
    return (marked_up * pricing.exchange_rate).quantize(CENT, rounding=ROUND_HALF_UP)


def price_for(item: StockItem, sku: str, mapping: TenantMapping) -> PriceUpdate | None:
    """The price Walmart should show for ``sku``; None when prices are not synced.

    Raises :class:`NoPrice` when the configured source has no usable price."""
    pricing = mapping.pricing
    if pricing.source == "none":
        return None
    if pricing.source == "fixed":
        entry = mapping.skus.get(sku)
        if entry is None or entry.price is None:
            raise NoPrice(f"pricing.source is 'fixed' and skus.{sku}.price is not set")
        amount = entry.price.quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        amount = convert(tally_rate(item, pricing), pricing)
    if amount <= 0:
        raise NoPrice(f"the price works out to {amount} {pricing.currency}")
    return PriceUpdate(sku=sku, amount=amount, currency=pricing.currency)
