"""DHIS2-style periods (`20240315`, `2024W10`, `202411`, `2024Q3`, `2024`...) and date ranges.

Pure Python, no database: every dashboard and the indicator engine use it.

    >>> p = parse_period("2024Q3")
    >>> p.start, p.end
    (datetime.date(2024, 7, 1), datetime.date(2024, 9, 30))
    >>> [m.id for m in p.children("MONTHLY")]
    ['202407', '202408', '202409']
    >>> p.label("vi"), p.label("en")
    ('Quý 3/2024', 'Q3 2024')

Rules (see docs/periods-and-calendar.md):
- Weeks are ISO 8601 weeks (Monday to Sunday); the ISO year of a week is the year of its
  Thursday, so `2024W1` starts on Monday 2024-01-01 and `2020W53` exists.
- A week belongs to the month, quarter or year that contains its Thursday: that is the
  rule of `Period.parent()` for weeks and of `children("WEEKLY")`.
- `2024April`, `2024July`, `2024Oct` are the financial years starting on 1 April,
  1 July, 1 October 2024 (DHIS2's FinancialApril, FinancialJuly, FinancialOct).
- Bi-months: `202401B` is January-February, `202402B` March-April, ... `202406B`
  November-December (the number is the bi-month, not the month).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _


class PeriodError(ValueError):
    """A period string or range that is malformed or does not exist; the message names it."""


class PeriodType(StrEnum):
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    BI_MONTHLY = "BI_MONTHLY"
    QUARTERLY = "QUARTERLY"
    SIX_MONTHLY = "SIX_MONTHLY"
    YEARLY = "YEARLY"
    FINANCIAL_APRIL = "FINANCIAL_APRIL"
    FINANCIAL_JULY = "FINANCIAL_JULY"
    FINANCIAL_OCT = "FINANCIAL_OCT"

    @property
    def dhis2(self) -> str:
        """The DHIS2 name of the period type (`Monthly`, `BiMonthly`, `FinancialApril`...)."""
        return _DHIS2_NAMES[self]

    @classmethod
    def coerce(cls, value: PeriodType | str) -> PeriodType:
        """Accept a member, its name (`"MONTHLY"`) or the DHIS2 name (`"Monthly"`)."""
        if isinstance(value, cls):
            return value
        key = str(value).strip().upper().replace("-", "_")
        if key in cls.__members__:
            return cls[key]
        for member, name in _DHIS2_NAMES.items():
            if name.upper() == key:
                return member
        raise PeriodError(_("Unknown period type “%(type)s”.") % {"type": value})


_DHIS2_NAMES = {
    PeriodType.DAILY: "Daily",
    PeriodType.WEEKLY: "Weekly",
    PeriodType.MONTHLY: "Monthly",
    PeriodType.BI_MONTHLY: "BiMonthly",
    PeriodType.QUARTERLY: "Quarterly",
    PeriodType.SIX_MONTHLY: "SixMonthly",
    PeriodType.YEARLY: "Yearly",
    PeriodType.FINANCIAL_APRIL: "FinancialApril",
    PeriodType.FINANCIAL_JULY: "FinancialJuly",
    PeriodType.FINANCIAL_OCT: "FinancialOct",
}

# Periods built from whole months: length in months and the month they are anchored on.
_MONTHS = {
    PeriodType.MONTHLY: 1,
    PeriodType.BI_MONTHLY: 2,
    PeriodType.QUARTERLY: 3,
    PeriodType.SIX_MONTHLY: 6,
    PeriodType.YEARLY: 12,
    PeriodType.FINANCIAL_APRIL: 12,
    PeriodType.FINANCIAL_JULY: 12,
    PeriodType.FINANCIAL_OCT: 12,
}
_FIRST_MONTH = {
    PeriodType.FINANCIAL_APRIL: 4,
    PeriodType.FINANCIAL_JULY: 7,
    PeriodType.FINANCIAL_OCT: 10,
}
_FINANCIAL_SUFFIX = {
    PeriodType.FINANCIAL_APRIL: "April",
    PeriodType.FINANCIAL_JULY: "July",
    PeriodType.FINANCIAL_OCT: "Oct",
}
YEAR_TYPES = frozenset(
    {
        PeriodType.YEARLY,
        PeriodType.FINANCIAL_APRIL,
        PeriodType.FINANCIAL_JULY,
        PeriodType.FINANCIAL_OCT,
    }
)
# Finest first: the order used to sort periods with the same start and end.
_RANK = {member: rank for rank, member in enumerate(PeriodType)}

MONTH_NAMES_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EXAMPLES = "2024, 2024Q3, 202411, 2024W10, 20240315"
DASH = "\u2013"  # en dash, between the ends of a range


def _local_timezone() -> ZoneInfo:
    from django.conf import settings

    name = settings.TIME_ZONE if settings.configured else None
    return ZoneInfo(name or "Asia/Ho_Chi_Minh")


def as_date(value: date | datetime) -> date:
    """A date, or the local (settings.TIME_ZONE) date of an aware datetime."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                _("The time %(value)s has no time zone: give an aware datetime.")
                % {"value": value.isoformat()}
            )
        return value.astimezone(_local_timezone()).date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _bounds(period_type: PeriodType, day: date) -> tuple[date, date, str]:
    """Start, end (inclusive) and id of the period of `period_type` containing `day`."""
    if period_type is PeriodType.DAILY:
        return day, day, f"{day.year:04d}{day.month:02d}{day.day:02d}"
    if period_type is PeriodType.WEEKLY:
        iso_year, week, weekday = day.isocalendar()
        start = day - timedelta(days=weekday - 1)
        return start, start + timedelta(days=6), f"{iso_year:04d}W{week}"
    months = _MONTHS[period_type]
    anchor = _FIRST_MONTH.get(period_type, 1) - 1
    first = (_month_index(day) - anchor) // months * months + anchor
    start = _month_start(first)
    end = _month_start(first + months) - timedelta(days=1)
    year, month = start.year, start.month
    if period_type is PeriodType.MONTHLY:
        period_id = f"{year:04d}{month:02d}"
    elif period_type is PeriodType.BI_MONTHLY:
        period_id = f"{year:04d}{(month - 1) // 2 + 1:02d}B"
    elif period_type is PeriodType.QUARTERLY:
        period_id = f"{year:04d}Q{(month - 1) // 3 + 1}"
    elif period_type is PeriodType.SIX_MONTHLY:
        period_id = f"{year:04d}S{(month - 1) // 6 + 1}"
    elif period_type is PeriodType.YEARLY:
        period_id = f"{year:04d}"
    else:
        period_id = f"{year:04d}{_FINANCIAL_SUFFIX[period_type]}"
    return start, end, period_id


