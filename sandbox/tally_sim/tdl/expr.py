"""A parser for the slice of TDL expressions integrators send in filters, COMPUTEs and report
fields (tally-xml.md §2.2, §3.5, §3.6): `$AlterID > 1200`,
`$Date >= ##SVFromDate AND $Date <= ##SVToDate`, `$Date >= $$Date:"20250401"`,
`$VoucherTypeName = "Sales"`, `NOT $IsCancelled`, `$$IsEqual:##SVCurrentCompany:$Name`,
`$Name:Company:##SVCurrentCompany`, `$$StringFindAndReplace:$Name:'"':'""'`, arithmetic.

Function arguments follow `:` and are single terms; arities come from a table, unknown
functions take arguments greedily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# Known functions: name -> (minimum, maximum) arguments.
ARITY: dict[str, tuple[int, int]] = {
    "DATE": (1, 1),
    "NUMBER": (1, 1),
    "STRING": (1, 2),
    "ISEQUAL": (2, 2),
    "STRINGFINDANDREPLACE": (3, 3),
    "PYRLYYYYMMDDFORMAT": (1, 2),
    "YEAROFDATE": (1, 1),
    "MONTHOFDATE": (1, 1),
    "DAYOFDATE": (1, 1),
    "SYSTEMPERIODFROM": (0, 0),
    "SYSTEMPERIODTO": (0, 0),
    "CURRENTDATE": (0, 0),
    "CURRENTCOMPANY": (0, 0),
    "CURRENTSIMPLECOMPANY": (0, 0),
    "SYSNAME": (1, 1),
    "ISEMPTY": (1, 1),
    "NOT": (1, 1),
    "ABS": (1, 1),
    "UPPER": (1, 1),
    "LOWER": (1, 1),
}

OBJECT_TYPES = {
    "COMPANY",
    "GROUP",
    "LEDGER",
    "COSTCENTRE",
    "COSTCATEGORY",
    "GODOWN",
    "UNIT",
    "STOCKGROUP",
    "STOCKITEM",
    "VOUCHERTYPE",
    "CURRENCY",
}


class ExprError(ValueError):
    pass


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class Method:
    name: str
    object_type: str | None = None
    object_name: Expr | None = None


@dataclass(frozen=True)
class Variable:
    name: str


@dataclass(frozen=True)
class FormulaRef:
    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Expr


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr


Expr = Literal | Method | Variable | FormulaRef | Call | Unary | Binary

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"]|"")*"|'[^']*')
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<func>\$\$[A-Za-z_][\w.]*)
    | (?P<method>\$[A-Za-z_][\w.]*)
    | (?P<var>\#\#[A-Za-z_]\w*)
    | (?P<formula>@@[A-Za-z_]\w*)
    | (?P<op>>=|<=|<>|!=|=|<|>|\+|-|\*|/|\(|\)|:|,)
    | (?P<word>[A-Za-z_][\w.]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExprError(f"cannot read expression at {text[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return tokens


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0

    def peek(self, offset: int = 0) -> Token | None:
        position = self.index + offset
        return self.tokens[position] if position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise ExprError("unexpected end of expression")
        self.index += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "word" and token.text.upper() in words

    def at_op(self, *ops: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "op" and token.text in ops

    def parse(self) -> Expr:
        expr = self.parse_or()
        if self.peek() is not None:
            raise ExprError(f"unexpected {self.peek()!r}")
        return expr

    def parse_or(self) -> Expr:
        left = self.parse_and()
        while self.at_word("OR"):
            self.take()
            left = Binary("OR", left, self.parse_and())
        return left

    def parse_and(self) -> Expr:
        left = self.parse_not()
        while self.at_word("AND"):
            self.take()
            left = Binary("AND", left, self.parse_not())
        return left

    def parse_not(self) -> Expr:
        if self.at_word("NOT"):
            self.take()
            return Unary("NOT", self.parse_not())
        return self.parse_compare()

    def parse_compare(self) -> Expr:
        left = self.parse_add()
        if self.at_op(">=", "<=", "<>", "!=", "=", "<", ">"):
            op = self.take().text
            left = Binary("!=" if op == "<>" else op, left, self.parse_add())
        return left

    def parse_add(self) -> Expr:
        left = self.parse_mul()
        while self.at_op("+", "-"):
            op = self.take().text
            left = Binary(op, left, self.parse_mul())
        return left

    def parse_mul(self) -> Expr:
        left = self.parse_unary()
        while self.at_op("*", "/"):
            op = self.take().text
            left = Binary(op, left, self.parse_unary())
        return left

    def parse_unary(self) -> Expr:
        if self.at_op("-"):
            self.take()
            return Unary("-", self.parse_unary())
        return self.parse_term()

    def parse_term(self) -> Expr:
        token = self.take()
        if token.kind == "string":
            body = token.text[1:-1]
            return Literal(body.replace('""', '"') if token.text[0] == '"' else body)
        if token.kind == "number":
            return Literal(Decimal(token.text))
        if token.kind == "var":
            return Variable(token.text[2:].upper())
        if token.kind == "formula":
            return FormulaRef(token.text[2:])
        if token.kind == "func":
            return self.parse_call(token.text[2:].upper())
        if token.kind == "method":
            return self.parse_method(token.text[1:].upper())
        if token.kind == "op" and token.text == "(":
            inner = self.parse_or()
            if not self.at_op(")"):
                raise ExprError("missing )")
            self.take()
            return inner
        if token.kind == "word":
            upper = token.text.upper()
            if upper == "YES":
                return Literal(True)
            if upper == "NO":
                return Literal(False)
            return Literal(token.text)  # bare words: `$$SysName:XML`
        raise ExprError(f"unexpected {token.text!r}")

    def parse_call(self, name: str) -> Expr:
        _, maximum = ARITY.get(name, (0, 4))
        args: list[Expr] = []
        while len(args) < maximum and self.at_op(":"):
            self.take()
            args.append(self.parse_term())
        return Call(name, tuple(args))

    def parse_method(self, name: str) -> Expr:
        after = self.peek(1)
        if (
            self.at_op(":")
            and after is not None
            and after.kind == "word"
            and after.text.upper() in OBJECT_TYPES
            and self.peek(2) is not None
            and self.peek(2) == Token("op", ":")
        ):
            self.take()
            object_type = self.take().text.upper()
            self.take()
            return Method(name, object_type, self.parse_term())
        return Method(name)


def parse_expression(text: str) -> Expr:
    return _Parser(tokenize(text)).parse()
