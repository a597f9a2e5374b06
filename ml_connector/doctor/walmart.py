"""Walmart through the gateway's own client: the credentials get a token, the token has the
scopes the flows need (``GET /v3/token/detail``, walmart-api.md §2), and the webhook
subscriptions point at this installation's receiver (§9.1)."""

from __future__ import annotations

from mlc_shared.domain.walmart import WebhookSubscription
from walmart_gateway.errors import (
    WalmartBadCredentials,
    WalmartConfigurationError,
    WalmartError,
    WalmartForbidden,
    WalmartUnavailable,
)
from walmart_gateway.gateway import WalmartSeller
from walmart_gateway.settings import WalmartSettings

from ml_connector.doctor.report import Result, fail, ok, warn

_LEVELS = {"no_access": 0, "view_only": 1, "full_access": 2}
REQUIRED_SCOPES: dict[str, str] = {
    "orders": "full_access",  # read orders, acknowledge them (§6)
    "inventory": "full_access",  # inventory updates and feeds (§5)
    "price": "full_access",  # price updates (§4)
    "item": "view_only",  # read the catalog (§3.3)
    "feeds": "view_only",  # feed status (§3.2)
    "returns": "view_only",  # read returns (§7); full_access to issue refunds
    "reports": "view_only",  # reconciliation reports (§8)
}
SUBSCRIBE_HINT = (
    "subscribe with `mlc walmart webhooks subscribe --event PO_CREATED --resource ORDER "
    "--url {url} --auth basic --user <user>` (docs/walmart-setup.md)"
)


def doctor_settings(settings: WalmartSettings, within: float) -> WalmartSettings:
    return settings.model_copy(
        update={
            "walmart_read_timeout": min(settings.walmart_read_timeout, within),
            "walmart_connect_timeout": min(settings.walmart_connect_timeout, within),
            "walmart_retry_attempts": 1,
            "walmart_max_throttle_wait": min(settings.walmart_max_throttle_wait, within),
        }
    )


def explain(exc: WalmartError, settings: WalmartSettings) -> tuple[str, str]:
    if isinstance(exc, WalmartBadCredentials):
        return (
            f"Walmart refused client {settings.walmart_client_id!r} ({exc.reason})",
            "check MLC_WALMART_CLIENT_ID and MLC_WALMART_CLIENT_SECRET against the API key "
            "in Seller Center",
        )
    if isinstance(exc, WalmartForbidden):
        return (
            f"the token lacks access ({exc.reason})",
            "grant the scope to this API key in Seller Center (delegated access)",
        )
    if isinstance(exc, WalmartUnavailable) and not exc.sent:
        return (
            f"cannot reach Walmart at {settings.walmart_base_url} ({exc.reason})",
            "check MLC_WALMART_BASE_URL and the network",
        )
    if isinstance(exc, WalmartConfigurationError):
        return (f"Walmart configuration problem: {exc.reason}", "see docs/walmart-setup.md")
    return (f"Walmart call failed: {exc.reason}", "try again; if it persists, see the gateway log")


async def check_token(seller: WalmartSeller, settings: WalmartSettings) -> list[Result]:
    try:
        detail = await seller.token_detail()
    except WalmartError as exc:
        summary, action = explain(exc, settings)
        return [fail("walmart.token", summary, action)]
    if detail.is_valid is False:
        return [
            fail(
                "walmart.token",
                "Walmart issued a token but says it is not valid",
                "check the API key in Seller Center; create a new one if it was revoked",
            )
        ]
    results = [
        ok(
            "walmart.token",
            f"client {settings.walmart_client_id!r} gets a token at {settings.walmart_base_url}",
        )
    ]
    short = [
        f"{area} is {detail.scopes.get(area, 'not listed')} (needs {need})"
        for area, need in REQUIRED_SCOPES.items()
        if _LEVELS.get(detail.scopes.get(area, ""), -1) < _LEVELS[need]
    ]
    if short:
        results.append(
            fail(
                "walmart.scopes",
                "; ".join(short),
                "grant these to the API key in Seller Center (delegated access)",
            )
        )
    else:
        results.append(ok("walmart.scopes", "token has every scope the flows use"))
    return results


async def check_webhooks(
    seller: WalmartSeller, settings: WalmartSettings, public_url: str | None
) -> Result:
    try:
        found = await seller.webhooks.subscriptions()
    except WalmartError as exc:
        summary, action = explain(exc, settings)
        return fail("walmart.webhooks", summary, action)
    if public_url is None:
        return warn(
            "walmart.webhooks",
            f"{len(found)} subscription(s); not compared with the receiver",
            "set MLC_WEBHOOK_PUBLIC_URL to the receiver's public URL",
        )
    return judge_subscriptions(found, public_url)


def judge_subscriptions(found: list[WebhookSubscription], public_url: str) -> Result:
    ours = [s for s in found if _same_url(s.event_url, public_url)]
    elsewhere = sorted({s.event_url or "" for s in found if not _same_url(s.event_url, public_url)})
    if not found:
        return warn(
            "walmart.webhooks",
            "no event subscriptions: orders are found by polling only",
            SUBSCRIBE_HINT.format(url=public_url),
        )
    if not ours:
        return fail(
            "walmart.webhooks",
            f"subscribed events point at {', '.join(elsewhere)}, not at {public_url}",
            "update them to the receiver's URL (`mlc walmart webhooks list`, then subscribe "
            "again) or correct MLC_WEBHOOK_PUBLIC_URL",
        )
    inactive = [s.event_type for s in ours if (s.status or "ACTIVE").upper() != "ACTIVE"]
    if inactive:
        return fail(
            "walmart.webhooks",
            f"subscriptions to {public_url} are not active: {', '.join(sorted(inactive))}",
            "activate them in Walmart (PATCH status ACTIVE) after checking the receiver answers",
        )
    events = ", ".join(sorted({s.event_type for s in ours}))
    if elsewhere:
        return warn(
            "walmart.webhooks",
            f"{events} -> {public_url}; other subscriptions point at {', '.join(elsewhere)}",
            "remove subscriptions to URLs no receiver serves",
        )
    if "PO_CREATED" not in {s.event_type for s in ours}:
        return warn(
            "walmart.webhooks",
            f"{events} -> {public_url}, but not PO_CREATED",
            SUBSCRIBE_HINT.format(url=public_url),
        )
    return ok("walmart.webhooks", f"{events} -> {public_url}")


def _same_url(left: str | None, right: str) -> bool:
    return (left or "").rstrip("/") == right.rstrip("/")
