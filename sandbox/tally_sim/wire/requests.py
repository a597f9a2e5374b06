"""Classifying a request envelope (tally-xml.md §2): legacy `Export Data` / `Import Data`,
version-1 `Export` / `Import` with TYPE Data, Collection, Object or Function.

Header values are matched case-insensitively (`EXPORT`/`COLLECTION` are seen in the wild).
VERSION is not required (legacy envelopes have none and many clients omit it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tally_sim.wire.tdl import TdlMessage, parse_tdl, split_list
from tally_sim.wire.xmlin import Node


@dataclass
class StaticVars:
    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        value = self.values.get(name.upper())
        return value if value is None else value.strip()

    @property
    def company(self) -> str | None:
        return self.get("SVCURRENTCOMPANY")

    @classmethod
    def from_node(cls, node: Node | None) -> StaticVars:
        if node is None:
            return cls()
        return cls({c.tag: c.text for c in node.children})


@dataclass
class ExportRequest:
    kind: str  # data | collection | object | function
    id: str
    static: StaticVars
    tdl: TdlMessage
    legacy: bool = False
    subtype: str | None = None
    fetch: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)  # REQUESTDESC children (ACCOUNTTYPE, ...)


@dataclass
class ImportRequest:
    id: str
    static: StaticVars
    objects: list[Node]
    legacy: bool = False


@dataclass
class RefusedRequest:
    """Understood as XML but not as a request Tally executes: `STATUS 0` (shape I)."""

    reason: str


@dataclass
class UnknownRequest:
    """`Unknown Request, cannot be processed` (shape E)."""

    reason: str


TallyRequest = ExportRequest | ImportRequest | RefusedRequest | UnknownRequest


def classify(root: Node) -> TallyRequest:
    if root.tag != "ENVELOPE":
        return UnknownRequest("root element is not ENVELOPE")
    header = root.child("HEADER")
    body = root.child("BODY") or Node("BODY")
    if header is None:
        return UnknownRequest("no HEADER")
    verb = " ".join((header.text_of("TALLYREQUEST") or "").split()).casefold()
    if verb == "export data":
        return _legacy_export(body)
    if verb == "import data":
        return _legacy_import(body)
    if verb == "export":
        return _v1_export(header, body)
    if verb == "import":
        return _v1_import(header, body)
    if not verb:
        return UnknownRequest("no TALLYREQUEST")
    # §1.7: `TALLYREQUEST=Load Company` answers STATUS 0; §2.5: Execute is documented only
    # as TDLAction/Sync, which a simulator has nothing to do for.
    return RefusedRequest(f"TALLYREQUEST {verb!r} is not executed over XML")


def _legacy_export(body: Node) -> TallyRequest:
    desc = body.path("EXPORTDATA", "REQUESTDESC")
    if desc is None:
        return UnknownRequest("Export Data without REQUESTDESC")
    report = (desc.text_of("REPORTNAME") or "").strip()
    static = StaticVars.from_node(desc.child("STATICVARIABLES"))
    extras = {c.tag: c.text for c in desc.children if not c.children}
    return ExportRequest(
        kind="data",
        id=report,
        static=static,
        tdl=parse_tdl(desc.child("TDL")),
        legacy=True,
        extras=extras,
    )


def _legacy_import(body: Node) -> TallyRequest:
    importdata = body.child("IMPORTDATA")
    if importdata is None:
        return UnknownRequest("Import Data without IMPORTDATA")
    desc = importdata.child("REQUESTDESC") or Node("REQUESTDESC")
    data = importdata.child("REQUESTDATA") or Node("REQUESTDATA")
    return ImportRequest(
        id=(desc.text_of("REPORTNAME") or "").strip(),
        static=StaticVars.from_node(desc.child("STATICVARIABLES")),
        objects=_messages(data),
        legacy=True,
    )


def _v1_export(header: Node, body: Node) -> TallyRequest:
    kind = (header.text_of("TYPE") or "").strip().casefold()
    id_node = header.child("ID")
    if kind not in ("data", "collection", "object", "function") or id_node is None:
        return UnknownRequest("Export needs TYPE Data|Collection|Object|Function and an ID")
    desc = body.child("DESC") or Node("DESC")
    fetch: list[str] = []
    fetch_list = desc.child("FETCHLIST")
    if fetch_list is not None:
        for node in fetch_list.all("FETCH"):
            fetch.extend(split_list(node.text))
    params = [p.text for p in (desc.child("FUNCPARAMLIST") or Node("X")).all("PARAM")]
    extras = {c.tag: c.text for c in desc.children if not c.children}
    static = StaticVars.from_node(desc.child("STATICVARIABLES"))
    return ExportRequest(
        kind=kind,
        id=id_node.text.strip(),
        static=static,
        tdl=parse_tdl(desc.child("TDL")),
        subtype=(header.text_of("SUBTYPE") or "").strip() or None,
        fetch=fetch,
        params=params,
        extras=extras,
    )


def _v1_import(header: Node, body: Node) -> TallyRequest:
    desc = body.child("DESC") or Node("DESC")
    # §2.4 (CS#61566011174): TALLYMESSAGE must sit under DATA; under DESC it is not imported.
    data = body.child("DATA") or Node("DATA")
    return ImportRequest(
        id=(header.text_of("ID") or "").strip(),
        static=StaticVars.from_node(desc.child("STATICVARIABLES")),
        objects=_messages(data),
    )


def _messages(container: Node) -> list[Node]:
    objects: list[Node] = []
    for message in container.all("TALLYMESSAGE"):
        objects.extend(message.children)
    return objects
