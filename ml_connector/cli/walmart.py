"""``mlc walmart``: look straight into the Walmart seller account with the gateway's settings
(``MLC_WALMART_BASE_URL``, ``MLC_WALMART_CLIENT_ID``, ``MLC_WALMART_CLIENT_SECRET``).

Every failure ends with one plain sentence and a non-zero exit status; secrets are never
printed. ``--json`` writes a JSON array (amounts as decimal strings, instants in ISO 8601, as
``mlc tally`` does) streamed page by page, so a long order history is never held whole.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

import typer
from mlc_shared.config import ConfigError, load_settings
from mlc_shared.logging import configure_logging
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from walmart_gateway.api.orders import OrderQuery
from walmart_gateway.api.returns import ReturnQuery
from walmart_gateway.api.webhooks import DeliveryAuth, SubscriptionRequest
from walmart_gateway.errors import (
    WalmartBadCredentials,
    WalmartConfigurationError,
    WalmartError,
    WalmartForbidden,
    WalmartUnavailable,
)
from walmart_gateway.gateway import WalmartGateway, WalmartSeller
from walmart_gateway.settings import WalmartSettings

app = typer.Typer(
    help="Look into the Walmart seller account (uses the MLC_WALMART_* settings).",
    no_args_is_help=True,
)
recon_app = typer.Typer(help="Reconciliation (settlement) reports.", no_args_is_help=True)
feeds_app = typer.Typer(help="Feeds submitted to Walmart.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook (event notification) subscriptions.", no_args_is_help=True)
app.add_typer(recon_app, name="recon")
app.add_typer(feeds_app, name="feeds")
app.add_typer(webhooks_app, name="webhooks")

err = Console(stderr=True)
T = TypeVar("T")
EXIT_OTHER, EXIT_CONFIG, EXIT_CREDENTIALS, EXIT_UNREACHABLE = 1, 2, 3, 4
JsonOption = Annotated[bool, typer.Option("--json", help="a JSON array instead of a table")]


def _settings() -> WalmartSettings:
    # Quiet: failures are told in one plain sentence; nothing may reach stdout but the answer.
    configure_logging("CRITICAL", "console")
    try:
        settings = load_settings(WalmartSettings)
    except ConfigError as exc:
        _fail(str(exc), EXIT_CONFIG)
    if not settings.has_default_credentials:
        _fail(
            "MLC_WALMART_CLIENT_ID and MLC_WALMART_CLIENT_SECRET must both be set (the "
            "seller's API key from Seller Center, or the simulator's).",
            EXIT_CONFIG,
        )
    return settings


def _fail(message: str, code: int) -> Any:
    err.print(message, soft_wrap=True, highlight=False, markup=False)
    raise typer.Exit(code)


def _explain(exc: WalmartError, settings: WalmartSettings) -> tuple[str, int]:
    if isinstance(exc, WalmartBadCredentials):
        return (
            f"Walmart refused the client id and secret ({exc.reason}). Check "
            "MLC_WALMART_CLIENT_ID and MLC_WALMART_CLIENT_SECRET.",
            EXIT_CREDENTIALS,
        )
    if isinstance(exc, WalmartForbidden):
        return (
            f"These credentials lack access to this part of the account ({exc.reason}). "
            "Grant the scope in Seller Center's delegated access.",
            EXIT_CREDENTIALS,
        )
    if isinstance(exc, WalmartUnavailable) and not exc.sent:
        return (
            f"Cannot reach Walmart at {settings.walmart_base_url}. Check "
            "MLC_WALMART_BASE_URL and the network.",
            EXIT_UNREACHABLE,
        )
    if isinstance(exc, WalmartConfigurationError):
        return f"Walmart configuration problem: {exc.reason}", EXIT_CONFIG
    return f"Walmart call failed: {exc.reason}", EXIT_OTHER


def _run(
    work: Callable[[WalmartSeller], Awaitable[T]], settings: WalmartSettings | None = None
) -> T:
    settings = settings or _settings()

    async def main() -> T:
        gateway = WalmartGateway(settings)
        try:
            return await work(await gateway.seller(settings.tenant))
        finally:
            await gateway.aclose()

    try:
        return asyncio.run(main())
    except WalmartError as exc:
        message, code = _explain(exc, settings)
        return _fail(message, code)  # type: ignore[no-any-return]


async def _write_json(pages: AsyncIterator[Sequence[BaseModel]]) -> int:
    out = sys.stdout
    out.write("[")
    count = 0
    async for page in pages:
        for item in page:
            out.write(",\n" if count else "\n")
            out.write(json.dumps(item.model_dump(mode="json"), ensure_ascii=False))
            count += 1
    out.write("\n]\n" if count else "]\n")
    out.flush()
    return count


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console().print(table)


def _since(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        return _fail(f"--since must be a date like 2025-04-01, not {text!r}.", EXIT_CONFIG)  # type: ignore[no-any-return]


async def _collect(pages: AsyncIterator[Sequence[T]]) -> list[T]:
    return [item async for page in pages for item in page]


@app.command()
def ping() -> None:
    """Get a token and show what it may do (exit 0 when Walmart accepts the credentials)."""
    settings = _settings()
    detail = _run(lambda seller: seller.token_detail(), settings)
    print(
        f"Walmart at {settings.walmart_base_url} accepted client "
        f"{settings.walmart_client_id}; the token is "
        f"{'valid' if detail.is_valid else 'NOT valid'} until {detail.expires}."
    )
    _table("Scopes", ["Area", "Access"], sorted(detail.scopes.items()))


@app.command()
def orders(
    since: Annotated[str, typer.Option("--since", help="created on or after YYYY-MM-DD")],
    status: Annotated[
        str | None,
        typer.Option("--status", help="Created, Acknowledged, Shipped, Delivered or Cancelled"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Every order created since the date (all pages)."""
    query = OrderQuery(created_since=_since(since), status=status)
    if as_json:
        _run(lambda seller: _write_json(seller.orders.pages(query)))
        return
    found = _run(lambda seller: _collect(seller.orders.pages(query)))
    _table(
        f"Orders since {since}",
        ["Purchase order", "Customer order", "Date", "Lines", "Status", "Product total"],
        [
            (
                o.purchase_order_id,
                o.customer_order_id,
                o.order_date.isoformat(),
                len(o.lines),
                ", ".join(sorted({ln.status for ln in o.lines})),
                sum(
                    (c.amount for ln in o.lines for c in ln.charges if c.charge_type == "PRODUCT"),
                    start=0,
                ),
            )
            for o in found
        ],
    )


