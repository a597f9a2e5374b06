"""Every behaviour switch and fault knob of the simulator, in one typed place.

Switches exist where walmart-api.md says UNCERTAIN (the section is named on each field) so a
connector can be rehearsed against every variant seen in the wild. Fault knobs are what the
admin API turns on and off. Everything can be changed at run time with ``PATCH /admin/config``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ThrottleLimit(BaseModel):
    """One per-API token bucket: ``limit`` tokens refilled evenly over ``period_seconds``
    (walmart-api.md §10.1: replenishment is gradual)."""

    model_config = ConfigDict(frozen=True)

    limit: int = Field(ge=1)
    period_seconds: float = Field(gt=0)


def default_throttle_limits() -> dict[str, ThrottleLimit]:
    """Production limits from walmart-api.md §10.2 (UNCERTAIN there, hence configurable).

    APIs absent from the sheet's table are not throttled unless a limit is configured.
    """
    hour, minute = 3600.0, 60.0
    return {
        "feeds.item": ThrottleLimit(limit=10, period_seconds=hour),
        "feeds.inventory": ThrottleLimit(limit=10, period_seconds=hour),
        "feeds.price": ThrottleLimit(limit=10, period_seconds=hour),
        "price.update": ThrottleLimit(limit=100, period_seconds=hour),
        "inventory.update": ThrottleLimit(limit=200, period_seconds=minute),
        "items.list": ThrottleLimit(limit=300, period_seconds=minute),
        "items.get": ThrottleLimit(limit=900, period_seconds=minute),
        "orders.list": ThrottleLimit(limit=5000, period_seconds=minute),
        "orders.ship": ThrottleLimit(limit=60, period_seconds=minute),
        "orders.cancel": ThrottleLimit(limit=60, period_seconds=minute),
        "orders.refund": ThrottleLimit(limit=60, period_seconds=minute),
        "reports.recon": ThrottleLimit(limit=100, period_seconds=minute),
        "reports.statement": ThrottleLimit(limit=15, period_seconds=minute),
    }


def default_feed_size_limits() -> dict[str, int]:
    """Largest accepted feed file per feed family in bytes (walmart-api.md §10.2, §3.1, §4)."""
    mb = 1024 * 1024
    return {"item": 25 * mb, "inventory": 10 * mb, "price": 10 * mb, "lagtime": 10 * mb}


class SimConfig(BaseModel):
    """The simulator's run-time configuration (``GET``/``PATCH /admin/config``)."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    # --- identity -----------------------------------------------------------------------
    partner_id: str = "10000012345"
    partner_name: str = "Mahalaxmi Lifestyle Exports"
    seller_id: str = "101"

    # --- UNCERTAIN switches (walmart-api.md section in each comment) ---------------------
    bad_credentials_status: Literal[400, 401] = 400
    """§2: Walmart answers bad client credentials with 400 (observed) or 401 (older clients)."""
    invalid_token_status: Literal[400, 401] = 401
    """§2: an expired or revoked token gives 401 UNAUTHORIZED (default) or the legacy
    400 INVALID_TOKEN.GMP_GATEWAY_API."""
    service_error_as_object: bool = False
    """§10.3: ``errors.error`` may arrive as a single object instead of a list."""
    ingestion_error_shape: Literal["auto", "list"] = "auto"
    """§3.2: ``ingestionErrors.ingestionError`` is null when empty; ``auto`` renders one
    error as an object and several as a list (as seen live), ``list`` always a list."""
    feed_detail_max_limit: int = Field(default=50, ge=1)
    """§3.2: per-item detail page size cap (spec 50; a client asking 1000 gets 50)."""
    orders_accept_next_cursor_param: bool = True
    """§6.1: also honour ``GET /v3/orders?nextCursor=<cursor>`` besides the raw query form."""
    charge_amount_is_line_total: bool = True
    """§6.2: ``chargeAmount``/``taxAmount`` is the line total (True) or the unit amount."""
    returns_empty_404: bool = True
    """§7: an empty returns query answers 404 (like orders) or 200 with no returnOrders."""
    recon_line_count_row: bool = True
    """§8.2: the CSV carries the ``Number of Lines in file N`` row after the header."""
    recon_json_row_cap: bool = False
    """§8.1: emulate the live report that JSON paging only accepts offset 0 and stops at
    1000 rows (``INVALID_OFFSET`` otherwise)."""
    recon_errors_as_200: bool = False
    """§8.1: report errors come back as HTTP 200 with a JSON body instead of a zip."""
    recon_shipping_rows: bool = True
    """§8.3: seller-charged shipping appears as ``Shipping Price``/``Shipping tax`` rows
    (amount-type names not observed; UNCERTAIN)."""
    basic_auth_prefix: bool = False
    """§9.4: BASIC_AUTH / OAUTH credential headers carry ``Basic `` before the base64."""
    hmac_encoding: Literal["hex", "base64"] = "hex"
    """§9.4: encoding of the HMAC-SHA256 digest sent on HMAC-authenticated deliveries."""
    retry_after_probability: float = Field(default=0.5, ge=0, le=1)
    """§10.1: share of 429 answers that carry ``Retry-After`` (seeded, deterministic)."""
    send_max_token_count: bool = False
    """§10.1: also send ``x-max-token-count`` (one client reads it; UNCERTAIN)."""
    replenishment_header: Literal["x-next-replenishment-time", "x-next-replenish-time"] = (
        "x-next-replenishment-time"
    )
    """§10.1: name of the replenishment header (both spellings are read by clients)."""

    scopes: dict[str, Literal["full_access", "view_only", "no_access"]] = Field(
        default_factory=dict
    )
    """Delegated-access scopes by ``/v3/token/detail`` key (§2); unlisted keys are
    ``full_access``. ``no_access`` answers 403, ``view_only`` refuses writes with 403."""

    # --- timing -------------------------------------------------------------------------
    time_scale: float = Field(default=1.0, gt=0)
    """Real seconds per simulated second of *waiting* (feed stages, webhook retries).
    0.001 turns a five-minute retry delay into 0.3 s. The clock itself runs in real time."""
    token_lifetime_seconds: int = Field(default=900, ge=1)
    feed_stage_seconds: float = Field(default=2.0, ge=0)
    """Simulated seconds a feed spends in RECEIVED and then in INPROGRESS."""
    auto_cancel_days: int = Field(default=4, ge=1)
    """§6.3: a line not shipped by estimated ship date + N days is auto-cancelled."""

    # --- webhooks (§9.5) ----------------------------------------------------------------
    webhook_retry_delays: list[float] = Field(default_factory=lambda: [0.0, 300.0, 900.0, 2700.0])
    """Simulated seconds to wait before each attempt (first entry: the first attempt)."""
    webhook_duplicate_probability: float = Field(default=0.02, ge=0, le=1)
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)

    # --- throttling and limits (§10.1, §10.2) --------------------------------------------
    throttling_enabled: bool = True
    throttle_limits: dict[str, ThrottleLimit] = Field(default_factory=default_throttle_limits)
    feed_size_limits: dict[str, int] = Field(default_factory=default_feed_size_limits)
    max_items_per_feed: int = Field(default=10_000, ge=1)
    max_orders_per_query: int = Field(default=20_000, ge=1)

    # --- settlement (§8.3) ----------------------------------------------------------------
    commission_rate_percent: Decimal = Decimal("15")
    commission_rates_by_category: dict[str, Decimal] = Field(default_factory=dict)
    shipping_label_fee: Decimal = Decimal("4.25")
    posting_lag_days: int = Field(default=2, ge=0)
    """Posting date of a transaction = the day it happened + this many days (S3)."""

    # --- fault knobs ----------------------------------------------------------------------
    latency_ms: int = Field(default=0, ge=0)
    error_rate: float = Field(default=0.0, ge=0, le=1)
    """Share of data calls refused with 500 SYSTEM_ERROR before they take effect."""
    timeout_rate: float = Field(default=0.0, ge=0, le=1)
    """Share of data calls answered 504 *after* they took effect (the ambiguous failure a
    client must not blindly retry, walmart-api.md §10.4)."""
    throttle_storm: int = Field(default=0, ge=0)
    """The next N data calls are all refused with 429, whatever the buckets hold."""
    feed_system_error_rate: float = Field(default=0.0, ge=0, le=1)
    """Share of feed entries that end in SYSTEM_ERROR (retryable, walmart-api.md §3.2)
    instead of being applied; seeded, deterministic."""

    def patched(self, changes: dict[str, object]) -> SimConfig:
        """A validated copy with ``changes`` applied (unknown keys are refused)."""
        merged = self.model_dump()
        merged.update(changes)
        return SimConfig.model_validate(merged)
