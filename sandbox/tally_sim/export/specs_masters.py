"""Export specs of account and inventory masters other than stock items (tally-xml.md §3.2,
§3.4). Top-level parents print as `&#4; Primary`; names and aliases travel in
`LANGUAGENAME.LIST > NAME.LIST` (§3.2, §4.8); ledgers always carry
`OBJECTUPDATEACTION = &#4; Resave`, the metadata field that makes ordinary ledger reads
invalid XML (§3.2, BRIDGE §1.1)."""

from __future__ import annotations

from typing import Any

from tally_sim.export.context import ExportContext
from tally_sim.export.spec import ListField, ObjectSpec, Scalar
from tally_sim.model.books import ledger_closing
from tally_sim.model.masters import Group, Ledger, Master
from tally_sim.model.values import PRIMARY, RESAVE, name_key


def master_attrs(obj: Any, _ctx: Any, _interchange: bool) -> list[tuple[str, str]]:
    return [("NAME", obj.name), ("RESERVEDNAME", obj.reserved_name)]


def master_extras(obj: Any) -> dict[str, str]:
    extra: dict[str, str] = obj.extra
    return extra


LANGUAGE_NAMES = ObjectSpec(
    "LANGUAGENAME",
    [
        ListField(
            "NAME",
            lambda m, _c: [m.name, *m.aliases],
            item_tag="NAME",
            kind="String",
            default=True,
        )
    ],
)


def identity_fields() -> list[Scalar | ListField]:
    return [
        Scalar("NAME", "String", lambda m, _c: m.name, render=False),
        Scalar(
            "ONLYALIAS", "String", lambda m, _c: m.aliases[0] if m.aliases else "", render=False
        ),
        Scalar("GUID", "String", lambda m, _c: m.guid),
        Scalar("MASTERID", "Number", lambda m, _c: m.master_id),
        Scalar("ALTERID", "Number", lambda m, _c: m.alter_id),
    ]


def language_list() -> ListField:
    return ListField("LANGUAGENAME", lambda m, _c: [m], spec=LANGUAGE_NAMES, default=True)


def parent_text(parent: str | None) -> str:
    return parent if parent else PRIMARY


def primary_group(ctx: ExportContext, group_name: str | None) -> Group | None:
    if ctx.company is None:
        return None
    seen: set[str] = set()
    group = ctx.company.groups.get(group_name)
    while group is not None and group.parent is not None and name_key(group.name) not in seen:
        seen.add(name_key(group.name))
        group = ctx.company.groups.get(group.parent)
    return group


def _nature(ctx: ExportContext, group_name: str | None) -> str:
    root = primary_group(ctx, group_name)
    return root.nature if root else "Liabilities"


def _group_fields() -> list[Scalar | ListField]:
    def nature(g: Group, c: ExportContext) -> str:
        return _nature(c, g.name)

    return [
        *identity_fields()[:2],
        Scalar("PARENT", "String", lambda g, _c: parent_text(g.parent)),
        Scalar(
            "_PRIMARYGROUP",
            "String",
            lambda g, c: (primary_group(c, g.name) or g).name,
            render=False,
        ),
        Scalar("NATUREOFGROUP", "String", nature, render=False),
        *identity_fields()[2:],
        Scalar("ISREVENUE", "Logical", lambda g, c: nature(g, c) in ("Income", "Expenses")),
        Scalar("ISDEEMEDPOSITIVE", "Logical", lambda g, c: nature(g, c) in ("Assets", "Expenses")),
        Scalar("ISRESERVED", "Logical", lambda g, _c: bool(g.reserved_name)),
        Scalar(
            "AFFECTSGROSSPROFIT",
            "Logical",
            lambda g, c: bool((primary_group(c, g.name) or g).affects_gross_profit),
        ),
        Scalar("SORTPOSITION", "Number", lambda g, _c: g.sort_position),
        language_list(),
    ]


GROUP = ObjectSpec("GROUP", _group_fields(), master_attrs, master_extras)


def _closing(ledger: Ledger, ctx: ExportContext) -> object:
    return None if ctx.settings.blank_closing_balances else ledger_closing(ledger)