@app.command()
def items(as_json: JsonOption = False) -> None:
    """Every item in the catalog (cursor paging)."""
    if as_json:
        _run(lambda seller: _write_json(seller.items.pages()))
        return
    found = _run(lambda seller: _collect(seller.items.pages()))
    _table(
        "Items",
        ["SKU", "Name", "Price", "Published", "Lifecycle"],
        [(i.sku, i.product_name, i.price, i.published_status, i.lifecycle_status) for i in found],
    )


@app.command()
def inventory(sku: str) -> None:
    """Quantities of one SKU at each ship node."""
    levels = _run(lambda seller: seller.inventory.levels(sku))
    if not levels:
        _fail(f"Walmart has no inventory for SKU {sku!r}.", EXIT_OTHER)
    _table(
        f"Inventory of {sku}",
        ["Ship node", "Sent (input)", "Available to sell", "Reserved"],
        [
            (lv.ship_node or "(default)", lv.input_qty, lv.avail_to_sell_qty, lv.reserved_qty)
            for lv in levels
        ],
    )


@app.command()
def returns(
    since: Annotated[str, typer.Option("--since", help="created on or after YYYY-MM-DD")],
    as_json: JsonOption = False,
) -> None:
    """Every return order created since the date."""
    query = ReturnQuery(created_since=_since(since))
    if as_json:
        _run(lambda seller: _write_json(seller.returns.pages(query)))
        return
    found = _run(lambda seller: _collect(seller.returns.pages(query)))
    _table(
        f"Returns since {since}",
        ["Return order", "Customer order", "Date", "Lines", "Refund total"],
        [
            (
                r.return_order_id,
                r.customer_order_id,
                r.return_order_date.isoformat() if r.return_order_date else None,
                len(r.lines),
                r.total_refund_amount,
            )
            for r in found
        ],
    )


@recon_app.command("list")
def recon_list() -> None:
    """Report dates Walmart offers (MMDDYYYY)."""
    for report_date in _run(lambda seller: seller.recon.dates()):
        print(report_date)


