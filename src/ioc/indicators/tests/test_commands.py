from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from ioc.indicators.models import Aggregate, DataValue


def test_import_command_reads_a_csv_file(loaded_geo, make_indicator, tmp_path, capsys):
    # given
    make_indicator("CASES")
    path = tmp_path / "values.csv"
    path.write_text("de,pe,ou,coc,aoc,value\nCASES,202401,22918,,,5\n", encoding="utf-8")

    # when
    call_command("indicators_import", str(path))

    # then
    assert '"imported": 1' in capsys.readouterr().out
    assert DataValue.objects.get().value == Decimal(5)


def test_import_command_fails_with_the_conflicts(loaded_geo, make_indicator, tmp_path):
    make_indicator("CASES")
    path = tmp_path / "values.csv"
    path.write_text("de,pe,ou,coc,aoc,value\nCASES,202413,22918,,,5\n", encoding="utf-8")

    with pytest.raises(CommandError) as caught:
        call_command("indicators_import", str(path))

    assert (
        str(caught.value) == "Row 2, column period: “202413” is not a period: there is no month 13."
    )


def test_rebuild_command_recomputes_the_aggregates(loaded_geo, make_indicator, tmp_path, capsys):
    make_indicator("CASES")
    path = tmp_path / "values.csv"
    path.write_text("de,pe,ou,coc,aoc,value\nCASES,202401,22918,,,5\n", encoding="utf-8")
    call_command("indicators_import", str(path))
    Aggregate.objects.all().delete()

    call_command("indicators_rebuild", "--indicator", "CASES")

    assert Aggregate.objects.count() == 16  # 4 units x (202401, 2024Q1, 2024S1, 2024)