def _ledger_fields() -> list[Scalar | ListField]:
    def group(ledger: Ledger, _c: ExportContext) -> str:
        return ledger.parent

    return [
        *identity_fields()[:2],
        Scalar("PARENT", "String", lambda led, _c: parent_text(led.parent or None)),
        Scalar(
            "_PRIMARYGROUP",
            "String",
            lambda led, c: (primary_group(c, led.parent) or Master("")).name,
            render=False,
        ),
        Scalar("CURRENCYNAME", "String", lambda _l, _c: "₹"),
        *identity_fields()[2:],
        Scalar("OBJECTUPDATEACTION", "String", lambda _l, _c: RESAVE, default=True),
        Scalar("MAILINGNAME", "String", lambda led, _c: led.mailing_name),
        ListField("ADDRESS", lambda led, _c: led.address, item_tag="ADDRESS"),
        Scalar("LEDSTATENAME", "String", lambda led, _c: led.state_name),
        Scalar("COUNTRYNAME", "String", lambda led, _c: led.country_name),
        Scalar("PINCODE", "String", lambda led, _c: led.pincode),
        Scalar("EMAIL", "String", lambda led, _c: led.email),
        Scalar("LEDGERMOBILE", "String", lambda led, _c: led.mobile),
        Scalar("PARTYGSTIN", "String", lambda led, _c: led.gstin),
        Scalar("GSTREGISTRATIONTYPE", "String", lambda led, _c: led.gst_registration_type),
        Scalar("TAXTYPE", "String", lambda led, _c: led.tax_type),
        Scalar("GSTDUTYHEAD", "String", lambda led, _c: led.gst_duty_head),
        Scalar("RATEOFTAXCALCULATION", "Number", lambda led, _c: led.tax_rate),
        Scalar("ISBILLWISEON", "Logical", lambda led, _c: led.is_bill_wise_on),
        Scalar("ISCOSTCENTRESON", "Logical", lambda led, _c: led.is_cost_centres_on),
        Scalar(
            "ISREVENUE",
            "Logical",
            lambda led, c: _nature(c, group(led, c)) in ("Income", "Expenses"),
        ),
        Scalar(
            "ISDEEMEDPOSITIVE",
            "Logical",
            lambda led, c: _nature(c, group(led, c)) in ("Assets", "Expenses"),
        ),
        Scalar("OPENINGBALANCE", "Amount", lambda led, _c: led.opening_balance),
        Scalar("CLOSINGBALANCE", "Amount", _closing),
        language_list(),
    ]


LEDGER = ObjectSpec("LEDGER", _ledger_fields(), master_attrs, master_extras)


def simple_spec(element: str, fields: list[Scalar | ListField]) -> ObjectSpec:
    ident = identity_fields()
    return ObjectSpec(
        element, [*ident[:2], *fields, *ident[2:], language_list()], master_attrs, master_extras
    )


COST_CATEGORY = simple_spec(
    "COSTCATEGORY",
    [
        Scalar("ALLOCATEREVENUE", "Logical", lambda c, _x: c.allocate_revenue),
        Scalar("ALLOCATENONREVENUE", "Logical", lambda c, _x: c.allocate_non_revenue),
    ],
)

COST_CENTRE = simple_spec(
    "COSTCENTRE",
    [
        Scalar("PARENT", "String", lambda c, _x: parent_text(c.parent)),
        Scalar("CATEGORY", "String", lambda c, _x: c.category),
    ],
)

GODOWN = simple_spec(
    "GODOWN",
    [
        Scalar("PARENT", "String", lambda g, _x: parent_text(g.parent)),
        ListField("ADDRESS", lambda g, _x: g.address, item_tag="ADDRESS"),
    ],
)

UNIT = simple_spec(
    "UNIT",
    [
        Scalar("ORIGINALNAME", "String", lambda u, _x: u.formal_name),
        Scalar("BASEUNITS", "String", lambda u, _x: u.base_units),
        Scalar("ADDITIONALUNITS", "String", lambda u, _x: u.additional_units),
        Scalar("ISSIMPLEUNIT", "Logical", lambda u, _x: u.is_simple),
        Scalar("DECIMALPLACES", "Number", lambda u, _x: u.decimal_places),
        Scalar("CONVERSION", "Number", lambda u, _x: int(u.conversion) if u.conversion else None),
    ],
)

STOCK_GROUP = simple_spec(
    "STOCKGROUP",
    [
        Scalar("PARENT", "String", lambda g, _x: parent_text(g.parent)),
        Scalar("ISADDABLE", "Logical", lambda _g, _x: True),
    ],
)

VOUCHER_TYPE = simple_spec(
    "VOUCHERTYPE",
    [
        Scalar("PARENT", "String", lambda v, _x: v.parent),
        Scalar("NUMBERINGMETHOD", "String", lambda v, _x: v.numbering_method),
        Scalar("PREVENTDUPLICATES", "Logical", lambda v, _x: v.prevent_duplicates),
        Scalar("ISACTIVE", "Logical", lambda v, _x: v.is_active),
    ],
)

CURRENCY = simple_spec(
    "CURRENCY",
    [
        Scalar("MAILINGNAME", "String", lambda c, _x: c.formal_name),
        Scalar("ORIGINALNAME", "String", lambda c, _x: c.original_name),
        Scalar("DECIMALPLACES", "Number", lambda c, _x: c.decimal_places),
    ],
)
