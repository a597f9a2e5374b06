"""Bad input from TallyPrime: property-based runs over the agent's answer parser (issue 8).

Whatever bytes come back on port 9000 -- random bytes, a real answer mutated, cut off at
any offset, invalid UTF-16, control characters, absurd numbers -- reading them ends in typed
records or in the agent's own refusal (:class:`TallyProtocolError` and its kin, see
answers.READING_ERRORS) whose message says what is wrong; never another exception. The
XML bombs and external entities are in test_tally_bombs.py.
"""

from __future__ import annotations

import re
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mlc_shared.domain.tally import Ledger, PostedVoucher, StockItem
from tally_agent.errors import TallyProtocolError
from tally_agent.protocol.decode import SYSTEM_MARK

from tests.badinput.answers import (
    SAMPLE_IMPORT,
    assert_explained,
    read_import,
    read_rows,
    sample_answers,
    voucher_row,
)
from tests.unit.tally_agent.fixtures import COMPANY_GUID, envelope

ANSWERS = sample_answers()
TAGS = sorted(ANSWERS)
RECORD_TYPES = {"STOCKITEM": StockItem, "LEDGER": Ledger, "VOUCHER": PostedVoucher}
CHARSETS = [None, "utf-16", "utf-8", "latin-1", "no-such-charset"]
ENCODINGS = ["utf-16-le", "utf-8", "utf-16-be", "utf-32-le", "bom-utf-16-le", "bom-utf-8"]

# Fragments a hostile or broken peer could put anywhere in an answer.
FRAGMENTS = [
    "<",
    ">",
    "&",
    "&#4; ",
    "&#0;",
    "&#x1F;",
    "&#xD800;",
    "&#1114112;",
    "&amp;",
    "&nbsp;",
    "&lol;",
    "]]>",
    "<![CDATA[",
    "<!-- x -->",
    "<?pi x?>",
    "</ENVELOPE>",
    "<ENVELOPE>",
    "</COLLECTION>",
    "<STOCKITEM>",
    "</STOCKITEM>",
    "<LEDGER NAME='x'/>",
    "<VOUCHER/>",
    "<!DOCTYPE x>",
    '<!ENTITY a "b">',
    "\x00",
    "\x03",
    "\x1b",
    "\ufffe",
    "\ud800",
    '"',
    "'",
    " xmlns='urn:x'",
    "(-)",
    "-",
    "9" * 40,
    "1e99999999",
    "NaN",
]

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def encode(text: str, encoding: str) -> bytes:
    if encoding.startswith("bom-"):
        codec = encoding[4:]
        bom = {"utf-16-le": b"\xff\xfe", "utf-8": b"\xef\xbb\xbf"}[codec]
        return bom + text.encode(codec, "surrogatepass")
    # "surrogatepass": a lone surrogate fragment becomes the invalid UTF-16/UTF-8 it stands for
    return text.encode(encoding, "surrogatepass")


def assert_read_or_refused(data: bytes, tag: str, chunk: int, charset: str | None) -> None:
    reading = read_rows(data, tag, chunk=chunk, charset=charset)
    for record in reading.records:
        assert isinstance(record, RECORD_TYPES[tag])
    if reading.error is not None:
        assert_explained(reading.error)


# -- arbitrary and mutated answers ---------------------------------------------------------


@SETTINGS
@given(
    data=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=2000).map(lambda tail: b"<ENVELOPE><BODY><DATA><COLLECTION>" + tail),
        st.binary(max_size=2000).map(lambda tail: "<ENVELOPE>".encode("utf-16-le") + tail),
    ),
    tag=st.sampled_from(TAGS),
    chunk=st.integers(1, 97),
    charset=st.sampled_from(CHARSETS),
)
@example(data=b"", tag="STOCKITEM", chunk=1, charset=None)
@example(data=b"\xff\xfe", tag="LEDGER", chunk=1, charset="utf-16")
@example(data=b"<\x00E\x00\x00\xd8>\x00", tag="LEDGER", chunk=3, charset=None)  # lone surrogate
def test_any_bytes_end_in_records_or_a_reasoned_refusal(
    data: bytes, tag: str, chunk: int, charset: str | None
) -> None:
    assert_read_or_refused(data, tag, chunk, charset)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """(row tag, a sample answer with a few fragments inserted, characters deleted or
    replaced at random places)."""
    tag = draw(st.sampled_from(TAGS))
    text = ANSWERS[tag][0]
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)))
        if action == "insert":
            text = text[:at] + piece + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 12)) :]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    return tag, text