def _out_of_range(what: object) -> PeriodError:
    return PeriodError(_("The period %(period)s is out of the supported range.") % {"period": what})


@functools.total_ordering
@dataclass(frozen=True)
class Period:
    """One DHIS2 period: its type, first and last day (inclusive) and its DHIS2 id.

    Build it with `parse_period()` or `period_for()`; a hand-made inconsistent one is refused.
    Periods are hashable and sort by start, then end, then type (finest first).
    """

    type: PeriodType
    start: date
    end: date
    id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", PeriodType.coerce(self.type))
        if _bounds(self.type, self.start) != (self.start, self.end, self.id):
            raise PeriodError(
                _("“%(id)s” from %(start)s to %(end)s is not a %(type)s period.")
                % {"id": self.id, "start": self.start, "end": self.end, "type": self.type}
            )

    # Ordering -------------------------------------------------------------------------
    def _key(self) -> tuple[date, date, int]:
        return self.start, self.end, _RANK[self.type]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.id

    def __repr__(self) -> str:
        return f"Period({self.id!r})"

    # Navigation -----------------------------------------------------------------------
    @property
    def days(self) -> int:
        """The number of days in the period."""
        return (self.end - self.start).days + 1

    def shift(self, n: int) -> Period:
        """The period `n` steps later (negative: earlier) of the same type."""
        try:
            if self.type is PeriodType.DAILY:
                day = self.start + timedelta(days=n)
            elif self.type is PeriodType.WEEKLY:
                day = self.start + timedelta(weeks=n)
            else:
                day = _month_start(_month_index(self.start) + n * _MONTHS[self.type])
            return period_for(self.type, day)
        except (OverflowError, ValueError) as error:
            raise _out_of_range(f"{self.id}{n:+d}") from error

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def contains(self, value: date | datetime) -> bool:
        """Whether a date (or an aware datetime, at its local date) falls in the period."""
        return self.start <= as_date(value) <= self.end

    def same_period_last_year(self) -> Period:
        """The same period one year earlier.

        Day: the same date (29 February → 28 February). Week: the same ISO week number
        (week 53 → week 52 when the previous year has 52 weeks). Others: 12 months earlier.
        """
        if self.type is PeriodType.DAILY:
            day = self.start
            try:
                return period_for(self.type, day.replace(year=day.year - 1))
            except ValueError:
                return period_for(self.type, date(day.year - 1, 2, 28))
        if self.type is PeriodType.WEEKLY:
            year, week = (int(part) for part in self.id.split("W"))
            week = min(week, iso_weeks_in_year(year - 1))
            return period_for(self.type, date.fromisocalendar(year - 1, week, 1))
        return self.shift(-(12 // _MONTHS[self.type]))

    def parent(self, period_type: PeriodType | str) -> Period:
        """The period of a coarser type containing this one (`202411` → `2024Q4`, `2024`).

        A week belongs to the period containing its Thursday. Raises PeriodError when the
        period straddles two periods of that type (e.g. `202403B`, March-April, has no
        quarter).
        """
        period_type = PeriodType.coerce(period_type)
        if self.type is PeriodType.WEEKLY and period_type is not PeriodType.WEEKLY:
            return period_for(period_type, self.start + timedelta(days=3))
        parent = period_for(period_type, self.start)
        if parent.end < self.end:
            raise PeriodError(
                _("%(period)s is not inside a single %(type)s period.")
                % {"period": self.id, "type": period_type}
            )
        return parent

    def children(self, period_type: PeriodType | str) -> list[Period]:
        """The periods of a finer type that make up this one, in order.

        Weeks: the ISO weeks whose Thursday falls in the period (so a year's weeks are its
        52 or 53 ISO weeks). Other types must tile the period exactly, else PeriodError
        (a quarter has no bi-months).
        """
        period_type = PeriodType.coerce(period_type)
        if period_type is PeriodType.WEEKLY:
            first = period_for(period_type, self.start)
            if first.start + timedelta(days=3) < self.start:
                first = first.next()
            weeks = []
            week = first
            while week.start + timedelta(days=3) <= self.end:
                weeks.append(week)
                week = week.next()
            return weeks
        children = periods_between(period_type, self.start, self.end)
        if children[0].start != self.start or children[-1].end != self.end:
            raise PeriodError(
                _("%(period)s cannot be divided into %(type)s periods.")
                % {"period": self.id, "type": period_type}
            )
        return children

    # Labels ---------------------------------------------------------------------------
    def label(self, language: str | None = None) -> str:
        """A readable label in Vietnamese (`vi`, the default) or English (`en`).

        None means the active Django language. Dates are dd/mm/yyyy in both languages.
        """
        english = _language(language) == "en"
        start = self.start
        year, month = start.year, start.month
        kind = self.type
        if kind is PeriodType.DAILY:
            return f"{start:%d/%m/%Y}"
        if kind is PeriodType.WEEKLY:
            iso_year, week = self.id.split("W")
            return f"Week {week}, {iso_year}" if english else f"Tuần {week}/{iso_year}"
        if kind is PeriodType.MONTHLY:
            return f"{MONTH_NAMES_EN[month - 1]} {year}" if english else f"Tháng {month}/{year}"
        if kind is PeriodType.BI_MONTHLY:
            if english:
                return f"{MONTH_NAMES_EN[month - 1]}{DASH}{MONTH_NAMES_EN[month]} {year}"
            return f"Tháng {month}{DASH}{month + 1}/{year}"
        if kind is PeriodType.QUARTERLY:
            quarter = (month - 1) // 3 + 1
            return f"Q{quarter} {year}" if english else f"Quý {quarter}/{year}"
        if kind is PeriodType.SIX_MONTHLY:
            if month == 1:
                return f"First half {year}" if english else f"6 tháng đầu năm {year}"
            return f"Second half {year}" if english else f"6 tháng cuối năm {year}"
        if kind is PeriodType.YEARLY:
            return str(year) if english else f"Năm {year}"
        end = self.end
        if english:
            return (
                f"Financial year {MONTH_NAMES_EN[month - 1]} {year}"
                f" {DASH} {MONTH_NAMES_EN[end.month - 1]} {end.year}"
            )
        return f"Năm tài chính {month:02d}/{year}{DASH}{end.month:02d}/{end.year}"


def _language(language: str | None) -> str:
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or "vi"
    return "en" if language.lower().startswith("en") else "vi"


def iso_weeks_in_year(year: int) -> int:
    """52 or 53: the number of ISO 8601 weeks in an ISO year (28 December is in the last)."""
    return date(year, 12, 28).isocalendar()[1]


def period_for(period_type: PeriodType | str, day: date | datetime) -> Period:
    """The period of `period_type` that contains `day` (an aware datetime: its local date)."""
    period_type = PeriodType.coerce(period_type)
    day = as_date(day)
    try:
        start, end, period_id = _bounds(period_type, day)
    except (OverflowError, ValueError) as error:
        raise _out_of_range(f"{period_type} {day}") from error
    return Period(period_type, start, end, period_id)


def periods_between(
    period_type: PeriodType | str, start: date | datetime, end: date | datetime
) -> list[Period]:
    """The periods of `period_type` overlapping the range, in order: from the one containing
    `start` to the one containing `end` (so the first and last may stick out of the range).
    """
    start, end = as_date(start), as_date(end)
    if start > end:
        raise PeriodError(
            _("The start %(start)s is after the end %(end)s.")
            % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
        )
    period = period_for(period_type, start)
    last = period_for(period_type, end)
    periods = [period]
    while period != last:
        period = period.next()
        periods.append(period)
    return periods


def year_to_date(
    period: Period, *, year_type: PeriodType | str = PeriodType.YEARLY
) -> list[Period]:
    """The periods of the same type from the start of the year up to and including `period`
    ("lũy kế"). `year_type` may be a financial year (`FINANCIAL_APRIL`...). A year is its
    own year to date; weeks count from week 1 of their ISO year.
    """
    if period.type in YEAR_TYPES:
        return [period]
    year = period.parent(year_type)
    return [child for child in year.children(period.type) if child <= period]


# Parsing ------------------------------------------------------------------------------
_PATTERNS = [
    (re.compile(r"(\d{4})"), PeriodType.YEARLY),
    (re.compile(r"(\d{4})(\d{2})"), PeriodType.MONTHLY),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), PeriodType.DAILY),
    (re.compile(r"(\d{4})W(\d{1,2})", re.IGNORECASE), PeriodType.WEEKLY),
    (re.compile(r"(\d{4})(\d{2})B", re.IGNORECASE), PeriodType.BI_MONTHLY),
    (re.compile(r"(\d{4})Q(\d)", re.IGNORECASE), PeriodType.QUARTERLY),
    (re.compile(r"(\d{4})S(\d)", re.IGNORECASE), PeriodType.SIX_MONTHLY),
    (re.compile(r"(\d{4})April", re.IGNORECASE), PeriodType.FINANCIAL_APRIL),
    (re.compile(r"(\d{4})July", re.IGNORECASE), PeriodType.FINANCIAL_JULY),
    (re.compile(r"(\d{4})Oct", re.IGNORECASE), PeriodType.FINANCIAL_OCT),
]