@recon_app.command("show")
def recon_show(report_date: str, as_json: JsonOption = False) -> None:
    """One reconciliation report, row by row."""
    report = _run(lambda seller: seller.recon.report(report_date))
    if as_json:
        print(
            json.dumps(
                [r.model_dump(mode="json") for r in report.rows], ensure_ascii=False, indent=1
            )
        )
        return
    _table(
        f"Reconciliation {report_date} ({report.source}, total payable {report.total_payable})",
        ["Posted", "Type", "Description", "PO", "Line", "SKU", "Amount type", "Amount"],
        [
            (
                r.transaction_posted_date,
                r.transaction_type,
                r.transaction_description,
                r.purchase_order_id,
                r.purchase_order_line,
                r.partner_item_id,
                r.amount_type,
                r.amount,
            )
            for r in report.rows
        ],
    )


@feeds_app.command("status")
def feed_status(feed_id: str, as_json: JsonOption = False) -> None:
    """A feed's status and each SKU's outcome."""
    feed = _run(lambda seller: seller.feeds.status(feed_id))
    if as_json:
        print(json.dumps(feed.model_dump(mode="json"), ensure_ascii=False, indent=1))
        return
    print(
        f"Feed {feed.feed_id}: {feed.status}; received {feed.items_received}, succeeded "
        f"{feed.items_succeeded}, failed {feed.items_failed}, processing "
        f"{feed.items_processing}."
    )
    for problem in feed.errors:
        print(f"  feed error: {problem}")
    _table("Items", ["SKU", "Status", "Error"], [(r.sku, r.status, r.error) for r in feed.results])


@webhooks_app.command("list")
def webhooks_list() -> None:
    """Current subscriptions."""
    found = _run(lambda seller: seller.webhooks.subscriptions())
    _table(
        "Subscriptions",
        ["Id", "Event", "Resource", "URL", "Status", "Auth"],
        [
            (s.subscription_id, s.event_type, s.resource_name, s.event_url, s.status, s.auth_method)
            for s in found
        ],
    )


EventOption = Annotated[str, typer.Option("--event", help="e.g. PO_CREATED")]
ResourceOption = Annotated[str, typer.Option("--resource", help="e.g. ORDER")]
UrlOption = Annotated[str, typer.Option("--url", help="your webhook receiver's HTTPS URL")]
AuthOption = Annotated[str, typer.Option("--auth", help="none, basic or hmac (§9.4)")]
UserOption = Annotated[str | None, typer.Option("--user", help="BASIC_AUTH user name")]
PasswordOption = Annotated[
    str | None,
    typer.Option("--password", envvar="MLC_WALMART_WEBHOOK_PASSWORD", help="BASIC_AUTH password"),
]


def _subscription(
    event: str, resource: str, url: str, auth: str, user: str | None, password: str | None
) -> SubscriptionRequest:
    method = {"none": None, "basic": "BASIC_AUTH", "hmac": "HMAC"}.get(auth.lower(), "?")
    if method == "?":
        _fail(f"--auth must be none, basic or hmac, not {auth!r}.", EXIT_CONFIG)
    if method == "BASIC_AUTH" and not (user and password):
        _fail(
            "--auth basic needs --user and --password (or MLC_WALMART_WEBHOOK_PASSWORD).",
            EXIT_CONFIG,
        )
    details = (
        DeliveryAuth(method="BASIC_AUTH", user_name=user, password=password)
        if method == "BASIC_AUTH"
        else DeliveryAuth(method="HMAC")
        if method == "HMAC"
        else None
    )
    return SubscriptionRequest(
        event_type=event, resource_name=resource, event_url=url, auth=details
    )


@webhooks_app.command("subscribe")
def webhooks_subscribe(
    event: EventOption,
    resource: ResourceOption,
    url: UrlOption,
    auth: AuthOption = "none",
    user: UserOption = None,
    password: PasswordOption = None,
) -> None:
    """Subscribe ``--url`` to one event type (skipped when that subscription exists)."""
    request = _subscription(event, resource, url, auth, user, password)

    async def subscribe(seller: WalmartSeller) -> str:
        for existing in await seller.webhooks.subscriptions(event_type=event):
            if existing.event_url == url:
                return f"Already subscribed: {existing.subscription_id} ({existing.status})."
        (created, *_) = await seller.webhooks.subscribe(request)
        return f"Subscribed {event} to {url}: {created.subscription_id} ({created.status})."

    print(_run(subscribe))


@webhooks_app.command("test")
def webhooks_test(
    event: EventOption,
    resource: ResourceOption,
    url: UrlOption,
    auth: AuthOption = "none",
    user: UserOption = None,
    password: PasswordOption = None,
) -> None:
    """Ask Walmart to send a sample event to ``--url`` now."""
    request = _subscription(event, resource, url, auth, user, password)
    message = _run(lambda seller: seller.webhooks.test(request))
    print(message or "Walmart accepted the test.")