@SETTINGS
@given(
    answer=mutated(),
    encoding=st.sampled_from(ENCODINGS),
    chunk=st.integers(1, 200),
    charset=st.sampled_from(CHARSETS),
)
def test_mutated_answers_end_in_records_or_a_reasoned_refusal(
    answer: tuple[str, str], encoding: str, chunk: int, charset: str | None
) -> None:
    tag, text = answer
    assert_read_or_refused(encode(text, encoding), tag, chunk, charset)


@SETTINGS
@given(answer=mutated(), chunk=st.integers(1, 200))
def test_mutated_import_answers_end_in_counters_or_a_reasoned_refusal(
    answer: tuple[str, str], chunk: int
) -> None:
    _, noise = answer
    text = SAMPLE_IMPORT
    at = len(noise) % (len(text) + 1)
    for candidate in (text[:at] + noise[:40] + text[at:], noise):
        try:
            result = read_import(encode(candidate, "utf-16-le"), chunk=chunk)
        except Exception as exc:
            assert_explained(exc)
        else:
            assert result.created >= -(2**63)  # counters are whole numbers, typed


# -- cut off anywhere ------------------------------------------------------------------------


def test_an_answer_cut_off_at_any_offset_is_refused_and_keeps_only_whole_rows() -> None:
    """A connection that dies mid-answer (tally-xml.md §1.5) leaves a prefix: every prefix
    of every sample, in UTF-16 as Tally sends it, reads as the whole rows it holds followed
    by a refusal naming the broken XML; never a record made up from half a row."""
    for tag, (text, _) in ANSWERS.items():
        data = text.encode("utf-16-le")
        whole = read_rows(data, tag)
        assert whole.error is None, whole.error
        assert len(whole.records) >= 2
        for cut in range(len(data)):
            reading = read_rows(data[:cut], tag, chunk=61)
            assert reading.error is not None, f"{tag} cut at byte {cut} read as complete"
            assert isinstance(reading.error, TallyProtocolError), reading.error
            assert "not well-formed" in reading.error.message
            assert reading.records == whole.records[: len(reading.records)]


def test_an_import_answer_cut_off_at_any_offset_is_refused() -> None:
    data = SAMPLE_IMPORT.encode("utf-16-le")
    assert read_import(data).exceptions == 1
    for cut in range(len(data)):
        try:
            read_import(data[:cut], chunk=7)
        except TallyProtocolError as exc:
            assert_explained(exc)
        else:
            raise AssertionError(f"an import answer cut at byte {cut} was read as complete")


# -- characters ------------------------------------------------------------------------------


@SETTINGS
@example(tag="LEDGER", inserts=[(0.0, "\x00")], as_reference=False, chunk=1)
@example(tag="LEDGER", inserts=[(0.5, "\x03")], as_reference=False, chunk=7)
@given(
    tag=st.sampled_from(TAGS),
    inserts=st.lists(
        st.tuples(
            st.floats(0, 1),
            st.text(st.characters(max_codepoint=31, exclude_characters="\t\n\r"), min_size=1),
        ),
        min_size=1,
        max_size=6,
    ),
    as_reference=st.booleans(),
    chunk=st.integers(1, 200),
)
def test_control_characters_anywhere_change_nothing(
    tag: str, inserts: list[tuple[float, str]], as_reference: bool, chunk: int
) -> None:
    """Raw C0 controls (U+0003 in PARENTSTRUCTURE, §3.2) and references to them (§7.1) are
    dropped wherever they stand -- inside names, between tags, inside a tag name, inside a
    character reference, before the first tag -- so the records are those of the clean
    answer. (A NUL before the first tag once made ``&#4;`` unreadable: the decoder removed
    the controls only after it had rewritten the references.)"""
    text = ANSWERS[tag][0]
    expected = read_rows(text.encode("utf-16-le"), tag).records
    # A reference put inside another ("&#" "&#3;" "4;") makes a new one once it is removed,
    # and one put between "&#4;" and its space splits the system mark: one pass cannot undo
    # either (the answer is refused, or reads "Primary" as a name).
    references = [m.span() for m in re.finditer(r"&#?\w+; ?", text)] if as_reference else []
    noisy = text
    for fraction, controls in sorted(inserts, reverse=True):
        at = int(fraction * len(text))
        if any(start < at < end for start, end in references):
            continue
        piece = (
            "".join(f"&#{ord(c)};" for c in controls if c != "\x04") if as_reference else controls
        )
        noisy = noisy[:at] + piece + noisy[at:]
    # charset as Tally's Content-Type gives it: a NUL as the first character hides the
    # BOM-less UTF-16 from the sniffing (§1.2), and then the header decides.
    reading = read_rows(noisy.encode("utf-16-le"), tag, chunk=chunk, charset="utf-16")
    assert reading.error is None, reading.error
    assert reading.records == expected