def _does_not_exist(text: str, reason: str) -> PeriodError:
    return PeriodError(
        _("“%(text)s” is not a period: %(reason)s") % {"text": text, "reason": reason}
    )


def parse_period(text: str) -> Period:
    """The Period of a DHIS2 period string; PeriodError naming the text when it is malformed
    or does not exist (`202413`, `2024Q5`, `2023W53`, `20240230`...).
    Surrounding spaces and the case of the letters are forgiven.
    """
    if not isinstance(text, str) or not text.strip():
        raise PeriodError(
            _("The period is empty: use for example %(examples)s.") % {"examples": EXAMPLES}
        )
    value = text.strip()
    found = next(
        ((match, kind) for pattern, kind in _PATTERNS if (match := pattern.fullmatch(value))),
        None,
    )
    if found is None:
        raise PeriodError(
            _("“%(text)s” is not a period: use for example %(examples)s.")
            % {"text": text, "examples": EXAMPLES}
        )
    match, period_type = found
    year = int(match.group(1))
    number = int(match.group(2)) if match.lastindex and match.lastindex >= 2 else 0
    if year == 0:
        raise _does_not_exist(text, _("there is no year 0."))
    if period_type is PeriodType.DAILY:
        try:
            day = date(year, number, int(match.group(3)))
        except ValueError:
            raise _does_not_exist(text, _("there is no such day.")) from None
    elif period_type is PeriodType.WEEKLY:
        weeks = iso_weeks_in_year(year)
        if not 1 <= number <= weeks:
            raise _does_not_exist(
                text,
                _("%(year)s has %(weeks)s ISO weeks.") % {"year": year, "weeks": weeks},
            )
        day = date.fromisocalendar(year, number, 1)
    else:
        limits = {
            PeriodType.MONTHLY: (12, _("there is no month %(number)s.")),
            PeriodType.BI_MONTHLY: (6, _("there is no bi-month %(number)s (01 to 06).")),
            PeriodType.QUARTERLY: (4, _("there is no quarter %(number)s.")),
            PeriodType.SIX_MONTHLY: (2, _("there is no half-year %(number)s (S1 or S2).")),
        }
        if period_type in limits:
            count, message = limits[period_type]
            if not 1 <= number <= count:
                raise _does_not_exist(text, message % {"number": number})
            month = (number - 1) * _MONTHS[period_type] + 1
        else:
            month = _FIRST_MONTH.get(period_type, 1)
        day = date(year, month, 1)
    return period_for(period_type, day)


