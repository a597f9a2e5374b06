"""How `mlc doctor` judges webhook subscriptions against the receiver's public URL."""

from __future__ import annotations

from mlc_shared.domain.walmart import WebhookSubscription

from ml_connector.doctor.walmart import judge_subscriptions

URL = "https://hooks.example.com/webhooks/walmart/acme"


def sub(event: str, url: str, status: str = "ACTIVE") -> WebhookSubscription:
    return WebhookSubscription(
        subscription_id=f"id-{event}", event_type=event, event_url=url, status=status
    )


def test_active_subscriptions_to_the_receiver_pass() -> None:
    result = judge_subscriptions([sub("PO_CREATED", URL + "/"), sub("RETURN_CREATED", URL)], URL)
    assert result.status == "OK"
    assert "PO_CREATED, RETURN_CREATED" in result.summary


def test_subscriptions_to_another_host_fail_and_say_where() -> None:
    result = judge_subscriptions([sub("PO_CREATED", "https://old.example.com/hook")], URL)
    assert result.status == "FAIL"
    assert "https://old.example.com/hook" in result.summary
    assert "MLC_WEBHOOK_PUBLIC_URL" in result.action


def test_inactive_subscription_fails() -> None:
    result = judge_subscriptions([sub("PO_CREATED", URL, status="INACTIVE")], URL)
    assert result.status == "FAIL"
    assert "not active" in result.summary


def test_none_or_no_order_event_warns() -> None:
    assert judge_subscriptions([], URL).status == "WARN"
    only_returns = judge_subscriptions([sub("RETURN_CREATED", URL)], URL)
    assert only_returns.status == "WARN"
    assert "PO_CREATED" in only_returns.summary
