"""Tally's answer bytes -> clean XML text, chunk by chunk (never the whole answer at once).

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
"""

from __future__ import annotations

import codecs
import re

from tally_agent.errors import UnsafeXml

SYSTEM_MARK = "\x84"
"""What ``&#4; `` becomes: a character XML 1.0 can carry (a C1 control, legal but never in
Tally's data), so the records layer still knows ``Primary`` was Tally's system value and not
a user's name (§3.2). Being Latin-1, it keeps ASCII answers in Python's compact 1-byte
strings, which every later step scans faster."""

_SYSTEM_REF = re.compile(r"&#0*4; ?|&#[xX]0*4; ?")
_INVALID = re.compile(
    r"&#(?:0*(?:[0-8]|1[124-9]|2\d|3[01])|[xX]0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F]));"
    r"|[\x00-\x08\x0b\x0c\x0e-\x1f]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORBIDDEN = ("<!DOCTYPE", "<!ENTITY")
_ROOT_START = re.compile(r"<[^?!]")
_CARRY = 12  # longest character reference we rewrite (&#x0000001f;) fits in the carry


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


_CONTROL_BYTES = bytes(b for b in range(1, 32) if b not in (9, 10, 13))


def _may_hold_control(data: bytes) -> bool:
    """A cheap byte-level pre-check (C speed): no byte 0x01-0x1F except tab/LF/CR means no
    control character other than NUL in UTF-8 or UTF-16LE text (NUL is looked for in the
    text). UTF-16 letters whose bytes look like controls (Thai, Devanagari) only send the
    text to the regex."""
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


def charset_of(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip() or None
    return None


class ResponseDecoder:
    """Feed raw byte chunks, get clean text chunks back (same total text as a one-shot
    decode, whatever the chunk boundaries)."""

    def __init__(self, charset: str | None = None) -> None:
        self._charset = charset
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._carry = ""
        self._control_seen = (True, True)  # (previous chunk, this chunk) may hold a control
        self._in_prolog = True

    def feed(self, data: bytes) -> str:
        if self._decoder is None:
            self._head += data
            if len(self._head) < 4:
                return ""
            data, self._head = self._head, b""
            name, skip = sniff_encoding(data, self._charset)
            self._decoder = codecs.getincrementaldecoder(name)(errors="replace")
            data = data[skip:]
        self._control_seen = (self._control_seen[1], _may_hold_control(data))
        return self._clean(self._decoder.decode(data), final=False)

    def close(self) -> str:
        if self._decoder is None:
            data, self._head = self._head, b""
            name, skip = sniff_encoding(data, self._charset)
            self._decoder = codecs.getincrementaldecoder(name)(errors="replace")
            text = self._decoder.decode(data[skip:], final=True)
        else:
            text = self._decoder.decode(b"", final=True)
        return self._clean(text, final=True)

    def _clean(self, text: str, *, final: bool) -> str:
        text = self._carry + text
        self._carry = ""
        if not final:
            # Hold back a possible half of a character reference or of "<!DOCTYPE".
            tail = max(0, len(text) - _CARRY)
            found = [i for i in (text.rfind("&", tail), text.rfind("<", tail)) if i != -1]
            if found:
                cut = min(found)
                text, self._carry = text[:cut], text[cut:]
        if self._in_prolog:
            self._check_prolog(text)
        if "&#" in text:
            # The usual reference, replaced at C speed; anything else goes through the regex.
            text = text.replace("&#4; ", SYSTEM_MARK).replace("&#4;", SYSTEM_MARK)
            if "&#" in text:
                text = _INVALID.sub("", _SYSTEM_REF.sub(SYSTEM_MARK, text))
        # Bytes of this and the previous chunk (whose tail may sit in the carry) said whether
        # a control character can be there at all; only then is the text searched.
        if (any(self._control_seen) or "\x00" in text) and _CONTROL.search(text) is not None:
            text = _CONTROL.sub("", text)
        return text

    def _check_prolog(self, text: str) -> None:
        root = _ROOT_START.search(text)
        prolog = text if root is None else text[: root.start()]
        for marker in _FORBIDDEN:
            if marker in prolog:
                raise UnsafeXml(
                    f"the answer contains {marker[1:]}: refused (no DTDs, no entity declarations)"
                )
        if root is not None:
            self._in_prolog = False


def decode_all(data: bytes, charset: str | None = None) -> str:
    """One-shot form for small answers (import responses, liveness text)."""
    decoder = ResponseDecoder(charset)
    return decoder.feed(data) + decoder.close()
