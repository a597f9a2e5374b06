"""Orchestrator settings (MLC_ prefix; see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mlc_shared.config import CommonSettings
from pydantic import Field, SecretStr, field_validator


class OrchestratorSettings(CommonSettings):
    catalog_interval_s: float = Field(
        default=900.0, ge=0, description="catalog flow period; 0 = only on demand"
    )
    orders_interval_s: float = Field(
        default=300.0, ge=0, description="orders poll period; 0 = only on demand/webhooks"
    )
    seller_timezone: str = Field(
        default="Asia/Kolkata", description="Walmart dates are UTC; vouchers are dated in this zone"
    )
    voucher_number_pattern: str = Field(default="WM-{purchase_order_id}")
    acknowledge_orders: bool = Field(
        default=True, description="acknowledge on Walmart once the voucher is in Tally"
    )
    orders_lookback_days: int = Field(
        default=7,
        ge=1,
        le=180,
        description="first orders poll reaches this far back (Walmart keeps 180 days)",
    )
    orders_overlap_s: float = Field(
        default=600.0,
        ge=0,
        description="each poll re-reads this much before the cursor: late orders",
    )
    import_batch_size: int = Field(default=100, ge=1, le=1000)
    inventory_batch_size: int = Field(default=5000, ge=1, le=10000)
    mapping_file: Path | None = Field(default=None, description="TOML mapping loaded at start-up")
    outbox_poll_s: float = Field(default=1.0, gt=0)
    operator_token: SecretStr | None = None

    @field_validator("seller_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r} (use an IANA name like Asia/Kolkata)"
            ) from None
        return value

    @field_validator("voucher_number_pattern")
    @classmethod
    def _pattern_fields(cls, value: str) -> str:
        try:
            value.format(purchase_order_id="1", customer_order_id="2")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {purchase_order_id} and {customer_order_id}") from None
        return value
