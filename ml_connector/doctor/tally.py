"""TallyPrime, through the agent's own reader: the port answers, the company is open, which
release, and whether it runs in Educational mode. Failures are told with the agent's error
table hints (tally_agent.errors), e.g. where the port is enabled."""

from __future__ import annotations

from tally_agent.client import TallyClient
from tally_agent.errors import CompanyNotOpen, TallyError, TallyPortClosed
from tally_agent.factory import client_for, reader_for
from tally_agent.protocol.envelopes import Collection, export_collection
from tally_agent.reads import TallyReader
from tally_agent.settings import TallyAgentSettings

from ml_connector.doctor.report import Result, fail, ok, warn

PORT_HINT = (
    "enable the port in TallyPrime: F1 (Help) > Settings > Connectivity > Client/Server "
    "configuration, 'TallyPrime is acting as' Server or Both, port {port} (docs/tally-setup.md)"
)


def doctor_settings(settings: TallyAgentSettings, within: float) -> TallyAgentSettings:
    """The agent's settings with waits a person can sit through."""
    return settings.model_copy(
        update={
            "tally_read_timeout": min(settings.tally_read_timeout, within),
            "tally_connect_timeout": min(settings.tally_connect_timeout, within),
            "tally_liveness_wait": min(settings.tally_liveness_wait, within),
        }
    )


async def check_tally(settings: TallyAgentSettings, within: float) -> list[Result]:
    settings = doctor_settings(settings, within)
    url = settings.tally_base_url
    async with client_for(settings) as client:
        reader = reader_for(settings, client)
        try:
            await client.liveness()
        except TallyPortClosed as exc:
            port = settings.tally_url.port or 9000
            return [fail("tally.port", exc.message, PORT_HINT.format(port=port))]
        except TallyError as exc:
            return [fail("tally.port", exc.message, exc.hint)]
        results = [ok("tally.port", f"TallyPrime answers at {url}")]
        try:
            company = await reader.open_company()
        except CompanyNotOpen as exc:
            return [*results, fail("tally.company", exc.message, exc.hint)]
        except TallyError as exc:
            return [*results, fail("tally.company", exc.message, exc.hint)]
        results.append(ok("tally.company", f"company {company.name!r} is open"))
        results.append(await _release(reader, settings))
        results.append(await _educational(client, reader))
    return results


async def _release(reader: TallyReader, settings: TallyAgentSettings) -> Result:
    if not settings.tally_probe_version:
        return ok("tally.release", "not asked (MLC_TALLY_PROBE_VERSION=false)")
    try:
        release = await reader.version()
    except TallyError as exc:
        return warn("tally.release", f"could not ask for the release: {exc.message}", exc.hint)
    if release is None:
        # tally-xml.md §3.1: @@VersionReleaseString; an answer without it is UNCERTAIN.
        return ok("tally.release", "release not reported by this TallyPrime (not needed)")
    return ok("tally.release", f"TallyPrime release {release}")


async def _educational(client: TallyClient, reader: TallyReader) -> Result:
    """``$$LicenseInfo:IsEducationalMode`` computed on the Company collection (§3.1)."""
    request = export_collection(
        reader.ctx,
        Collection(
            "MlcLicence",
            "Company",
            ("Name",),
            compute=("MlcEdu : $$LicenseInfo:IsEducationalMode",),
        ),
    )
    try:
        async with client.stream(request, ("COMPANY",), lambda row: row.findtext("MLCEDU")) as rows:
            answers = {(value or "").strip().lower() async for value in rows}
    except TallyError as exc:
        return warn("tally.mode", f"could not ask for the licence mode: {exc.message}", exc.hint)
    if "yes" in answers:
        return warn(
            "tally.mode",
            "TallyPrime runs in Educational mode: it accepts vouchers dated only on the 1st, "
            "2nd and 31st and widens date filters silently (tally-xml.md §2.7, §7.11)",
            "use a licensed TallyPrime for real books; Educational mode is for rehearsals",
        )
    if "no" in answers:
        return ok("tally.mode", "licensed mode")
    return ok("tally.mode", "licence mode not reported by this TallyPrime (nothing to warn of)")
