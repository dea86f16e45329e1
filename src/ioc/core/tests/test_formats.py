"""Numbers people read follow the language (1.234,5 in Vietnamese, 1,234.5 in English);
dates are dd/mm/yyyy in both (ioc.core.formats)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import formats, translation


@pytest.mark.parametrize(
    ("language", "integer", "decimal", "percentage", "negative"),
    [
        ("vi", "2.303", "1.234.567,89", "85,0", "-1.234,5"),
        ("en", "2,303", "1,234,567.89", "85.0", "-1,234.5"),
    ],
)
def test_grouped_figures_follow_the_language(language, integer, decimal, percentage, negative):
    with translation.override(language):
        assert intcomma(2303) == integer
        assert floatformat(Decimal("1234567.891"), "2g") == decimal
        assert floatformat(85, "1g") == percentage
        assert formats.number_format(-1234.5, decimal_pos=1, force_grouping=True) == negative


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "2.303 · 0,5 · 1.234.567"), ("en", "2,303 · 0.5 · 1,234,567")],
)
def test_plain_template_variables_are_grouped_in_the_language(language, expected):
    template = Template("{{ count }} · {{ share }} · {{ big }}")

    with translation.override(language):
        html = template.render(Context({"count": 2303, "share": 0.5, "big": 1234567}))

    assert html == expected


@pytest.mark.parametrize("language", ["vi", "en"])
def test_unlocalize_keeps_machine_values_plain_in_both_languages(language):
    template = Template("{% load l10n %}{{ pk|unlocalize }} {{ lat|unlocalize }}")

    with translation.override(language):
        html = template.render(Context({"pk": 12345, "lat": 10.92811}))

    assert html == "12345 10.92811"


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_day_month_year_in_both_languages(language):
    with translation.override(language):
        assert formats.date_format(date(2026, 3, 9), "SHORT_DATE_FORMAT") == "09/03/2026"
        assert formats.date_format(datetime(2026, 3, 9, 7, 5), "DATETIME_FORMAT") == (
            "07:05 09/03/2026"
        )
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%d/%m/%Y"
