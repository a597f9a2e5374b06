"""Settings -> the agent's parts (one place, used by the service and the CLI)."""

from __future__ import annotations

from tally_agent.client import ClientOptions, TallyClient
from tally_agent.importer import ImportOptions
from tally_agent.protocol.envelopes import RequestContext
from tally_agent.protocol.forex import ForexStyle
from tally_agent.reads import TallyReader
from tally_agent.settings import TallyAgentSettings


def request_context(settings: TallyAgentSettings) -> RequestContext:
    username = settings.tally_username if settings.tally_send_credentials else None
    password = (
        settings.tally_password.get_secret_value()
        if settings.tally_password is not None and username
        else None
    )
    return RequestContext(company=settings.tally_company, username=username, password=password)


def client_for(settings: TallyAgentSettings) -> TallyClient:
    return TallyClient(ClientOptions.from_settings(settings))


def reader_for(settings: TallyAgentSettings, client: TallyClient) -> TallyReader:
    return TallyReader(
        client, request_context(settings), check_guid_prefix=settings.tally_check_guid_prefix
    )


def import_options(settings: TallyAgentSettings) -> ImportOptions:
    return ImportOptions(
        batch_size=settings.tally_import_batch_size,
        style=settings.tally_import_envelope,
        voucher_import_id=settings.tally_voucher_import_id,
        match_type=settings.tally_duplicate_match_type,
        match_narration=settings.tally_duplicate_match_narration,
        readback=settings.tally_readback_after_import,
        forex=ForexStyle(
            form=settings.tally_forex_form,
            base_symbol=settings.tally_forex_base_symbol,
            allocations=settings.tally_forex_allocations,
        ),
    )
