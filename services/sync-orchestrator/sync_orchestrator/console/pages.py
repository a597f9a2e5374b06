"""The pages (GET): what the operator API offers, as HTML."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync_orchestrator.audit_terms import AuditTerms, search
from sync_orchestrator.console.session import csrf_token, logged_in, take_flashes
from sync_orchestrator.dead_letters import DeadLetters, connector_queues
from sync_orchestrator.dispatch import FLOWS
from sync_orchestrator.ops_api.deps import Backend
from sync_orchestrator.status import flow_statuses

AUDIT_FIELDS = ("tenant", "flow", "kind", "po", "sku", "return_id", "voucher", "status", "text")


def backend_of(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        template,
        {
            "csrf": csrf_token(request),
            "flashes": take_flashes(request) if logged_in(request) else [],
            "signed_in": logged_in(request),
            **context,
        },
        status_code=status_code,
    )
    return response


def to_login(request: Request) -> Response:
    return RedirectResponse(request.url_for("console_login"), status_code=303)


async def login_form(request: Request) -> Response:
    if logged_in(request):
        return RedirectResponse(request.url_for("console_overview"), status_code=303)
    return render(request, "login.html", error=None)


async def dead_letters_of(backend: Backend) -> DeadLetters:
    return DeadLetters(backend.bus, connector_queues(await backend.directory.tenants()))


async def overview(request: Request) -> Response:
    if not logged_in(request):
        return to_login(request)
    backend = backend_of(request)
    store = backend.store
    tenants = await backend.directory.tenants()
    flows = flow_statuses(await store.list_flow_states(), tenants, FLOWS)
    cursors = sorted((await store.list_cursors()).items())
    agents = await store.list_agent_statuses()
    now = datetime.now(UTC)
    return render(
        request,
        "overview.html",
        flows=flows,
        cursors=[(t, f, json.dumps(v, sort_keys=True)) for (t, f), v in cursors],
        agents=[(row, round((now - row.received_at).total_seconds())) for row in agents],
        leader=backend.is_leader,
    )


async def audit(request: Request) -> Response:
    if not logged_in(request):
        return to_login(request)
    given = {k: v.strip() for k, v in request.query_params.items() if k in AUDIT_FIELDS}
    terms = {k: v for k, v in given.items() if v}
    rows, error = [], None
    if terms:
        try:
            rows = await search(backend_of(request).store, AuditTerms(**terms, limit=200))
        except ValidationError as exc:
            error = exc.errors()[0]["msg"]
    return render(request, "audit.html", rows=rows, given=given, searched=bool(terms), error=error)


async def dead_letters(request: Request) -> Response:
    if not logged_in(request):
        return to_login(request)
    letters = await (await dead_letters_of(backend_of(request))).list(None, 200)
    return render(request, "dead_letters.html", letters=letters)


async def dead_letter(request: Request) -> Response:
    if not logged_in(request):
        return to_login(request)
    message_id = request.path_params["message_id"]
    letters = await dead_letters_of(backend_of(request))
    found = await letters.find(message_id, request.query_params.get("queue") or None)
    if found is None:
        return render(request, "missing.html", status_code=404, message_id=message_id)
    return render(
        request,
        "dead_letter.html",
        letter=found,
        payload=json.dumps(found.payload, indent=2, sort_keys=True) if found.payload else None,
        headers=json.dumps(found.headers, indent=2, sort_keys=True, default=str),
    )


async def mapping_gaps(request: Request) -> Response:
    """What waits on the mapping, as the orchestrator knows it: flows whose last step failed
    for it, and the messages parked with it (replay them once the mapping is fixed). The full
    comparison with Tally and Walmart needs both in reach: `mlc mapping check`."""
    if not logged_in(request):
        return to_login(request)
    backend = backend_of(request)
    failing = [s for s in await backend.store.list_flow_states() if s.last_error]
    letters = await (await dead_letters_of(backend)).list(None, 200)
    waiting = [letter for letter in letters if _about_mapping(letter.reason)]
    return render(request, "mapping.html", failing=failing, waiting=waiting)


_MAPPING_WORDS = ("mapping", "mapped", "unmapped", "not in tally", "no settlement rule")


def _about_mapping(reason: str) -> bool:
    lowered = reason.lower()
    return any(word in lowered for word in _MAPPING_WORDS)
