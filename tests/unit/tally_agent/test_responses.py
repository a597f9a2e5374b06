"""Import verdicts and whole-request failures: shapes D, D', E, F, I of tally-xml.md §1.4."""

from __future__ import annotations

import pytest
from tally_agent.errors import (
    CompanyNotOpen,
    TallyProtocolError,
    TallyRejectedRequest,
    UnknownRequest,
)
from tally_agent.protocol.decode import decode_all
from tally_agent.protocol.responses import (
    ImportResult,
    function_result,
    raise_for_failure,
    read_import_result,
)
from tally_agent.protocol.xmlstream import parse_document

from tests.unit.tally_agent.fixtures import IMPORT_PARTIAL, utf16


def doc(text: str) -> object:
    return parse_document(decode_all(utf16(text)))


def test_shape_d_partial_import() -> None:
    # §5.2: 3 vouchers, one naming a missing ledger: CREATED=2, EXCEPTIONS=1, one LINEERROR.
    result = read_import_result(parse_document(IMPORT_PARTIAL))
    assert result == ImportResult(
        created=2,
        last_vch_id=57,
        exceptions=1,
        line_errors=("Ledger 'Probe Ledger' does not exist!",),
    )
    assert not result.clean
    assert result.last_line_error == "Ledger 'Probe Ledger' does not exist!"


def test_lineerror_before_the_counters() -> None:
    # §5.1: position of LINEERROR relative to counters is UNCERTAIN.
    text = (
        "<RESPONSE><LINEERROR>Voucher totals do not match!</LINEERROR><CREATED>0</CREATED>"
        "<ALTERED>0</ALTERED><ERRORS>1</ERRORS><EXCEPTIONS>0</EXCEPTIONS></RESPONSE>"
    )
    result = read_import_result(parse_document(text))
    assert result.errors == 1
    assert result.last_line_error == "Voucher totals do not match!"


def test_shape_d_prime_envelope_importresult() -> None:
    text = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><STATUS>1</STATUS></HEADER><BODY><DATA>"
        "<IMPORTRESULT><CREATED>0</CREATED><ALTERED>1</ALTERED><LASTVCHID>9</LASTVCHID>"
        "<ERRORS>0</ERRORS><EXCEPTIONS>0</EXCEPTIONS></IMPORTRESULT></DATA></BODY></ENVELOPE>"
    )
    result = read_import_result(parse_document(text))
    assert (result.altered, result.last_vch_id, result.clean) == (1, 9, True)


def test_exceptions_without_lineerror_are_not_success() -> None:
    # Manual numbering duplicate: EXCEPTIONS=1 and often no LINEERROR (§4.7, §5.2).
    text = "<RESPONSE><CREATED>0</CREATED><ERRORS>0</ERRORS><EXCEPTIONS>1</EXCEPTIONS></RESPONSE>"
    assert not read_import_result(parse_document(text)).clean


def test_shape_e_unknown_request() -> None:
    with pytest.raises(UnknownRequest):
        raise_for_failure(
            parse_document("<RESPONSE>Unknown Request, cannot be processed</RESPONSE>")
        )


@pytest.mark.parametrize(
    "text",
    [
        "<RESPONSE><CREATED>0</CREATED><ERRORS>1</ERRORS>"
        "<LINEERROR>Could not set 'SVCurrentCompany' to 'Acme &amp; Co'</LINEERROR></RESPONSE>",
        "<ENVELOPE><HEADER><VERSION>1</VERSION><STATUS>0</STATUS></HEADER><BODY><DATA>"
        "<LINEERROR>Could not set 'SVCurrentCompany'</LINEERROR></DATA></BODY></ENVELOPE>",
        "<ENVELOPE><LINEERROR>Could not set &apos;SVCurrentCompany&apos; to &apos;X&apos;</LINEERROR>"
        "</ENVELOPE>",
    ],
)
def test_shape_f_company_not_open(text: str) -> None:
    with pytest.raises(CompanyNotOpen, match="SVCurrentCompany"):
        read_import_result(parse_document(text))


def test_shape_i_status_zero() -> None:
    text = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><STATUS>0</STATUS></HEADER>"
        "<BODY><DATA>DESC not found</DATA></BODY></ENVELOPE>"
    )
    with pytest.raises(TallyRejectedRequest, match="DESC not found"):
        raise_for_failure(parse_document(text))


def test_answer_without_counters_is_not_zero_created() -> None:
    with pytest.raises(TallyProtocolError, match="no counters"):
        read_import_result(parse_document("<ENVELOPE><BODY/></ENVELOPE>"))


def test_shape_g_function_result() -> None:
    text = (
        "<ENVELOPE><HEADER><VERSION>1</VERSION><STATUS>1</STATUS></HEADER><BODY><DATA>"
        '<RESULT TYPE="String">Acme &amp; Co</RESULT></DATA></BODY></ENVELOPE>'
    )
    assert function_result(parse_document(text)) == "Acme & Co"
