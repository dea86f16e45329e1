from decimal import Decimal

import pytest

from ioc.indicators.formulas import FormulaError, evaluate, operand_codes, parse_expression


def test_expression_with_operands_precedence_and_parentheses_evaluates():
    # given
    tree = parse_expression("(#{BEDS_USED} * 100) / #{BEDS} - 2 * -3")

    # when
    value = evaluate(tree, {"BEDS_USED": Decimal(45), "BEDS": Decimal(60)})

    # then
    assert value == Decimal(81)
    assert operand_codes(tree) == ["BEDS_USED", "BEDS"]


def test_missing_operand_or_zero_divisor_evaluates_to_none():
    tree = parse_expression("#{A} / #{B}")

    assert evaluate(tree, {"A": Decimal(1), "B": None}) is None
    assert evaluate(tree, {"A": Decimal(1), "B": Decimal(0)}) is None


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("#{A} +", "ends too early (position 7)", 7),
        ("#{A} + * 2", "Unexpected “*” at position 8", 8),
        ("(#{A} + 1", "Expected “)” at position 10 to close the “(” at 1", 10),
        ("#{A} $ 2", "Unexpected character “$” at position 6", 6),
        ("#{A", "not closed", 1),
        ("#{A B}", "not a valid indicator code", 1),
        ("#{A.coc}", "category option combinations are not supported", 1),
        ("#{A} / (2 - 2)", "Division by zero at position 6", 6),
        ("C{pi} * 2", "Constants", 1),
        ("", "empty", 0),
    ],
)
def test_bad_expressions_are_refused_with_their_position(text, message, position):
    with pytest.raises(FormulaError) as caught:
        parse_expression(text)

    assert message in str(caught.value)
    assert caught.value.position == position
