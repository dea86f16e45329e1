"""DHIS2-style periods: parsing, navigation, hierarchy, labels and custom ranges."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ioc.core.periods import (
    DASH,
    DateRange,
    Period,
    PeriodError,
    PeriodType,
    iso_weeks_in_year,
    parse_period,
    period_for,
    periods_between,
    year_to_date,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def ids(periods):
    return [period.id for period in periods]


@pytest.mark.parametrize(
    ("text", "period_type", "start", "end"),
    [
        ("20240315", PeriodType.DAILY, date(2024, 3, 15), date(2024, 3, 15)),
        ("2024W10", PeriodType.WEEKLY, date(2024, 3, 4), date(2024, 3, 10)),
        ("2024W1", PeriodType.WEEKLY, date(2024, 1, 1), date(2024, 1, 7)),
        ("2020W53", PeriodType.WEEKLY, date(2020, 12, 28), date(2021, 1, 3)),
        ("2025W1", PeriodType.WEEKLY, date(2024, 12, 30), date(2025, 1, 5)),
        ("202411", PeriodType.MONTHLY, date(2024, 11, 1), date(2024, 11, 30)),
        ("202402", PeriodType.MONTHLY, date(2024, 2, 1), date(2024, 2, 29)),
        ("202401B", PeriodType.BI_MONTHLY, date(2024, 1, 1), date(2024, 2, 29)),
        ("202406B", PeriodType.BI_MONTHLY, date(2024, 11, 1), date(2024, 12, 31)),
        ("2024Q3", PeriodType.QUARTERLY, date(2024, 7, 1), date(2024, 9, 30)),
        ("2024S1", PeriodType.SIX_MONTHLY, date(2024, 1, 1), date(2024, 6, 30)),
        ("2024S2", PeriodType.SIX_MONTHLY, date(2024, 7, 1), date(2024, 12, 31)),
        ("2024", PeriodType.YEARLY, date(2024, 1, 1), date(2024, 12, 31)),
        ("2024April", PeriodType.FINANCIAL_APRIL, date(2024, 4, 1), date(2025, 3, 31)),
        ("2024July", PeriodType.FINANCIAL_JULY, date(2024, 7, 1), date(2025, 6, 30)),
        ("2024Oct", PeriodType.FINANCIAL_OCT, date(2024, 10, 1), date(2025, 9, 30)),
    ],
)
def test_parse_period(text, period_type, start, end):
    period = parse_period(text)
    assert (period.type, period.start, period.end, period.id) == (period_type, start, end, text)
    assert str(period) == text


def test_parse_period_forgives_spaces_case_and_week_padding():
    assert parse_period(" 2024q3 ").id == "2024Q3"
    assert parse_period("2024W01").id == "2024W1"
    assert parse_period("2024APRIL").id == "2024April"
    assert parse_period("202401b").id == "202401B"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("202413", "“202413” is not a period: there is no month 13."),
        ("202400", "“202400” is not a period: there is no month 0."),
        ("2024Q5", "“2024Q5” is not a period: there is no quarter 5."),
        ("2024Q0", "“2024Q0” is not a period: there is no quarter 0."),
        ("2024W54", "“2024W54” is not a period: 2024 has 52 ISO weeks."),
        ("2023W53", "“2023W53” is not a period: 2023 has 52 ISO weeks."),
        ("2024W0", "“2024W0” is not a period: 2024 has 52 ISO weeks."),
        ("20240230", "“20240230” is not a period: there is no such day."),
        ("20230229", "“20230229” is not a period: there is no such day."),
        ("2024S3", "“2024S3” is not a period: there is no half-year 3 (S1 or S2)."),
        ("202407B", "“202407B” is not a period: there is no bi-month 7 (01 to 06)."),
        ("0000", "“0000” is not a period: there is no year 0."),
        ("abc", "“abc” is not a period: use for example 2024, 2024Q3, 202411, 2024W10, 20240315."),
        ("2024-11", "“2024-11” is not a period: use for example"),
        ("2024March", "“2024March” is not a period: use for example"),
        ("", "The period is empty: use for example 2024, 2024Q3, 202411, 2024W10, 20240315."),
        ("   ", "The period is empty"),
    ],
)
def test_parse_period_errors_name_the_text(text, message):
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert str(error.value).startswith(message)
    assert isinstance(error.value, ValueError)


def test_iso_weeks():
    assert [iso_weeks_in_year(year) for year in (2015, 2020, 2023, 2024, 2026)] == [
        53,
        53,
        52,
        52,
        53,
    ]
    assert parse_period("2026W53").end == date(2027, 1, 3)


def test_period_for_accepts_names_and_dhis2_names_and_aware_datetimes():
    assert period_for("MONTHLY", date(2024, 11, 5)).id == "202411"
    assert period_for("Quarterly", date(2024, 11, 5)).id == "2024Q4"
    assert period_for(PeriodType.FINANCIAL_APRIL, date(2024, 3, 31)).id == "2023April"
    assert period_for("WEEKLY", date(2021, 1, 1)).id == "2020W53"
    # 31/12/2024 20:00 UTC is already 1 January 2025 in Vietnam.
    assert period_for("YEARLY", datetime(2024, 12, 31, 20, tzinfo=UTC)).id == "2025"
    with pytest.raises(ValueError, match="no time zone"):
        period_for("YEARLY", datetime(2024, 12, 31, 20))
    with pytest.raises(PeriodError, match="Unknown period type “Fortnightly”"):
        period_for("Fortnightly", date(2024, 1, 1))
    assert PeriodType.BI_MONTHLY.dhis2 == "BiMonthly"


def test_hand_made_inconsistent_period_is_refused():
    assert Period(PeriodType.MONTHLY, date(2024, 11, 1), date(2024, 11, 30), "202411")
    with pytest.raises(PeriodError):
        Period(PeriodType.MONTHLY, date(2024, 11, 2), date(2024, 11, 30), "202411")


def test_next_previous_shift():
    assert parse_period("202412").next().id == "202501"
    assert parse_period("202401").previous().id == "202312"
    assert parse_period("2024Q4").next().id == "2025Q1"
    assert parse_period("2024S1").previous().id == "2023S2"
    assert parse_period("202406B").next().id == "202501B"
    assert parse_period("2024W52").next().id == "2025W1"
    assert parse_period("2021W1").previous().id == "2020W53"
    assert parse_period("20240228").next().id == "20240229"
    assert parse_period("2024April").next().id == "2025April"
    assert parse_period("202411").shift(-13).id == "202310"
    assert parse_period("2024Q3").shift(0).id == "2024Q3"
    with pytest.raises(PeriodError, match="out of the supported range"):
        parse_period("9999").next()


def test_contains_and_days():
    quarter = parse_period("2024Q3")
    assert quarter.contains(date(2024, 7, 1))
    assert quarter.contains(date(2024, 9, 30))
    assert not quarter.contains(date(2024, 10, 1))
    assert quarter.contains(datetime(2024, 9, 30, 23, 59, tzinfo=VN))
    assert not quarter.contains(datetime(2024, 9, 30, 17, 30, tzinfo=UTC))  # 1/10 00:30 in VN
    assert quarter.days == 92
    assert parse_period("2024").days == 366


def test_same_period_last_year():
    assert parse_period("202411").same_period_last_year().id == "202311"
    assert parse_period("2024Q3").same_period_last_year().id == "2023Q3"
    assert parse_period("202401B").same_period_last_year().id == "202301B"
    assert parse_period("2024S2").same_period_last_year().id == "2023S2"
    assert parse_period("2024").same_period_last_year().id == "2023"
    assert parse_period("2024July").same_period_last_year().id == "2023July"
    assert parse_period("20240315").same_period_last_year().id == "20230315"
    assert parse_period("20240229").same_period_last_year().id == "20230228"
    assert parse_period("2024W10").same_period_last_year().id == "2023W10"
    assert parse_period("2021W1").same_period_last_year().id == "2020W1"
    assert parse_period("2020W53").same_period_last_year().id == "2019W52"
    assert parse_period("2026W53").same_period_last_year().id == "2025W52"


def test_parent():
    month = parse_period("202411")
    assert month.parent("QUARTERLY").id == "2024Q4"
    assert month.parent("SIX_MONTHLY").id == "2024S2"
    assert month.parent("YEARLY").id == "2024"
    assert month.parent("BI_MONTHLY").id == "202406B"
    assert month.parent("FINANCIAL_APRIL").id == "2024April"
    assert parse_period("202402").parent("FINANCIAL_APRIL").id == "2023April"
    assert parse_period("2024Q1").parent("FINANCIAL_OCT").id == "2023Oct"
    assert parse_period("20240315").parent("WEEKLY").id == "2024W11"
    # A week belongs to the period containing its Thursday.
    assert parse_period("2025W1").parent("YEARLY").id == "2025"  # 30/12/2024-05/01/2025
    assert parse_period("2020W53").parent("YEARLY").id == "2020"
    assert parse_period("2024W5").parent("MONTHLY").id == "202402"  # 29/01-04/02, Thu 01/02
    with pytest.raises(PeriodError, match="202402B is not inside a single QUARTERLY period"):
        parse_period("202402B").parent("QUARTERLY")
    with pytest.raises(PeriodError):
        parse_period("2024").parent("FINANCIAL_APRIL")


def test_children():
    assert ids(parse_period("2024Q3").children("MONTHLY")) == ["202407", "202408", "202409"]
    assert ids(parse_period("2024").children("QUARTERLY")) == [
        "2024Q1",
        "2024Q2",
        "2024Q3",
        "2024Q4",
    ]
    assert ids(parse_period("2024S2").children("BI_MONTHLY")) == ["202404B", "202405B", "202406B"]
    assert ids(parse_period("2024April").children("QUARTERLY")) == [
        "2024Q2",
        "2024Q3",
        "2024Q4",
        "2025Q1",
    ]
    assert len(parse_period("202402").children("DAILY")) == 29
    weeks = parse_period("2024").children("WEEKLY")
    assert (len(weeks), weeks[0].id, weeks[-1].id) == (52, "2024W1", "2024W52")
    assert len(parse_period("2020").children("WEEKLY")) == 53
    # Weeks of a month: those whose Thursday is in it.
    assert ids(parse_period("202402").children("WEEKLY")) == [
        "2024W5",
        "2024W6",
        "2024W7",
        "2024W8",
        "2024W9",  # 26/02-03/03: Thursday 29/02 is in February
    ]
    with pytest.raises(PeriodError, match="2024Q1 cannot be divided into BI_MONTHLY periods"):
        parse_period("2024Q1").children("BI_MONTHLY")


def test_periods_between_and_year_to_date():
    assert ids(periods_between("MONTHLY", date(2024, 11, 15), date(2025, 2, 1))) == [
        "202411",
        "202412",
        "202501",
        "202502",
    ]
    assert ids(periods_between("QUARTERLY", date(2024, 5, 1), date(2024, 5, 2))) == ["2024Q2"]
    with pytest.raises(PeriodError, match="The start 02/05/2024 is after the end 01/05/2024"):
        periods_between("DAILY", date(2024, 5, 2), date(2024, 5, 1))
    assert ids(year_to_date(parse_period("2024Q3"))) == ["2024Q1", "2024Q2", "2024Q3"]
    assert ids(year_to_date(parse_period("202403"))) == ["202401", "202402", "202403"]
    assert ids(year_to_date(parse_period("2024W3"))) == ["2024W1", "2024W2", "2024W3"]
    assert ids(year_to_date(parse_period("2024"))) == ["2024"]
    assert ids(year_to_date(parse_period("202405"), year_type="FINANCIAL_APRIL")) == [
        "202404",
        "202405",
    ]
    assert len(year_to_date(parse_period("20240201"))) == 32


@pytest.mark.parametrize(
    ("text", "vi", "en"),
    [
        ("20240315", "15/03/2024", "15/03/2024"),
        ("2024W10", "Tuần 10/2024", "Week 10, 2024"),
        ("202411", "Tháng 11/2024", "November 2024"),
        ("202401B", f"Tháng 1{DASH}2/2024", f"January{DASH}February 2024"),
        ("2024Q3", "Quý 3/2024", "Q3 2024"),
        ("2024S1", "6 tháng đầu năm 2024", "First half 2024"),
        ("2024S2", "6 tháng cuối năm 2024", "Second half 2024"),
        ("2024", "Năm 2024", "2024"),
        (
            "2024April",
            f"Năm tài chính 04/2024{DASH}03/2025",
            f"Financial year April 2024 {DASH} March 2025",
        ),
    ],
)
def test_labels(text, vi, en):
    period = parse_period(text)
    assert period.label("vi") == vi
    assert period.label("en") == en
    assert period.label("en-us") == en


def test_label_follows_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        assert parse_period("2024Q3").label() == "Q3 2024"
    with translation.override("vi"):
        assert parse_period("2024Q3").label() == "Quý 3/2024"


def test_ordering_and_hashing():
    periods = [parse_period(text) for text in ("2024Q2", "202404", "2024", "2023Q4")]
    assert ids(sorted(periods)) == ["2023Q4", "2024", "202404", "2024Q2"]
    assert parse_period("202404") < parse_period("202405")
    assert {parse_period("2024Q3"), parse_period("2024q3")} == {parse_period("2024Q3")}


def test_date_range():
    span = DateRange(date(2024, 3, 1), date(2024, 3, 15))
    assert span.days == 15
    assert span.contains(date(2024, 3, 15)) and not span.contains(date(2024, 3, 16))
    assert span.previous() == DateRange(date(2024, 2, 15), date(2024, 2, 29))
    assert span.next() == DateRange(date(2024, 3, 16), date(2024, 3, 30))
    assert span.same_period_last_year() == DateRange(date(2023, 3, 1), date(2023, 3, 15))
    assert DateRange(date(2024, 2, 29), date(2024, 2, 29)).same_period_last_year() == DateRange(
        date(2023, 2, 28), date(2023, 2, 28)
    )
    assert span.label("vi") == f"01/03/2024 {DASH} 15/03/2024"
    assert ids(span.periods("WEEKLY")) == ["2024W9", "2024W10", "2024W11"]
    assert DateRange.parse("01/03/2024", "2024-03-15") == span
    with pytest.raises(PeriodError, match="The start 15/03/2024 is after the end 01/03/2024"):
        DateRange(date(2024, 3, 15), date(2024, 3, 1))
    with pytest.raises(PeriodError, match="“31/02/2024” in “to” is not a date"):
        DateRange.parse("01/02/2024", "31/02/2024")
    with pytest.raises(PeriodError, match="must be a date"):
        DateRange(datetime(2024, 3, 1, tzinfo=VN), date(2024, 3, 2))  # type: ignore[arg-type]


# Properties -----------------------------------------------------------------------------
period_types = st.sampled_from(list(PeriodType))
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
periods = st.builds(period_for, period_types, days)


@given(periods)
def test_parse_of_id_is_identity(period):
    assert parse_period(period.id) == period
    assert period.start <= period.end
    assert period.contains(period.start) and period.contains(period.end)


@given(periods, st.integers(min_value=-500, max_value=500))
def test_navigation_round_trips(period, n):
    assert period.next().previous() == period
    assert period.previous().next() == period
    assert period.next().start == period.end + timedelta(days=1)
    assert period.shift(n).shift(-n) == period
    assert (period.shift(n) > period) == (n > 0)


@given(period_types, days)
def test_period_for_contains_the_day(period_type, day):
    period = period_for(period_type, day)
    assert period.contains(day)
    assert not period.previous().contains(day) and not period.next().contains(day)


HIERARCHY = [
    ("YEARLY", "SIX_MONTHLY"),
    ("YEARLY", "QUARTERLY"),
    ("YEARLY", "BI_MONTHLY"),
    ("YEARLY", "MONTHLY"),
    ("SIX_MONTHLY", "QUARTERLY"),
    ("QUARTERLY", "MONTHLY"),
    ("FINANCIAL_APRIL", "QUARTERLY"),
    ("FINANCIAL_JULY", "MONTHLY"),
    ("FINANCIAL_OCT", "QUARTERLY"),
    ("MONTHLY", "DAILY"),
    ("YEARLY", "WEEKLY"),
    ("MONTHLY", "WEEKLY"),
]


@given(st.sampled_from(HIERARCHY), days)
def test_children_tile_the_parent(pair, day):
    parent_type, child_type = pair
    parent = period_for(parent_type, day)
    children = parent.children(child_type)
    for before, after in itertools.pairwise(children):
        assert after.start == before.end + timedelta(days=1)  # no gap, no overlap
    for child in children:
        assert child.parent(parent_type) == parent
    if child_type != "WEEKLY":
        assert children[0].start == parent.start and children[-1].end == parent.end
        assert sum(child.days for child in children) == parent.days


@given(periods)
def test_same_period_last_year_is_about_a_year_earlier(period):
    last_year = period.same_period_last_year()
    assert last_year.type == period.type
    assert 358 <= (period.start - last_year.start).days <= 371


@given(days, days)
def test_date_range_validation(a, b):
    if a <= b:
        span = DateRange(a, b)
        assert span.previous().end == a - timedelta(days=1)
        assert span.previous().days == span.days
    else:
        with pytest.raises(PeriodError):
            DateRange(a, b)
