"""Settings refuse what cannot work, in plain words naming the setting."""

from __future__ import annotations

import pytest
from mlc_shared.config import ConfigError, load_settings
from mlc_shared.logging import redact_text
from walmart_gateway.apis import Api, Budget
from walmart_gateway.settings import WalmartSettings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLC_CONFIG_FILE", raising=False)
    for name in ("MLC_WALMART_BUDGETS", "MLC_WALMART_CLIENT_ID", "MLC_WALMART_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_the_sheet_budgets() -> None:
    settings = load_settings(WalmartSettings)
    budgets = settings.budgets()
    assert budgets[Api.FEED_INVENTORY] == Budget(10, 3600.0)
    assert budgets[Api.INVENTORY_UPDATE] == Budget(200, 60.0)
    assert budgets[Api.FEED_STATUS] is None
    assert settings.walmart_base_url == "https://marketplace.walmartapis.com"


def test_a_feed_rate_above_walmarts_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_WALMART_BUDGETS", '{"feeds.inventory": "11/hour"}')
    with pytest.raises(
        ConfigError,
        match=r"feeds.inventory budget 11/hour is above what Walmart "
        r"allows \(10/hour",
    ):
        load_settings(WalmartSettings)
    monkeypatch.setenv("MLC_WALMART_ALLOW_BUDGETS_ABOVE_PUBLISHED", "true")
    assert load_settings(WalmartSettings).budgets()[Api.FEED_INVENTORY] == Budget(11, 3600.0)


def test_lower_budgets_and_none_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_WALMART_BUDGETS", '{"feeds.item": "5/hour", "orders.list": "none"}')
    budgets = load_settings(WalmartSettings).budgets()
    assert budgets[Api.FEED_ITEM] == Budget(5, 3600.0)
    assert budgets[Api.ORDERS_READ] is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"MLC_WALMART_BUDGETS": '{"feeds.everything": "1/hour"}'},
            "unknown API 'feeds.everything'",
        ),
        ({"MLC_WALMART_BUDGETS": '{"items.list": "lots"}'}, "is not a budget like"),
        ({"MLC_WALMART_BUDGETS": '{"feeds.price": "none"}'}, "unlimited is above what Walmart"),
        ({"MLC_WALMART_ORDERS_PAGE_SIZE": "500"}, "MLC_WALMART_ORDERS_PAGE_SIZE"),
        ({"MLC_WALMART_INVENTORIES_PAGE_SIZE": "51"}, "MLC_WALMART_INVENTORIES_PAGE_SIZE"),
        ({"MLC_WALMART_FEED_MAX_ITEMS": "20000"}, "MLC_WALMART_FEED_MAX_ITEMS"),
        ({"MLC_WALMART_BASE_URL": "marketplace.walmartapis.com"}, "http:// or https://"),
    ],
)
def test_impossible_values_are_refused(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(WalmartSettings)


def test_the_client_secret_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLC_WALMART_CLIENT_ID", "client-one")
    monkeypatch.setenv("MLC_WALMART_CLIENT_SECRET", "s3cr3t-value-xyz")
    settings = load_settings(WalmartSettings)
    assert "s3cr3t-value-xyz" not in repr(settings)
    assert redact_text("sent s3cr3t-value-xyz") == "sent ***"
    assert settings.has_default_credentials
