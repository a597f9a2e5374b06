"""The typed catalogue of message types: type name -> payload model.

Payload modules register on import; :mod:`mlc_shared.messages` imports them all, so
decoding anywhere sees the whole catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlc_shared.messages.envelope import Payload

_CATALOGUE: dict[str, type[Payload]] = {}


def register(model: type[Payload]) -> None:
    existing = _CATALOGUE.get(model.message_type)
    if existing is not None and existing is not model:
        raise TypeError(f"message type {model.message_type!r} registered twice")
    _CATALOGUE[model.message_type] = model


def payload_class(message_type: str) -> type[Payload] | None:
    return _CATALOGUE.get(message_type)


def message_types() -> dict[str, type[Payload]]:
    return dict(_CATALOGUE)
