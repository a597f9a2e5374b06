"""Which text an import envelope carries exactly (tally-xml.md §7.1, XML 1.0 §2.2).

lxml escapes ``<``, ``&``, quotes and ``]]>`` by construction, so markup in a name can never
change an envelope's structure. What it cannot write at all are the characters XML 1.0 has
no form for: C0 controls other than tab, LF and CR, U+FFFE, U+FFFF and lone surrogates. It
refuses them with a bare ``ValueError`` or ``UnicodeEncodeError``, so they are refused here
first, with a reason the outcome can carry. U+0084 is the agent's own stand-in for Tally's
``&#4;`` system-value prefix (:data:`.decode.SYSTEM_MARK`, written back as ``&#4;`` by
:func:`.envelopes.serialise`): in a user's text it would turn into that prefix, so it is
refused too.
"""

from __future__ import annotations

import re

from tally_agent.protocol.decode import SYSTEM_MARK

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def unwritable(text: str) -> str | None:
    """Why ``text`` cannot go into an envelope as it is, or None when it can."""
    if SYSTEM_MARK in text:
        return "U+0084, the character the agent writes as Tally's &#4; system-value prefix"
    found = _NOT_XML.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if code < 0x20:
        return f"a control character XML cannot carry (U+{code:04X})"
    if 0xD800 <= code <= 0xDFFF:
        return f"a lone surrogate (U+{code:04X}), not a character"
    return f"U+{code:04X}, which XML cannot carry"
