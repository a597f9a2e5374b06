"""Admin API: fault knobs, request log, settings, reset and health.

Every handler is `async def` so it runs on the event loop that serves the Tally port: the
simulator's state is only ever touched from that one thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tally_sim.server.faults import CrashPlan

if TYPE_CHECKING:
    from tally_sim.simulator import TallySimulator


class Latency(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ms: int = Field(ge=0, le=600_000)


class Busy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(gt=0, le=3600)


class Crash(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(1, ge=0, le=1000)
    fraction: float = Field(0.5, ge=0, lt=1, description="share of the body sent before the drop")
    then_stop: bool = Field(False, description="the port closes afterwards, like a dead Tally")


def control_router(sim: TallySimulator) -> APIRouter:
    router = APIRouter(tags=["control"])

    def faults_view() -> dict[str, Any]:
        return {**sim.faults.describe(), "running": sim.port.running}

    @router.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "tally_port_running": sim.port.running, "tally_url": sim.url}

    @router.get("/faults")
    async def faults() -> dict[str, Any]:
        return faults_view()

    @router.put("/faults/latency")
    async def latency(body: Latency) -> dict[str, Any]:
        sim.faults.latency_ms = body.ms
        return faults_view()

    @router.post("/faults/busy")
    async def busy(body: Busy) -> dict[str, Any]:
        sim.port.occupy(body.seconds)
        return faults_view()

    @router.post("/faults/hang")
    async def hang() -> dict[str, Any]:
        sim.faults.hang()
        return faults_view()

    @router.delete("/faults/hang")
    async def unhang() -> dict[str, Any]:
        sim.faults.clear_hang()
        return faults_view()

    @router.post("/faults/crash")
    async def crash(body: Crash) -> dict[str, Any]:
        sim.faults.crash = CrashPlan(body.count, body.fraction, body.then_stop)
        return faults_view()

    @router.post("/faults/stop")
    async def stop() -> dict[str, Any]:
        await sim.port.stop_listening()
        return faults_view()

    @router.post("/faults/start")
    async def start() -> dict[str, Any]:
        await sim.port.resume()
        return faults_view()

    @router.delete("/faults")
    async def clear() -> dict[str, Any]:
        sim.faults.reset()
        await sim.port.resume()
        return faults_view()

    @router.get("/requests")
    async def requests(since: int = 0) -> list[dict[str, Any]]:
        return [e.as_dict() for e in sim.log.entries(since)]

    @router.delete("/requests", status_code=204)
    async def clear_requests() -> None:
        sim.log.clear()

    @router.get("/settings")
    async def settings() -> dict[str, Any]:
        return sim.settings.model_dump(mode="json")

    @router.patch("/settings")
    async def patch_settings(body: dict[str, Any]) -> dict[str, Any]:
        try:
            updated = sim.settings.model_validate({**sim.settings.model_dump(), **body})
        except ValidationError as error:
            raise HTTPException(422, error.errors(include_url=False)) from error
        for key in body:
            setattr(sim.settings, key, getattr(updated, key))
        sim.log.limit = sim.settings.request_log_limit
        sim.log.body_limit = sim.settings.request_log_body_limit
        return sim.settings.model_dump(mode="json")

    @router.post("/reset")
    async def reset() -> dict[str, Any]:
        await sim.reset()
        return {"companies": [c.name for c in sim.state.companies], **faults_view()}

    return router
