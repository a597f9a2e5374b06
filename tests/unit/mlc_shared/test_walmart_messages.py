"""Walmart command messages written by earlier releases still read (they may sit in a queue
or a parking queue across an upgrade)."""

from __future__ import annotations

import json

from mlc_shared.messages.envelope import Envelope
from mlc_shared.messages.walmart import FetchOrders


def _older(payload: dict[str, object]) -> Envelope:
    body = json.loads(Envelope.new(FetchOrders(), tenant="t").encode())
    body["payload"] = payload
    return Envelope.decode(json.dumps(body).encode())


def test_a_fetch_orders_with_the_old_single_id_reads_as_a_read_by_id() -> None:
    assert _older({"purchase_order_id": "123", "created_since": None}).payload == FetchOrders(
        purchase_order_ids=("123",)
    )
    assert _older({"purchase_order_id": None}).payload == FetchOrders()