# Custom ranges ------------------------------------------------------------------------
@dataclass(frozen=True)
class DateRange:
    """A custom range of days, both ends included (the dashboards' `from`/`to` filter)."""

    start: date
    end: date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime) or not isinstance(value, date):
                raise PeriodError(
                    _("The %(field)s of a date range must be a date.") % {"field": name}
                )
        if self.start > self.end:
            raise PeriodError(
                _("The start %(start)s is after the end %(end)s.")
                % {"start": f"{self.start:%d/%m/%Y}", "end": f"{self.end:%d/%m/%Y}"}
            )

    @classmethod
    def parse(cls, start_text: str, end_text: str) -> DateRange:
        """From two texts in ISO (`2024-03-01`) or Vietnamese (`01/03/2024`) form."""
        return cls(_parse_day(start_text, "from"), _parse_day(end_text, "to"))

    @property
    def id(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, value: date | datetime) -> bool:
        return self.start <= as_date(value) <= self.end

    def shift(self, n: int) -> DateRange:
        """The range of the same length `n` lengths later (negative: earlier)."""
        offset = timedelta(days=self.days * n)
        try:
            return DateRange(self.start + offset, self.end + offset)
        except OverflowError as error:
            raise _out_of_range(self.id) from error

    def next(self) -> DateRange:
        return self.shift(1)

    def previous(self) -> DateRange:
        """The range of the same length just before (for "change vs the last period")."""
        return self.shift(-1)

    def same_period_last_year(self) -> DateRange:
        def back(day: date) -> date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return date(day.year - 1, 2, 28)

        return DateRange(back(self.start), back(self.end))

    def periods(self, period_type: PeriodType | str) -> list[Period]:
        """The periods of a type overlapping the range (see `periods_between`)."""
        return periods_between(period_type, self.start, self.end)

    def label(self, language: str | None = None) -> str:
        if self.start == self.end:
            return f"{self.start:%d/%m/%Y}"
        return f"{self.start:%d/%m/%Y} {DASH} {self.end:%d/%m/%Y}"

    def __str__(self) -> str:
        return self.id


def _parse_day(text: str, field: str) -> date:
    value = (text or "").strip()
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
            day, month, year = (int(part) for part in value.split("/"))
            return date(year, month, day)
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError(
            _("“%(value)s” in “%(field)s” is not a date: use YYYY-MM-DD or dd/mm/yyyy.")
            % {"value": value, "field": field}
        ) from None
