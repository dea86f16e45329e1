"""A small, safe parser of DHIS2-style indicator expressions: `(#{BEDS_USED} * 100) / #{BEDS}`.

Numbers, `+ - * /`, unary minus, parentheses and `#{CODE}` operands; nothing is `eval`-ed.
`parse_expression` returns a tree that `evaluate` computes over a mapping of codes to
Decimal values; errors are `FormulaError` with the 1-based character position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

CODE_PATTERN = r"[A-Za-z0-9_\-]+"
_CODE = re.compile(CODE_PATTERN)
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
MAX_LENGTH = 2000


class FormulaError(ValueError):
    """An expression that cannot be used; `position` is 1-based (0: the whole expression)."""

    def __init__(self, message: str, *, position: int = 0) -> None:
        self.position = position
        super().__init__(message)


# -- the tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Operand:
    code: str
    position: int


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Node
    right: Node
    position: int


Node = Number | Operand | Negate | Binary


# -- tokens ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "operand", "op", "(", ")", "end"
    text: str
    position: int  # 1-based


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "+-*/":
            tokens.append(_Token("op", char, i + 1))
            i += 1
        elif char in "()":
            tokens.append(_Token(char, char, i + 1))
            i += 1
        elif char == "#":
            if text[i + 1 : i + 2] != "{":
                raise FormulaError(
                    _("Expected “{” after “#” at position %(position)d.") % {"position": i + 2},
                    position=i + 2,
                )
            close = text.find("}", i + 2)
            if close == -1:
                raise FormulaError(
                    _("The operand opened at position %(position)d is not closed with “}”.")
                    % {"position": i + 1},
                    position=i + 1,
                )
            code = text[i + 2 : close].strip()
            if "." in code:
                raise FormulaError(
                    _(
                        "“#{%(code)s}” at position %(position)d: category option combinations "
                        "are not supported; use an indicator code alone."
                    )
                    % {"code": code, "position": i + 1},
                    position=i + 1,
                )
            if not _CODE.fullmatch(code):
                raise FormulaError(
                    _("“#{%(code)s}” at position %(position)d is not a valid indicator code.")
                    % {"code": code, "position": i + 1},
                    position=i + 1,
                )
            tokens.append(_Token("operand", code, i + 1))
            i = close + 1
        elif char.isdigit() or char == ".":
            match = _NUMBER.match(text, i)
            if match is None:
                raise FormulaError(
                    _("Malformed number at position %(position)d.") % {"position": i + 1},
                    position=i + 1,
                )
            tokens.append(_Token("number", match.group(), i + 1))
            i = match.end()
        else:
            if char == "C" and text[i + 1 : i + 2] == "{":
                message = _("Constants C{…} (position %(position)d) are not supported.")
            else:
                message = _("Unexpected character “%(char)s” at position %(position)d.")
            raise FormulaError(message % {"char": char, "position": i + 1}, position=i + 1)
    tokens.append(_Token("end", "", len(text) + 1))
    return tokens


# -- parser (recursive descent) -------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def expression(self) -> Node:
        node = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            token = self.advance()
            node = Binary(token.text, node, self.term(), token.position)
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.current.kind == "op" and self.current.text in "*/":
            token = self.advance()
            node = Binary(token.text, node, self.factor(), token.position)
        return node

    def factor(self) -> Node:
        token = self.current
        if token.kind == "op" and token.text in "+-":
            self.advance()
            operand = self.factor()
            return Negate(operand) if token.text == "-" else operand
        if token.kind == "number":
            self.advance()
            return Number(Decimal(token.text))
        if token.kind == "operand":
            self.advance()
            return Operand(token.text, token.position)
        if token.kind == "(":
            self.advance()
            node = self.expression()
            if self.current.kind != ")":
                raise FormulaError(
                    _("Expected “)” at position %(position)d to close the “(” at %(open)d.")
                    % {"position": self.current.position, "open": token.position},
                    position=self.current.position,
                )
            self.advance()
            return node
        if token.kind == "end":
            raise FormulaError(
                _("The expression ends too early (position %(position)d): an operand is missing.")
                % {"position": token.position},
                position=token.position,
            )
        raise FormulaError(
            _("Unexpected “%(text)s” at position %(position)d.")
            % {"text": token.text, "position": token.position},
            position=token.position,
        )


def parse_expression(text: str) -> Node:
    """The tree of an expression, or FormulaError naming the position of the problem."""
    if not text or not text.strip():
        raise FormulaError(_("The expression is empty."))
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            _("The expression is longer than %(max)d characters.") % {"max": MAX_LENGTH}
        )
    parser = _Parser(text)
    node = parser.expression()
    if parser.current.kind != "end":
        raise FormulaError(
            _("Unexpected “%(text)s” at position %(position)d.")
            % {"text": parser.current.text, "position": parser.current.position},
            position=parser.current.position,
        )
    _check_constant_divisions(node)
    return node


def operand_codes(node: Node) -> list[str]:
    """The codes the expression refers to, in order of first appearance."""
    found: dict[str, None] = {}

    def walk(item: Node) -> None:
        if isinstance(item, Operand):
            found.setdefault(item.code, None)
        elif isinstance(item, Negate):
            walk(item.operand)
        elif isinstance(item, Binary):
            walk(item.left)
            walk(item.right)

    walk(node)
    return list(found)


def _constant(node: Node) -> Decimal | None:
    """The value of a subtree without operands; None if it has operands."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Operand):
        return None
    if isinstance(node, Negate):
        value = _constant(node.operand)
        return None if value is None else -value
    left, right = _constant(node.left), _constant(node.right)
    if left is None or right is None:
        return None
    return _apply(node.operator, left, right)


def _check_constant_divisions(node: Node) -> None:
    if isinstance(node, Negate):
        _check_constant_divisions(node.operand)
    elif isinstance(node, Binary):
        _check_constant_divisions(node.left)
        _check_constant_divisions(node.right)
        if node.operator == "/" and _constant(node.right) == 0:
            raise FormulaError(
                _("Division by zero at position %(position)d.") % {"position": node.position},
                position=node.position,
            )


def is_constant_zero(node: Node) -> bool:
    return _constant(node) == 0


def _apply(operator: str, left: Decimal, right: Decimal) -> Decimal | None:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if right == 0:
        return None
    try:
        return left / right
    except (DivisionByZero, InvalidOperation):
        return None


def evaluate(node: Node, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """The value of the expression; None when an operand is None or a divisor is zero."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Operand):
        return values.get(node.code)
    if isinstance(node, Negate):
        value = evaluate(node.operand, values)
        return None if value is None else -value
    left = evaluate(node.left, values)
    right = evaluate(node.right, values)
    if left is None or right is None:
        return None
    return _apply(node.operator, left, right)
