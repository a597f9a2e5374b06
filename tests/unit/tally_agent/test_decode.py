"""Bytes -> clean text (tally-xml.md §1.2, §7.1, §7.2): charsets, invalid characters,
refusal of DTDs, whatever the chunk boundaries."""

from __future__ import annotations

import codecs

import pytest
from tally_agent.errors import UnsafeXml
from tally_agent.protocol.decode import (
    SYSTEM_MARK,
    ResponseDecoder,
    charset_of,
    decode_all,
    sniff_encoding,
)

SAMPLE = '<A NAME="राम &amp; ศรี">&#4; Primary<B>x&#13;y</B></A>'


def chunked(data: bytes, size: int, charset: str | None = None) -> str:
    """The decoder's clean UTF-8 output for ``data`` fed ``size`` bytes at a time, as text."""
    decoder = ResponseDecoder(charset)
    out = [decoder.feed(data[i : i + size]) for i in range(0, len(data), size)]
    return (b"".join(out) + decoder.close()).decode("utf-8")


def test_bomless_utf16le_is_recognised_without_a_header() -> None:
    # Tally's UTF-16 answers have no BOM: first bytes 3c 00 45 00 (§1.2, TDK changelog P3).
    data = "<ENVELOPE>ऍ</ENVELOPE>".encode("utf-16-le")
    assert data[:4] == b"<\x00E\x00"
    assert decode_all(data) == "<ENVELOPE>ऍ</ENVELOPE>"


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF8, "utf-8"),
    ],
)
def test_bom_wins(prefix: bytes, codec: str) -> None:
    data = prefix + "<A>ก</A>".encode(codec)
    assert decode_all(data) == "<A>ก</A>"


def test_utf8_answer_and_header_charset() -> None:
    assert sniff_encoding(b"<A>", "utf-8") == ("utf-8", 0)
    assert sniff_encoding(b"<A>x", None) == ("utf-8", 0)
    assert charset_of("text/xml; charset=utf-16") == "utf-16"
    assert charset_of("text/xml") is None
    # A UTF-8 request gets '?' for every non-ASCII character (§1.2): read as it is.
    assert decode_all(b"<A>Ram ? Sons</A>", "utf-8") == "<A>Ram ? Sons</A>"


def test_system_marker_and_invalid_references() -> None:
    text = decode_all(b"<P>&#4; Primary</P><Q>&#4;Any</Q><R>a&#3;b&#x1F;c&#13;</R>")
    assert text == f"<P>{SYSTEM_MARK}Primary</P><Q>{SYSTEM_MARK}Any</Q><R>abc&#13;</R>"


def test_raw_control_characters_are_removed() -> None:
    # Raw U+0003 appears in PARENTSTRUCTURE (§3.2, BRIDGE §1.1(d)).
    assert decode_all(b"<P>a\x03b\x00c\tz</P>") == "<P>abc\tz</P>"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 8, 13])
def test_any_chunk_boundary_gives_the_same_text(size: int) -> None:
    data = SAMPLE.encode("utf-16-le")
    assert chunked(data, size) == decode_all(data)
    assert SYSTEM_MARK + "Primary" in chunked(data, size)


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
        '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>',
        '<!DOCTYPE foo SYSTEM "http://127.0.0.1:1/evil.dtd"><foo/>',
    ],
)
@pytest.mark.parametrize("size", [1, 4, 4096])
def test_dtds_and_entity_declarations_are_refused(declaration: str, size: int) -> None:
    with pytest.raises(UnsafeXml):
        chunked(declaration.encode("utf-16-le"), size)


def test_invalid_bytes_do_not_fail_the_answer() -> None:
    assert decode_all(b"<A>\xff\xfe\xfd</A>"[:3] + b"\xc3</A>", "utf-8").endswith("</A>")