def test_a_control_character_inside_a_reference_does_not_break_it() -> None:
    """``&#4;`` split by a raw control: the control goes, the system mark stays (this made
    the whole answer unreadable before the decoder removed controls first)."""
    for tag, (text, _) in ANSWERS.items():
        expected = read_rows(text.encode("utf-16-le"), tag).records
        for control in ("\x00", "\x03", "\x1f"):
            noisy = text.replace("&#4;", f"&{control}#4{control};").replace(
                "&amp;", f"&a{control}mp;"
            )
            for chunk in (1, 5, 4096):
                reading = read_rows(noisy.encode("utf-16-le"), tag, chunk=chunk)
                assert reading.error is None, (tag, repr(control), chunk, reading.error)
                assert reading.records == expected


def test_invalid_utf16_becomes_a_replacement_character_not_a_failure() -> None:
    """An unpaired surrogate or a dangling odd byte in UTF-16 is read as U+FFFD: one bad
    character must not lose a 100,000-item export."""
    text = ANSWERS["LEDGER"][0].replace("Ram &amp; Sons", "Ram \ud800 Sons")
    data = text.encode("utf-16-le", "surrogatepass")
    for chunk in (1, 2, 3, 4096):
        reading = read_rows(data, "LEDGER", chunk=chunk)
        assert reading.error is None, reading.error
        names = [getattr(r, "name", "") for r in reading.records]
        assert names[0] == "Ram \ufffd Sons"
    odd = read_rows(ANSWERS["LEDGER"][0].encode("utf-16-le") + b"\x00", "LEDGER")
    assert odd.error is not None  # a stray byte after the root is junk after the document
    assert_explained(odd.error)


# -- field values: wrong types, huge numbers, negative quantities ------------------------------

VALUES = [
    "",
    " ",
    "0",
    "-0",
    " 301",
    "1,234",
    "(-)5 Nos",
    "-5 Nos",
    "(-)5,000.00",
    "5,000.00Dr",
    " 1,23,456.00 Cr",
    "-$100.00 @ ₹ 83.00/$ = -₹ 8300.00",
    "100.00/Nos",
    "2 Box 5 Nos",
    "4 Box of 0 Nos",
    "12.5",
    "٣",
    "abc",
    "Yes",
    "Maybe",
    "20250415",
    "20251301",
    "1-Apr-2025",
    "1e99999999",
    "-1e99999999",
    "9" * 5000,
    "9" * 20,
    "9" * 16 + ".5 Nos",
    "9223372036854775807",
    "9223372036854775808",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    f"{SYSTEM_MARK}Not Applicable",
    f"{SYSTEM_MARK}Primary",
    "\ufffd",
    "\u202e",
]
FIELDS = {
    "STOCKITEM": (
        "GUID",
        "MASTERID",
        "ALTERID",
        "PARENT",
        "BASEUNITS",
        "CLOSINGBALANCE",
        "CLOSINGRATE",
        "CLOSINGVALUE",
        "PARTNO",
    ),
    "LEDGER": ("GUID", "MASTERID", "ALTERID", "PARENT", "CLOSINGBALANCE", "OPENINGBALANCE"),
    "VOUCHER": (
        "GUID",
        "MASTERID",
        "ALTERID",
        "DATE",
        "VOUCHERTYPENAME",
        "VOUCHERNUMBER",
        "ISCANCELLED",
        "ISOPTIONAL",
        "AMOUNT",
    ),
}
KINDS = {"STOCKITEM": "stock item", "LEDGER": "ledger", "VOUCHER": "voucher"}
value_text = st.one_of(st.sampled_from(VALUES), st.text(max_size=12))


