"""What the periodic :class:`AgentStatus` says: is Tally reachable, is the company open,
which version, and when a command last succeeded.

The probe never queues behind a long command: while Tally is busy with one (an export can
take minutes, §7.8) it reports the last known state instead of sending a request that would
only wait its turn."""

from __future__ import annotations

from datetime import UTC, datetime

from mlc_shared.messages.tally import AgentStatus

from tally_agent.errors import CompanyNotOpen, TallyError, TallyUnavailable
from tally_agent.reads import TallyReader


class StatusProbe:
    def __init__(self, reader: TallyReader, *, probe_version: bool = True) -> None:
        self.reader = reader
        self.probe_version = probe_version
        self.last_success_at: datetime | None = None
        self.last: AgentStatus | None = None

    def succeeded(self) -> None:
        self.last_success_at = datetime.now(UTC)

    def failed(self, error: TallyError) -> None:
        reachable = not isinstance(error, TallyUnavailable) or isinstance(error, CompanyNotOpen)
        self.last = AgentStatus(
            reachable=reachable,
            company_open=False,
            company=self.reader.ctx.company,
            last_success_at=self.last_success_at,
            detail=f"{error.message} {error.hint}",
        )

    async def probe(self, company_name: str | None) -> AgentStatus:
        if self.reader.client.busy and self.last is not None:
            return self.last.model_copy(
                update={"last_success_at": self.last_success_at, "detail": "busy serving a command"}
            )
        try:
            company = await self.reader.open_company()
            version = await self._version()
        except CompanyNotOpen as exc:
            status = AgentStatus(
                reachable=True,
                company_open=False,
                company=company_name,
                last_success_at=self.last_success_at,
                detail=f"{exc.message} {exc.hint}",
            )
        except TallyError as exc:
            status = AgentStatus(
                reachable=False,
                company_open=False,
                company=company_name,
                last_success_at=self.last_success_at,
                detail=f"{exc.message} {exc.hint}",
            )
        else:
            status = AgentStatus(
                reachable=True,
                company_open=True,
                company=company.name,
                version=version,
                last_success_at=self.last_success_at,
                alt_mst_id=company.alt_mst_id,
                alt_vch_id=company.alt_vch_id,
            )
        self.last = status
        return status

    async def _version(self) -> str | None:
        if not self.probe_version:
            return None
        try:
            return await self.reader.version()
        except TallyUnavailable:
            raise
        except TallyError:
            self.probe_version = False  # this Tally cannot answer it; do not ask again
            return None
