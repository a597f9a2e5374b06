"""The actions (POST): log in and out, pause / resume / run a flow, replay or purge a dead
letter. Each checks the session and its CSRF token, then redirects (post/redirect/get)."""

from __future__ import annotations

from urllib.parse import urlencode

from mlc_shared.logging import get_logger
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from sync_orchestrator.console.pages import backend_of, dead_letters_of, render, to_login
from sync_orchestrator.console.session import (
    csrf_ok,
    flash,
    log_in,
    logged_in,
    token_matches,
)
from sync_orchestrator.dispatch import FLOWS
from sync_orchestrator.status import set_paused

log = get_logger(__name__)
FORBIDDEN = "the form is stale or came from elsewhere (CSRF check failed); reload and try again"


async def login(request: Request) -> Response:
    form = await request.form()
    given = str(form.get("token", ""))
    if not token_matches(given, backend_of(request).settings.operator_token):
        log.warning("console login refused", client=request.client.host if request.client else "")
        return render(request, "login.html", status_code=401, error="That token is not valid.")
    log_in(request)
    log.info("console login", client=request.client.host if request.client else "")
    return RedirectResponse(request.url_for("console_overview"), status_code=303)


async def _checked(request: Request) -> dict[str, str] | Response:
    if not logged_in(request):
        return to_login(request)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not csrf_ok(request, form.get("csrf")):
        return render(request, "error.html", status_code=403, message=FORBIDDEN)
    return form


async def logout(request: Request) -> Response:
    form = await _checked(request)
    if isinstance(form, Response):
        return form
    request.session.clear()
    return RedirectResponse(request.url_for("console_login"), status_code=303)


async def flow_action(request: Request) -> Response:
    form = await _checked(request)
    if isinstance(form, Response):
        return form
    backend = backend_of(request)
    flow, action = request.path_params["flow"], request.path_params["action"]
    tenant = form.get("tenant") or backend.settings.tenant
    if flow not in FLOWS or action not in ("pause", "resume", "run"):
        return render(request, "error.html", status_code=404, message=f"no {action} of {flow}")
    if tenant not in await backend.directory.tenants():
        return render(request, "error.html", status_code=404, message=f"no tenant {tenant!r}")
    if action == "run":
        started, correlation_id = await backend.request_run(flow, tenant=tenant)
        word = "started" if started else "requested (already running, paused or on the leader)"
        flash(request, f"{flow} for {tenant}: {word}, correlation id {correlation_id}")
    else:
        await set_paused(backend.store, tenant, flow, action == "pause")
        flash(request, f"{flow} for {tenant}: {action}d")
    log.info("console flow action", flow=flow, tenant=tenant, action=action)
    return RedirectResponse(request.url_for("console_overview"), status_code=303)


async def dead_letter_action(request: Request) -> Response:
    form = await _checked(request)
    if isinstance(form, Response):
        return form
    message_id, action = request.path_params["message_id"], request.path_params["action"]
    queue = form.get("queue") or None
    letters = await dead_letters_of(backend_of(request))
    if action == "replay":
        count = await letters.replay(message_id, queue)
        flash(request, f"replayed {message_id}" if count else f"{message_id} is not parked")
    elif action == "purge" and form.get("confirm") == "yes":
        count = await letters.purge(message_id, queue)
        flash(request, f"deleted {message_id} for good" if count else f"{message_id} is gone")
    elif action == "purge":
        flash(request, "not deleted: tick the box to confirm (nothing brings it back)")
        target = request.url_for("console_dead_letter", message_id=message_id)
        suffix = f"?{urlencode({'queue': queue})}" if queue else ""
        return RedirectResponse(f"{target}{suffix}", status_code=303)
    else:
        return render(request, "error.html", status_code=404, message=f"no action {action!r}")
    log.info("console dead letter action", message_id=message_id, action=action, queue=queue)
    return RedirectResponse(request.url_for("console_dead_letters"), status_code=303)