def xml_text(value: str) -> str:
    """``value`` as element text in an answer: escaped, the system mark as Tally's ``&#4;``."""
    return escape(value).replace(SYSTEM_MARK, "&#4; ")


@st.composite
def row_with_values(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    tag = draw(st.sampled_from(TAGS))
    fields = {name: draw(value_text) for name in draw(st.sets(st.sampled_from(FIELDS[tag])))}
    base = {
        "STOCKITEM": {"BASEUNITS": draw(st.sampled_from(["Nos", "Box of 10 Nos", "Box of 0 Nos"]))},
        "LEDGER": {},
        "VOUCHER": {"DATE": "20250415", "VOUCHERTYPENAME": "Sales"},
    }[tag]
    values = {
        "GUID": f"{COMPANY_GUID}-0000012c",
        "MASTERID": " 300",
        "ALTERID": " 301",
        **base,
        **fields,
    }
    return tag, values


def row_xml(tag: str, values: dict[str, str]) -> str:
    children = "".join(f"<{name}>{xml_text(value)}</{name}>" for name, value in values.items())
    return f"<{tag} NAME={quoteattr('Row & Co')}>{children}</{tag}>"


@SETTINGS
@given(row=row_with_values(), encoding=st.sampled_from(["utf-16-le", "utf-8"]))
@example(
    row=("STOCKITEM", {"BASEUNITS": "Box of 0 Nos", "CLOSINGBALANCE": "2 Box 5 Nos"}),
    encoding="utf-8",
)
@example(row=("LEDGER", {"MASTERID": "sNaN"}), encoding="utf-8")
@example(row=("VOUCHER", {"ALTERID": "Infinity", "DATE": "20250415"}), encoding="utf-8")
def test_every_field_value_is_read_or_refused_naming_row_and_field(
    row: tuple[str, dict[str, str]], encoding: str
) -> None:
    tag, values = row
    text = envelope(row_xml(tag, values), cmpinfo="")
    reading = read_rows(text.encode(encoding), tag)
    if reading.error is None:
        [record] = reading.records
        assert isinstance(record, RECORD_TYPES[tag])
        return
    error = reading.error
    assert_explained(error)
    assert isinstance(error, TallyProtocolError)
    assert KINDS[tag] in error.message, error.message
    assert any(name in error.message for name in (*values, "NAME", "DATE", "GUID")), error.message


def test_negative_quantities_are_kept_and_huge_numbers_refused_by_name() -> None:
    """Negative stock is real in Tally (sold before the purchase was entered): it is read
    as it is. A number no ledger or item can hold is refused naming row and field, at once,
    not built digit by digit (``1e99999999`` once hung the agent building the integer)."""
    negative = read_rows(ANSWERS["STOCKITEM"][0].encode("utf-16-le"), "STOCKITEM").records[1]
    assert isinstance(negative, StockItem)
    assert negative.closing_qty == Decimal(-3)
    assert negative.closing_value == Decimal("-450.00")
    cases = {
        "MASTERID": ("1e99999999", "number out of range"),
        "ALTERID": ("9" * 5000, "number out of range"),
        "CLOSINGBALANCE": ("9" * 100_000 + " Nos", "more than 15 digits before the point"),
        "CLOSINGVALUE": ("-" + "9" * 16, "more than 15 digits before the point"),
    }
    for field, (value, words) in cases.items():
        values = {"GUID": f"{COMPANY_GUID}-0000012c", "MASTERID": "1", "ALTERID": "2"}
        values[field] = value
        reading = read_rows(envelope(row_xml("STOCKITEM", values)).encode("utf-8"), "STOCKITEM")
        assert isinstance(reading.error, TallyProtocolError), (field, reading)
        assert f"stock item 'Row & Co', field {field}: {words}" in reading.error.message
        assert len(reading.error.message) < 300  # the value is quoted, not copied whole


def test_a_voucher_with_a_huge_counter_in_an_import_answer_is_refused() -> None:
    answer = SAMPLE_IMPORT.replace("<CREATED>2</CREATED>", "<CREATED>1e99999999</CREATED>")
    with pytest.raises(TallyProtocolError, match="import counter CREATED: number out of range"):
        read_import(answer.encode("utf-16-le"))
    assert read_rows(envelope(voucher_row()).encode(), "VOUCHER").error is None
