"""Request and response character sets (tally-xml.md §1.2, §10 item 2).

* The request's `Content-Type` charset decides the response's: `charset=utf-16` gets a
  UTF-16LE answer **without a BOM** declared `text/xml; charset=utf-16`.
* Anything else gets UTF-8 bytes in which every non-ASCII character is a literal `?`
  (one per UTF-16 code unit: decoded lengths and offsets match the UTF-16 answer, §1.2).
* A UTF-16 body sent without the utf-16 charset is `Unknown Request, cannot be processed`.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

_QUESTION_HANDLER = "tally_sim_question"


def _question_marks(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in bad)
    return "?" * units, error.end


codecs.register_error(_QUESTION_HANDLER, _question_marks)


def declared_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def is_utf16_charset(charset: str | None) -> bool:
    return charset is not None and charset.replace("-", "").replace("_", "") in (
        "utf16",
        "utf16le",
        "unicode",
        "ucs2",
    )


def looks_like_utf16(body: bytes) -> bool:
    return body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:200]


@dataclass(frozen=True)
class DecodedBody:
    text: str | None  # None: the bytes cannot be read as this request declares them
    utf16: bool


def decode_request(body: bytes, content_type: str | None) -> DecodedBody:
    if is_utf16_charset(declared_charset(content_type)):
        if body.startswith(b"\xfe\xff"):
            return DecodedBody(body[2:].decode("utf-16-be", errors="replace"), True)
        if body.startswith(b"\xff\xfe"):
            body = body[2:]
        return DecodedBody(body.decode("utf-16-le", errors="replace"), True)
    if looks_like_utf16(body):
        return DecodedBody(None, False)
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
    try:
        return DecodedBody(body.decode("utf-8"), False)
    except UnicodeDecodeError:
        return DecodedBody(body.decode("latin-1"), False)


def encode_response(text: str, utf16: bool) -> bytes:
    if utf16:
        return text.encode("utf-16-le")
    return text.encode("ascii", errors=_QUESTION_HANDLER)


def response_content_type(utf16: bool, media_type: str = "text/xml") -> str:
    return f"{media_type}; charset={'utf-16' if utf16 else 'utf-8'}"
