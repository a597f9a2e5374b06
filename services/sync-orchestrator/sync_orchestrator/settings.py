"""Orchestrator settings (MLC_ prefix; see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
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
    orders_change_window_days: int = Field(
        default=30,
        ge=1,
        le=180,
        description="each poll also re-reads orders created this far back that changed since "
        "the last poll (lastModifiedStartDate, walmart-api.md §6.1): cancellations after posting",
    )
    price_batch_size: int = Field(default=5000, ge=1, le=10000)
    item_setup_batch_size: int = Field(default=1000, ge=1, le=10000)
    catalog_retry_limit: int = Field(
        default=5,
        ge=1,
        description="cycles a SKU Walmart refused is sent again before it waits for its next "
        "change in Tally",
    )
    feed_check_limit: int = Field(
        default=100,
        ge=1,
        description="catalog cycles a feed is checked before its SKUs are sent again",
    )
    inventory_batch_size: int = Field(default=5000, ge=1, le=10000)
    # -- returns (flow 3) and settlements (flow 4); docs/mapping.md --------------------
    returns_interval_s: float = Field(
        default=900.0, ge=0, description="returns poll period; 0 = only on demand/RETURN_CREATED"
    )
    returns_lookback_days: int = Field(
        default=30, ge=1, le=180, description="first returns poll reaches this far back"
    )
    returns_overlap_s: float = Field(
        default=600.0, ge=0, description="each poll re-reads this much before the cursor"
    )
    returns_credit_note_when: Literal["received", "created"] = Field(
        default="received",
        description="received: once every line is back (DELIVERED) or refunded, so stock is "
        "never counted (and offered on Walmart) before it arrives; created: at first sight",
    )
    returns_refund_policy: Literal["never", "when_received"] = Field(
        default="never",
        description="issue the refund on Walmart: never, or once the return is received",
    )
    returns_voucher_number_pattern: str = Field(default="WMR-{return_order_id}")
    returns_wfs_refund_channels: tuple[str, ...] = Field(
        default=("WALMART_SETTLED_REFUND",),
        description="refundChannel values that mark a WFS (Walmart-settled) return line; "
        "UNCERTAIN: Walmart documents no WFS marker on returns (walmart-api.md §7)",
    )
    settlements_interval_s: float = Field(
        default=86400.0, ge=0, description="how often new reconciliation reports are looked for"
    )
    settlements_lookback_days: int = Field(
        default=35,
        ge=1,
        le=730,
        description="reports dated before this many days ago are never posted (first run)",
    )
    settlement_receipt_number_pattern: str = Field(default="WMS-{report_date}")
    settlement_journal_number_pattern: str = Field(default="WMS-{report_date}-CHG")
    mapping_file: Path | None = Field(default=None, description="TOML mapping loaded at start-up")
    outbox_poll_s: float = Field(default=1.0, gt=0)
    operator_token: SecretStr | None = Field(
        default=None, description="bearer token of the operator API; unset: every call is 401"
    )
    operator_host: str = Field(
        default="127.0.0.1",
        description="operator API address when it has its own port (MLC_OPERATOR_PORT)",
    )
    operator_port: int | None = Field(
        default=None,
        ge=0,
        le=65535,
        description="operator API port when MLC_HTTP_PORT is taken by another service "
        "(standalone: the webhook receiver); unset: served on MLC_HTTP_PORT or not at all",
    )
    leader_retry_s: float = Field(
        default=2.0, gt=0, description="PostgreSQL: how often a standby replica tries to lead"
    )
    leader_check_s: float = Field(
        default=2.0, gt=0, description="PostgreSQL: how often the leader checks its lock session"
    )
    tenant_refresh_s: float = Field(
        default=30.0, gt=0, description="how often the tenant registry is re-read for schedules"
    )

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

    @field_validator("returns_voucher_number_pattern")
    @classmethod
    def _return_pattern(cls, value: str) -> str:
        try:
            value.format(return_order_id="1", customer_order_id="2")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {return_order_id} and {customer_order_id}") from None
        return value

    @field_validator("settlement_receipt_number_pattern", "settlement_journal_number_pattern")
    @classmethod
    def _settlement_pattern(cls, value: str) -> str:
        try:
            value.format(report_date="01312026")
        except (KeyError, IndexError, ValueError):
            raise ValueError("may use only {report_date}") from None
        return value
