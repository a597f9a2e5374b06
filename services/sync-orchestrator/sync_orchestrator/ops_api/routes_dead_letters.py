"""Dead letters: list, inspect, replay (same message id: never posts twice), purge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from sync_orchestrator.dead_letters import DeadLetter
from sync_orchestrator.ops_api.deps import DeadLettersDep

router = APIRouter(prefix="/api/v1/dead-letters", tags=["dead letters"])

QueueQuery = Annotated[
    str | None, Query(description="one work queue, e.g. tally.acme.commands; default: all")
]


class Replayed(BaseModel):
    replayed: int


class Purged(BaseModel):
    purged: int


@router.get("", summary="Parked messages")
async def listing(
    letters: DeadLettersDep,
    queue: QueueQuery = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DeadLetter]:
    return await letters.list(queue, limit)


@router.post("/replay", summary="Replay every parked message (of one queue)")
async def replay_all(letters: DeadLettersDep, queue: QueueQuery = None) -> Replayed:
    return Replayed(replayed=await letters.replay(None, queue))


@router.delete("", summary="Delete every parked message (of one queue) for good")
async def purge_all(
    letters: DeadLettersDep,
    confirm: Annotated[bool, Query(description="must be true: nothing can bring them back")],
    queue: QueueQuery = None,
) -> Purged:
    if not confirm:
        raise HTTPException(422, "purging deletes parked messages for good: pass confirm=true")
    return Purged(purged=await letters.purge(None, queue))


@router.get("/{message_id}", summary="One parked message")
async def show(message_id: str, letters: DeadLettersDep, queue: QueueQuery = None) -> DeadLetter:
    found = await letters.find(message_id, queue)
    if found is None:
        raise HTTPException(404, f"no parked message {message_id!r}")
    return found


@router.post("/{message_id}/replay", summary="Put one parked message back on its queue")
async def replay_one(
    message_id: str, letters: DeadLettersDep, queue: QueueQuery = None
) -> Replayed:
    count = await letters.replay(message_id, queue)
    if count == 0:
        raise HTTPException(404, f"no parked message {message_id!r}")
    return Replayed(replayed=count)


@router.delete("/{message_id}", summary="Delete one parked message for good")
async def purge_one(message_id: str, letters: DeadLettersDep, queue: QueueQuery = None) -> Purged:
    count = await letters.purge(message_id, queue)
    if count == 0:
        raise HTTPException(404, f"no parked message {message_id!r}")
    return Purged(purged=count)
