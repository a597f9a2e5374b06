"""Tally's answer bytes -> clean UTF-8 XML bytes, chunk by chunk (never the whole answer).

* Charset: a BOM wins; otherwise BOM-less UTF-16LE is recognised from its first bytes
  (Tally's UTF-16 answers carry no BOM, §1.2, §7.2); otherwise the Content-Type charset,
  otherwise UTF-8. Undecodable bytes become U+FFFD instead of failing the whole answer.
* Invalid XML: ``&#4; `` (the system-value marker, ``&#4; Primary``) becomes
  :data:`SYSTEM_MARK`; other character references to C0 controls and raw C0 controls
  (U+0003 in PARENTSTRUCTURE) are removed (§7.1; TallyConnector strips ``"&#4; "``).
* Safety: a DOCTYPE or ENTITY declaration is refused (:class:`UnsafeXml`) before the XML
  parser sees it; Tally never sends one, so its presence means a hostile or broken peer.
  Only the prolog (before the root element) is searched: that is the only place XML allows
  a DOCTYPE, and entity declarations live inside it; later, the parser itself rejects both.
  The search reads the cleaned bytes, exactly what the parser will read, so a control
  character or reference inside ``<!DOCTYPE`` (removed by the cleaning) or a chunk boundary
  cannot hide one (tests/badinput found both).
* Output: UTF-8 bytes, whatever the answer's charset, for the parser in :mod:`.xmlstream`
  (configured for UTF-8). Handing lxml bytes costs it less than a ``str`` (which it has to
  convert again), and in UTF-8 a byte below 0x20 *is* a control character, so the control
  characters are removed by one ``bytes.translate`` at C speed, with no false alarms for
  Devanagari or Thai letters (bench/tally_export.py measures the whole path).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterable, AsyncIterator

from tally_agent.errors import UnsafeXml

SYSTEM_MARK = "\x84"
"""What ``&#4; `` becomes: a character XML 1.0 can carry (a C1 control, legal but never in
Tally's data), so the records layer still knows ``Primary`` was Tally's system value and not
a user's name (§3.2)."""

# A reference to a C0 control (tab, LF and CR are legal and kept): ``&#4;`` with its space
# is the system-value marker, every other one is dropped (§7.1). One pass: the replacement
# function runs only where a reference is, and Tally's answers have few besides ``&#4;``.
_CONTROL_REFERENCE = re.compile(
    rb"&#(?:(?P<dec>0*(?:[0-8]|1[124-9]|2\d|3[01]))|[xX](?P<hex>0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])))"
    rb";(?P<space> ?)"
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_ROOT_START = re.compile(rb"<[^?!]")
_MARKER_TAIL = max(len(marker) for marker in _FORBIDDEN) - 1
_CARRY = 12  # longest character reference we rewrite (&#x0000001f;) fits in the carry


_SYSTEM_MARK_UTF8 = SYSTEM_MARK.encode()


def _reference(match: re.Match[bytes]) -> bytes:
    number = int(match["dec"]) if match["dec"] is not None else int(match["hex"], 16)
    return _SYSTEM_MARK_UTF8 if number == 4 else match["space"]


def sniff_encoding(head: bytes, charset: str | None) -> tuple[str, int]:
    """(codec name, BOM length to skip) for an answer starting with ``head``."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if len(head) >= 2:
        if head[0] != 0 and head[1] == 0:
            return "utf-16-le", 0
        if head[0] == 0 and head[1] != 0:
            return "utf-16-be", 0
    if charset:
        name = charset.strip().strip('"').lower()
        if name in ("utf-16", "utf16", "unicode"):
            return "utf-16-le", 0  # Tally's "utf-16" is little-endian (§1.2)
        try:
            return codecs.lookup(name).name, 0
        except LookupError:
            pass
    return "utf-8", 0


def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip() or None
    return None


class ResponseDecoder:
    """Feed raw byte chunks, get clean UTF-8 chunks back (the same bytes in total as a
    one-shot decode, whatever the chunk boundaries)."""

    def __init__(self, charset: str | None = None) -> None:
        self._charset = charset
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._carry = b""
        self._in_prolog = True
        self._prolog_tail = b""  # the end of the prolog cleaned so far: a marker may span chunks

    def feed(self, data: bytes) -> bytes:
        if self._decoder is None:
            self._head += data
            if len(self._head) < 4:
                return b""
            data, self._head = self._head, b""
            name, skip = sniff_encoding(data, self._charset)
            self._decoder = codecs.getincrementaldecoder(name)(errors="replace")
            data = data[skip:]
        return self._clean(self._decoder.decode(data), final=False)

    def close(self) -> bytes:
        if self._decoder is None:
            data, self._head = self._head, b""
            name, skip = sniff_encoding(data, self._charset)
            self._decoder = codecs.getincrementaldecoder(name)(errors="replace")
            text = self._decoder.decode(data[skip:], final=True)
        else:
            text = self._decoder.decode(b"", final=True)
        return self._clean(text, final=True)

    async def stream(self, raw: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        """The clean chunks of ``raw``, as they arrive (empty ones left out)."""
        async for data in raw:
            clean = self.feed(data)
            if clean:
                yield clean
        tail = self.close()
        if tail:
            yield tail

    def _clean(self, text: str, *, final: bool) -> bytes:
        # Raw controls go first, so that one inside a reference (``&\x00#4;``, or UTF-16
        # misread as UTF-8 after a leading NUL) cannot leave an invalid reference behind.
        # "replace": a lone surrogate (no codec above produces one) must not crash a read.
        clean = self._carry + text.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
        self._carry = b""
        if not final:
            # Hold back a possible half of a character reference (with the space that may
            # follow it).
            cut = clean.rfind(b"&", max(0, len(clean) - _CARRY))
            if cut != -1:
                clean, self._carry = clean[:cut], clean[cut:]
        clean = _CONTROL_REFERENCE.sub(_reference, clean)
        if self._in_prolog:
            self._check_prolog(clean)
        return clean

    def _check_prolog(self, clean: bytes) -> None:
        data = self._prolog_tail + clean
        root = _ROOT_START.search(data)
        prolog = data if root is None else data[: root.start()]
        for marker in _FORBIDDEN:
            if marker in prolog:
                raise UnsafeXml(
                    f"the answer contains {marker[1:].decode()}: refused "
                    "(no DTDs, no entity declarations)"
                )
        if root is not None:
            self._in_prolog = False
            self._prolog_tail = b""
        else:
            self._prolog_tail = data[-_MARKER_TAIL:]


def decode_all(data: bytes, charset: str | None = None) -> str:
    """One-shot form for small answers (import responses, liveness text), as text."""
    decoder = ResponseDecoder(charset)
    return (decoder.feed(data) + decoder.close()).decode("utf-8")
