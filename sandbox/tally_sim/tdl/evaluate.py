"""Evaluating TDL expressions against one object.

Values are Python values: str, Decimal, date, bool, Quantity, Rate or None (empty).
String comparison is case-insensitive and ignores the `&#4;` system-value prefix; empty
compares as zero against numbers; text compared with a date is read as a date. Unknown
methods and functions evaluate to empty (a simulator choice: real Tally may instead stop
with an error or crash, tally-xml.md §1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from tally_sim.model.values import (
    Quantity,
    Rate,
    parse_any_date,
    parse_decimal,
    strip_system,
    tally_display_date,
)
from tally_sim.tdl.expr import (
    Binary,
    Call,
    Expr,
    ExprError,
    FormulaRef,
    Literal,
    Method,
    Unary,
    Variable,
    parse_expression,
)

Value = object


@lru_cache(maxsize=512)
def compile_expression(text: str) -> Expr:
    return parse_expression(text)


@dataclass
class Scope:
    """What an expression can see besides its object."""

    method: Callable[[object, str], Value]
    find_object: Callable[[str, str], object | None]
    variable: Callable[[str], Value]
    system: Callable[[str], Value]
    formulas: Callable[[str], str | None] = field(default=lambda _name: None)


class Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def evaluate(self, text: str, obj: object) -> Value:
        return self._eval(compile_expression(text), obj, depth=0)

    def truthy(self, text: str, obj: object) -> bool:
        try:
            return is_true(self.evaluate(text, obj))
        except ExprError:
            return False

    def _eval(self, expr: Expr, obj: object, depth: int) -> Value:
        if depth > 32:
            raise ExprError("formula nesting too deep")
        if isinstance(expr, Literal):
            return expr.value
        if isinstance(expr, Method):
            target = obj
            if expr.object_type is not None and expr.object_name is not None:
                name = self._eval(expr.object_name, obj, depth + 1)
                target = self.scope.find_object(expr.object_type, as_text(name))
                if target is None:
                    return None
            return self.scope.method(target, expr.name)
        if isinstance(expr, Variable):
            return self.scope.variable(expr.name)
        if isinstance(expr, FormulaRef):
            body = self.scope.formulas(expr.name)
            return None if body is None else self._eval(compile_expression(body), obj, depth + 1)
        if isinstance(expr, Unary):
            operand = self._eval(expr.operand, obj, depth + 1)
            if expr.op == "NOT":
                return not is_true(operand)
            number = as_number(operand)
            return None if number is None else -number
        if isinstance(expr, Binary):
            return self._binary(expr, obj, depth)
        return self._call(expr, obj, depth)

    def _binary(self, expr: Binary, obj: object, depth: int) -> Value:
        if expr.op == "AND":
            return is_true(self._eval(expr.left, obj, depth + 1)) and is_true(
                self._eval(expr.right, obj, depth + 1)
            )
        if expr.op == "OR":
            return is_true(self._eval(expr.left, obj, depth + 1)) or is_true(
                self._eval(expr.right, obj, depth + 1)
            )
        left = self._eval(expr.left, obj, depth + 1)
        right = self._eval(expr.right, obj, depth + 1)
        if expr.op in ("=", "!=", "<", ">", "<=", ">="):
            return compare(left, right, expr.op)
        textual = isinstance(left, str) or isinstance(right, str)
        if expr.op == "+" and textual and (as_number(left) is None or as_number(right) is None):
            return as_text(left) + as_text(right)
        a, b = as_number(left) or Decimal(0), as_number(right) or Decimal(0)
        if expr.op == "+":
            return a + b
        if expr.op == "-":
            return a - b
        if expr.op == "*":
            return a * b
        try:
            return a / b
        except (InvalidOperation, ZeroDivisionError):
            return Decimal(0)

    def _call(self, expr: Call, obj: object, depth: int) -> Value:
        args = [self._eval(a, obj, depth + 1) for a in expr.args]
        name = expr.name
        if not args and name in (
            "SYSTEMPERIODFROM",
            "SYSTEMPERIODTO",
            "CURRENTDATE",
            "CURRENTCOMPANY",
            "CURRENTSIMPLECOMPANY",
        ):
            return self.scope.system(name)
        return call_function(name, args)


def call_function(name: str, args: list[Value]) -> Value:
    first = args[0] if args else None
    if name == "DATE":
        return as_date(first)
    if name == "NUMBER":
        return as_number(first)
    if name == "STRING":
        return as_text(first, display=True)
    if name == "ISEQUAL" and len(args) == 2:
        return compare(args[0], args[1], "=")
    if name == "STRINGFINDANDREPLACE" and len(args) == 3:
        return as_text(args[0]).replace(as_text(args[1]), as_text(args[2]))
    if name == "PYRLYYYYMMDDFORMAT":
        found = as_date(first)
        separator = as_text(args[1]) if len(args) > 1 else ""
        return "" if found is None else found.strftime(f"%Y{separator}%m{separator}%d")
    if name in ("YEAROFDATE", "MONTHOFDATE", "DAYOFDATE"):
        found = as_date(first)
        if found is None:
            return Decimal(0)
        part = {"YEAROFDATE": found.year, "MONTHOFDATE": found.month, "DAYOFDATE": found.day}
        return Decimal(part[name])
    if name == "SYSNAME":
        return as_text(first)
    if name == "ISEMPTY":
        return first is None or as_text(first) == ""
    if name == "NOT":
        return not is_true(first)
    if name == "ABS":
        number = as_number(first)
        return None if number is None else abs(number)
    if name == "UPPER":
        return as_text(first).upper()
    if name == "LOWER":
        return as_text(first).lower()
    return None


def is_true(value: Value) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, Decimal | int):
        return value != 0
    if isinstance(value, Quantity | Rate):
        return value.value != 0
    if isinstance(value, str):
        return strip_system(value).strip().casefold() not in ("", "no", "false")
    return True


def as_number(value: Value) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(1 if value else 0)
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Quantity | Rate):
        return value.value
    if isinstance(value, str):
        return parse_decimal(value)
    return None


def as_date(value: Value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_any_date(value)
    return None


def _number_text(value: Decimal, display: bool) -> str:
    text = f"{value:f}"
    if display and value < 0:
        return "(-)" + text[1:]  # tally-xml.md §7.4: `(-)` negatives from $$String
    return text


def as_text(value: Value, display: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return tally_display_date(value)
    if isinstance(value, Decimal | int):
        return _number_text(Decimal(value), display)
    if isinstance(value, Quantity):
        number = _number_text(value.value.normalize(), display)
        return f"{number} {value.unit}".strip()
    if isinstance(value, Rate):
        return f"{value.value:.2f}/{value.unit}"
    return str(value)


def compare(left: Value, right: Value, op: str) -> bool:
    if isinstance(left, date) or isinstance(right, date):
        a, b = as_date(left), as_date(right)
        if a is None or b is None:
            return op == "!=" if (a is None) != (b is None) else op in ("=", "<=", ">=")
        return _ordered(a, b, op)
    numeric = (Decimal, int, Quantity, Rate, bool)
    if isinstance(left, numeric) or isinstance(right, numeric):
        x, y = as_number(left), as_number(right)
        if x is not None or y is not None:
            return _ordered(x or Decimal(0), y or Decimal(0), op)
    a_text = strip_system(as_text(left)).strip().casefold()
    b_text = strip_system(as_text(right)).strip().casefold()
    return _ordered(a_text, b_text, op)


def _ordered(a: object, b: object, op: str) -> bool:
    if op == "=":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return bool(a < b)  # type: ignore[operator]
    if op == ">":
        return bool(a > b)  # type: ignore[operator]
    if op == "<=":
        return bool(a <= b)  # type: ignore[operator]
    return bool(a >= b)  # type: ignore[operator]
