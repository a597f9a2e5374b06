"""Feed submission and feed status (walmart-api.md §3.1, §3.2, §10.1-§10.2).

The file comes as the ``file`` part of a multipart body (per spec) or as the raw body
(``application/json``), both accepted. A file above the feed family's size limit is refused
with a bare 413 (D-throttling; its body is not documented).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from ..context import SimContext
from ..errors import WalmartError, bad_param, not_found, service_error
from ..feed_processor import FEED_KINDS, process
from ..feed_wire import feed_detail, feed_summary
from ..guard import admit, guard
from ..models import Feed
from ..wire import json_response

router = APIRouter()


async def _feed_file(request: Request, max_bytes: int) -> tuple[bytes, str]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + 64 * 1024:
        raise WalmartError(413, "PAYLOAD_TOO_LARGE", "Payload Too Large", envelope="bare")
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_part_size=max_bytes + 1)
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise service_error(
                "feeds",
                400,
                "MISSING_REQUEST_PARAM",
                "multipart part 'file' is missing",
                field="file",
            )
        data = await part.read()
        name = part.filename or "feed.json"
    else:
        data = await request.body()
        name = "feed.json"
    if len(data) > max_bytes:
        raise WalmartError(413, "PAYLOAD_TOO_LARGE", "Payload Too Large", envelope="bare")
    if not data.strip():
        raise service_error(
            "feeds", 400, "INVALID_REQUEST_CONTENT", "The feed file is empty", field="file"
        )
    return data, name


@router.post("/v3/feeds")
async def submit_feed(request: Request) -> Response:
    feed_type = request.query_params.get("feedType", "")
    kind = FEED_KINDS.get(feed_type)
    if kind is None:
        # Validate headers and token first so a bad feedType never hides an auth problem.
        admit(request, api=None, scope=None)
        raise bad_param("feeds", f"feedType {feed_type!r} is missing or not simulated", "feedType")
    ctx = admit(request, api=f"feeds.{kind.family}", scope=kind.scope, write=True)
    ship_node = request.query_params.get("shipNode")
    if ship_node is not None and ctx.state.node(ship_node) is None:
        raise bad_param("feeds", f"Unknown shipNode {ship_node}", "shipNode")
    limit = ctx.config.feed_size_limits.get(kind.family, 10 * 1024 * 1024)
    data, name = await _feed_file(request, limit)
    now = ctx.clock.now_ms()
    feed = Feed(
        feed_id=ctx.ids.feed_id(), feed_type=feed_type, submitted_ms=now, modified_ms=now,
        file_name=name, payload=data, ship_node=ship_node,
    )  # fmt: skip
    ctx.state.feeds[feed.feed_id] = feed
    ctx.spawn(process(ctx, feed))
    # Every example answers the feed id alone (walmart-api.md §3.1).
    return json_response({"feedId": feed.feed_id})


def _int(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name, str(default))
    if not text.isdigit():
        raise bad_param("feeds", f"Invalid {name} {text}", name)
    return int(text)


@router.get("/v3/feeds")
async def list_feeds(
    request: Request, ctx: Annotated[SimContext, Depends(guard(None, "feeds"))]
) -> Response:
    offset = _int(request, "offset", 0)
    limit = min(_int(request, "limit", 50), 50)
    wanted = request.query_params.get("feedId")
    feeds = sorted(ctx.state.feeds.values(), key=lambda f: -f.submitted_ms)
    if wanted:
        feeds = [f for f in feeds if f.feed_id == wanted]
    return json_response(
        {
            "totalResults": len(feeds),
            "offset": offset,
            "limit": limit,
            "results": {"feed": [feed_summary(ctx, f) for f in feeds[offset : offset + limit]]},
        }
    )


@router.get("/v3/feeds/{feed_id:path}")
async def feed_status(
    feed_id: str, request: Request, ctx: Annotated[SimContext, Depends(guard(None, "feeds"))]
) -> Response:
    feed = ctx.state.feeds.get(feed_id)
    if feed is None:
        raise not_found("feeds", f"Feed {feed_id} not found")
    offset = _int(request, "offset", 0)
    limit = min(_int(request, "limit", 50), ctx.config.feed_detail_max_limit)
    include = request.query_params.get("includeDetails", "false").lower() == "true"
    return json_response(
        feed_detail(ctx, feed, include_details=include, offset=offset, limit=limit)
    )
