"""Requests to TallyPrime, rendered from typed arguments (tally-xml.md §2).

Envelopes are built as lxml trees and serialised by lxml, so every value is escaped by
construction: a ``&``, ``<`` or ``"`` in a company, ledger or item name (``Duties & Taxes``
is a default group, §7.6) can never change the envelope's structure. Values that sit inside
a TDL formula are quoted with :func:`tdl_string` (``"`` doubled, §7.6) before that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from lxml import etree

from tally_agent.protocol.decode import SYSTEM_MARK


@dataclass(frozen=True)
class RequestContext:
    """What every request carries: the target company and, when configured, credentials."""

    company: str | None = None
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)


def tdl_string(value: str) -> str:
    """A TDL string literal (``"`` doubled inside, §7.6)."""
    return '"' + value.replace('"', '""') + '"'


def tdl_date(value: date) -> str:
    """A date literal for formulas: ``$$Date:"20250401"`` (§3.5)."""
    return f'$$Date:"{value:%Y%m%d}"'


def serialise(root: etree._Element) -> str:
    """XML text; :data:`SYSTEM_MARK` (lxml cannot hold U+0004) is written as Tally's
    ``&#4; `` system-value prefix (§4.8: system values on write)."""
    text = etree.tostring(root, encoding="unicode")
    return text.replace(SYSTEM_MARK, "&#4; ") if SYSTEM_MARK in text else text


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _static_variables(
    parent: etree._Element, ctx: RequestContext, extra: Iterable[tuple[str, str]] = ()
) -> None:
    static = _sub(parent, "STATICVARIABLES")
    if ctx.company:
        _sub(static, "SVCURRENTCOMPANY", ctx.company)  # §1.7, §2.6
    if ctx.username:
        # UNCERTAIN effect (§2.6, §6); sent only when configured.
        _sub(static, "SVUSERNAME", ctx.username)
        _sub(static, "SVPASSWORD", ctx.password or "")
    for name, value in extra:
        _sub(static, name, value)


def _header(root: etree._Element, request: str, kind: str, request_id: str) -> None:
    header = _sub(root, "HEADER")
    _sub(header, "VERSION", "1")
    _sub(header, "TALLYREQUEST", request)
    _sub(header, "TYPE", kind)
    _sub(header, "ID", request_id)


@dataclass(frozen=True)
class Collection:
    """An inline TDL collection (§2.2): ``TYPE``, ``FETCH``, ``COMPUTE`` (``Name : expr``),
    ``FILTER`` formulas, and optionally ``BY``/``AGGRCOMPUTE`` for per-date counts (§3.5)."""

    name: str
    object_type: str
    fetch: Sequence[str] = ()
    filters: Sequence[str] = ()
    compute: Sequence[str] = ()
    by: Sequence[str] = ()
    aggr_compute: Sequence[str] = ()
    static: Sequence[tuple[str, str]] = ()


def export_collection(ctx: RequestContext, collection: Collection) -> str:
    """``TALLYREQUEST=Export``, ``TYPE=Collection``, ``ID`` = the inline collection's name
    (they must be equal, §2.2 / BRIDGE §3)."""
    root = etree.Element("ENVELOPE")
    _header(root, "Export", "Collection", collection.name)
    desc = _sub(_sub(root, "BODY"), "DESC")
    _static_variables(desc, ctx, [("SVEXPORTFORMAT", "$$SysName:XML"), *collection.static])
    message = _sub(_sub(desc, "TDL"), "TDLMESSAGE")
    element = _sub(message, "COLLECTION", NAME=collection.name, ISMODIFY="No")
    _sub(element, "TYPE", collection.object_type)
    if collection.fetch:
        _sub(element, "FETCH", ", ".join(collection.fetch))
    for compute in collection.compute:
        _sub(element, "COMPUTE", compute)
    for by in collection.by:
        _sub(element, "BY", by)
    for compute in collection.aggr_compute:
        _sub(element, "AGGRCOMPUTE", compute)
    names = [f"mlcFilter{index}" for index in range(len(collection.filters))]
    if names:
        _sub(element, "FILTER", ", ".join(names))
    for name, formula in zip(names, collection.filters, strict=True):
        _sub(message, "SYSTEM", formula, TYPE="Formulae", NAME=name)
    return serialise(root)


def export_function(ctx: RequestContext, function: str) -> str:
    """``TYPE=Function`` (§2.2), e.g. ``$$CurrentSimpleCompany``; answer is shape G."""
    root = etree.Element("ENVELOPE")
    _header(root, "Export", "Function", function)
    desc = _sub(_sub(root, "BODY"), "DESC")
    _static_variables(desc, ctx, [("SVEXPORTFORMAT", "$$SysName:XML")])
    return serialise(root)


ImportStyle = Literal["v1", "legacy"]


def import_data(
    ctx: RequestContext,
    import_id: str,
    objects: Sequence[etree._Element],
    style: ImportStyle = "v1",
) -> str:
    """An import of ``objects`` (VOUCHER, LEDGER, ...) in one ``TALLYMESSAGE``.

    ``v1``: ``Import``/``Data`` with ``TALLYMESSAGE`` under ``DATA`` (§2.4: never under
    ``DESC``). ``legacy``: ``Import Data`` with ``REQUESTDESC``/``REQUESTDATA`` (§2.3).
    """
    root = etree.Element("ENVELOPE")
    if style == "v1":
        _header(root, "Import", "Data", import_id)
        body = _sub(root, "BODY")
        _static_variables(_sub(body, "DESC"), ctx)
        message = _sub(_sub(body, "DATA"), "TALLYMESSAGE")
    else:
        _sub(_sub(root, "HEADER"), "TALLYREQUEST", "Import Data")
        imports = _sub(_sub(root, "BODY"), "IMPORTDATA")
        desc = _sub(imports, "REQUESTDESC")
        _sub(desc, "REPORTNAME", import_id)
        _static_variables(desc, ctx)
        message = _sub(_sub(imports, "REQUESTDATA"), "TALLYMESSAGE")
    for element in objects:
        message.append(element)
    return serialise(root)
