"""walmart-gateway settings (``MLC_WALMART_*``), refused at start-up when they cannot work.

Every setting that encodes a fact the fact sheet marks UNCERTAIN names its section; the
list is repeated in docs/walmart-gateway.md.
"""

from __future__ import annotations

from typing import Literal

from mlc_shared.config import CommonSettings
from pydantic import Field, SecretStr, field_validator, model_validator

from walmart_gateway.apis import FEED_APIS, PUBLISHED_BUDGETS, Api, Budget

PRODUCTION_URL = "https://marketplace.walmartapis.com"  # walmart-api.md §1


class WalmartSettings(CommonSettings):
    # Connection and credentials of the default tenant (walmart-api.md §1, §2).
    walmart_base_url: str = PRODUCTION_URL
    walmart_client_id: str | None = None
    walmart_client_secret: SecretStr | None = None
    walmart_svc_name: str = Field(
        default="Walmart Marketplace",
        min_length=1,
        description="WM_SVC.NAME on every call (§1: free text, required)",
    )
    walmart_channel_type: str | None = Field(
        default=None, description="WM_CONSUMER.CHANNEL.TYPE, optional in the US (§1)"
    )
    walmart_connect_timeout: float = Field(default=10.0, gt=0)
    walmart_read_timeout: float = Field(default=60.0, gt=0)
    walmart_max_connections: int = Field(default=20, ge=1, le=500)

    # Token cache (§2 "refresh ~60 s before expiry").
    walmart_token_refresh_margin: float = Field(default=60.0, ge=0, le=600)

    # Throttling (§10). Keys are walmart_gateway.apis.Api values, e.g. {"feeds.item": "5/hour"}.
    walmart_budgets: dict[str, str] = Field(default_factory=dict)
    walmart_allow_budgets_above_published: bool = Field(
        default=False,
        description="accept feed budgets above the §10.2 figures (which are UNCERTAIN)",
    )
    walmart_max_throttle_wait: float = Field(
        default=300.0,
        ge=0,
        description="longest wait for a throttled API before giving the "
        "work back to the queue (§10.4: cap waits, ~300 s)",
    )
    walmart_max_429_retries: int = Field(
        default=20,
        ge=0,
        le=100,
        description="429s one call may meet in a row; the real bound is walmart_max_throttle_wait",
    )
    walmart_retry_attempts: int = Field(
        default=4, ge=1, le=10, description="tries of an idempotent call on 5xx / network errors"
    )
    walmart_retry_base_delay: float = Field(default=1.0, ge=0)  # §10.4: 1, 2, 4, 8, 10 s
    walmart_retry_max_delay: float = Field(default=10.0, ge=0)

    # Feeds (§3.1, §4, §5).
    walmart_inventory_feed_threshold: int = Field(
        default=50, ge=0, description="more inventory updates than this go as one feed"
    )
    walmart_price_feed_threshold: int = Field(
        default=10,
        ge=0,
        description="more price updates than this go as one feed (single "
        "PUT /v3/price is budgeted at 100/hour, §10.2)",
    )
    walmart_feed_max_items: int = Field(default=10_000, ge=1, le=10_000)  # §3.1, §4
    walmart_feed_max_bytes: int = Field(
        default=10_000_000,
        ge=1_000,
        description="§3.1 '<10 MB'; the sandbox allows far less (§10.1: inventory 2 KB)",
    )
    walmart_feed_upload: Literal["multipart", "json"] = Field(
        default="multipart",
        description="§3.1: the spec says multipart part 'file'; raw JSON is accepted in practice",
    )
    walmart_feed_detail_page_size: int = Field(default=50, ge=1, le=1000)  # §3.2 UNCERTAIN max
    walmart_feed_lookup_pages: int = Field(
        default=4,
        ge=0,
        le=100,
        description="pages of GET /v3/feeds searched for a feed this "
        "gateway already submitted before submitting it again",
    )
    walmart_feed_poll_interval: float = Field(default=900.0, gt=0)  # §3.2: 15 min first
    walmart_item_spec_version: str = Field(default="4.8", min_length=1)  # §3.1 UNCERTAIN
    walmart_price_feed_version: str = Field(default="1.7", min_length=1)  # §4
    walmart_default_ship_node: str | None = Field(
        default=None,
        description="ship node for updates that name none; unset: Walmart's "
        "default node (PUT /v3/inventory without shipNode, feed type 'inventory')",
    )

    # Paging (§3.3, §5, §6.1, §7, §8.1).
    walmart_orders_page_size: int = Field(default=200, ge=1, le=200)
    walmart_orders_cursor_form: Literal["query", "param"] = Field(
        default="query",
        description="§6.1 UNCERTAIN: send nextCursor back as the query string "
        "(Walmart's documented form) or as nextCursor=<cursor>",
    )
    walmart_items_page_size: int = Field(default=200, ge=1, le=1000)
    walmart_inventories_page_size: int = Field(default=50, ge=1, le=50)
    walmart_returns_page_size: int = Field(default=200, ge=1, le=200)
    walmart_recon_source: Literal["zip", "json"] = Field(
        default="zip", description="§8.1: the zip is complete; JSON pages are the fallback"
    )
    walmart_recon_json_page_size: int = Field(default=1000, ge=1, le=1000)
    walmart_recon_report_version: str = "v1"

    @field_validator("walmart_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("walmart_budgets")
    @classmethod
    def _known_budgets(cls, value: dict[str, str]) -> dict[str, str]:
        names = {api.value for api in Api}
        for name, text in value.items():
            if name not in names:
                raise ValueError(f"unknown API {name!r}; known: {', '.join(sorted(names))}")
            if text.strip().lower() != "none":
                Budget.parse(text)
        return value

    @model_validator(mode="after")
    def _feed_budgets_within_walmart_limits(self) -> WalmartSettings:
        if self.walmart_allow_budgets_above_published:
            return self
        budgets = self.budgets()
        for api in FEED_APIS:
            mine, published = budgets[api], PUBLISHED_BUDGETS[api]
            if published is not None and (mine is None or mine.per_second > published.per_second):
                raise ValueError(
                    f"the {api.value} budget {mine or 'unlimited'} is above what Walmart allows "
                    f"({published}, walmart-api.md §10.2); lower it or set "
                    "MLC_WALMART_ALLOW_BUDGETS_ABOVE_PUBLISHED=true"
                )
        return self

    def budgets(self) -> dict[Api, Budget | None]:
        merged = dict(PUBLISHED_BUDGETS)
        for name, text in self.walmart_budgets.items():
            merged[Api(name)] = None if text.strip().lower() == "none" else Budget.parse(text)
        return merged

    @property
    def has_default_credentials(self) -> bool:
        return bool(self.walmart_client_id) and self.walmart_client_secret is not None
