"""The working-day calendar: deadlines in working days and hours, with Vietnam's holidays.

Rules (see docs/periods-and-calendar.md):
- A working day is a day of settings.IOC_WORKING_WEEKDAYS (Monday-Friday by default)
  that is not a holiday or day off, or any day entered as a make-up working day
  (`Holiday.kind == "working_day"`, e.g. a swapped Saturday).
- Working hours are settings.IOC_WORKING_HOURS (07:30-11:30 and 13:30-17:00 by default)
  in settings.TIME_ZONE (Asia/Ho_Chi_Minh).
- `add_working_days(received, n)`: the receipt day is the day received if that is a working
  day and it arrived before the end of its working hours; otherwise (evening, weekend,
  holiday) the next working day. The deadline is the END of working hours of the n-th
  working day after the receipt day (n = 0: the end of the receipt day). Received Friday
  16:00 with 2 working days: due Tuesday 17:00; received Friday 18:00: due Wednesday 17:00.
- `add_working_hours(received, h)`: the moment h working hours after `received`, counting
  only time inside working hours; a time outside them starts at the next working interval.
- Datetimes must be timezone-aware; naive ones are refused with a ValueError.

The calendar of the Holiday rows is cached per process and rebuilt when the table changes:
at most every IOC_CALENDAR_CHECK_SECONDS (60 s) a cheap query (count, latest update)
tells whether another process edited it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

DEFAULT_WORKING_HOURS = (("07:30", "11:30"), ("13:30", "17:00"))
DEFAULT_WORKING_WEEKDAYS = (0, 1, 2, 3, 4)
DEFAULT_CHECK_SECONDS = 60
HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays_vn.json"
# A calendar with no working day in ten years is misconfigured: stop instead of looping.
_MAX_IDLE_DAYS = 3660


def _parse_clock(value: str | clock_time) -> clock_time:
    if isinstance(value, clock_time):
        return value
    try:
        return clock_time.fromisoformat(str(value))
    except ValueError:
        raise ImproperlyConfigured(
            f"IOC_WORKING_HOURS: {value!r} is not a time of day (use 'HH:MM')."
        ) from None


def _parse_hours(
    hours: str | Iterable[Sequence[str | clock_time]],
) -> tuple[tuple[clock_time, clock_time], ...]:
    """[("07:30", "11:30"), ...] or the environment's form "07:30-11:30,13:30-17:00"."""
    if isinstance(hours, str):
        pairs = [part.split("-") for part in hours.split(",") if part.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ImproperlyConfigured(
                f"IOC_WORKING_HOURS: {hours!r} is not like '07:30-11:30,13:30-17:00'."
            )
        hours = [(start.strip(), end.strip()) for start, end in pairs]
    intervals = tuple((_parse_clock(start), _parse_clock(end)) for start, end in hours)
    if not intervals:
        raise ImproperlyConfigured("IOC_WORKING_HOURS is empty.")
    previous_end = None
    for start, end in intervals:
        if start >= end or (previous_end is not None and start < previous_end):
            raise ImproperlyConfigured(
                "IOC_WORKING_HOURS must be increasing, non-overlapping (start, end) pairs."
            )
        previous_end = end
    return intervals


class WorkingCalendar:
    """Working days and hours. Build it from data (tests) or use `get_calendar()`."""

    def __init__(
        self,
        *,
        days_off: Iterable[date] = (),
        working_days: Iterable[date] = (),
        hours: str | Iterable[Sequence[str | clock_time]] = DEFAULT_WORKING_HOURS,
        weekdays: str | Iterable[int] = DEFAULT_WORKING_WEEKDAYS,
        timezone: tzinfo | str = "Asia/Ho_Chi_Minh",
    ) -> None:
        self.days_off = frozenset(days_off)
        self.working_days = frozenset(working_days)
        self.hours = _parse_hours(hours)
        if isinstance(weekdays, str):  # the environment's form "0,1,2,3,4"
            try:
                weekdays = [int(part) for part in weekdays.split(",") if part.strip()]
            except ValueError:
                raise ImproperlyConfigured(
                    f"IOC_WORKING_WEEKDAYS: {weekdays!r} is not like '0,1,2,3,4'."
                ) from None
        self.weekdays = frozenset(weekdays)
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ImproperlyConfigured("IOC_WORKING_WEEKDAYS holds numbers 0 (Monday) to 6.")
        self.timezone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone

    # Days -----------------------------------------------------------------------------
    def is_working_day(self, day: date | datetime) -> bool:
        day = self._as_date(day)
        if day in self.working_days:
            return True
        return day not in self.days_off and day.weekday() in self.weekdays

    def next_working_day(self, day: date | datetime) -> date:
        """The first working day strictly after `day`."""
        day = self._as_date(day)
        for _step in range(_MAX_IDLE_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return day
        raise ImproperlyConfigured("The working calendar has no working day.")

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The deadline `days` working days after `start` (the end of that day's hours)."""
        start = self._local(start, "start")
        if days < 0:
            raise ValueError(_("The number of working days cannot be negative."))
        receipt = start.date()
        if not self.is_working_day(receipt) or start >= self._at(receipt, self.hours[-1][1]):
            receipt = self.next_working_day(receipt)
        due = receipt
        for _step in range(days):
            due = self.next_working_day(due)
        return self._at(due, self.hours[-1][1])

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """The working days after a's day up to and including b's day (negative if b < a).

        `working_days_between(received_day, add_working_days(received, n)) == n`; between a
        deadline and the completion it is the number of working days late.
        """
        first, last = self._as_date(a), self._as_date(b)
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        count = sum(
            1
            for offset in range(1, (last - first).days + 1)
            if self.is_working_day(first + timedelta(days=offset))
        )
        return sign * count

    # Hours ----------------------------------------------------------------------------
    def is_working_time(self, moment: datetime) -> bool:
        moment = self._local(moment, "moment")
        if not self.is_working_day(moment.date()):
            return False
        return any(start <= moment.time() < end for start, end in self.hours)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The moment `hours` working hours after `start`."""
        start = self._local(start, "start")
        if hours < 0:
            raise ValueError(_("The number of working hours cannot be negative."))
        remaining = timedelta(hours=hours)
        for begin, end in self._intervals_from(start):
            length = end - begin
            if length <= timedelta(0):
                continue
            if remaining <= length:
                return begin + remaining
            remaining -= length
        raise ImproperlyConfigured("The working calendar has no working day.")  # pragma: no cover

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """The working hours between two moments (negative if b < a), e.g. how late."""
        first, last = self._local(a, "a"), self._local(b, "b")
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        total = timedelta(0)
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                for start, end in self.hours:
                    begin = max(self._at(day, start), first)
                    finish = min(self._at(day, end), last)
                    if finish > begin:
                        total += finish - begin
            day += timedelta(days=1)
        return sign * total.total_seconds() / 3600

    # Helpers --------------------------------------------------------------------------
    def _intervals_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals from `start` on, the first clipped to begin at `start`."""
        day, idle = start.date(), 0
        while idle < _MAX_IDLE_DAYS:
            if self.is_working_day(day):
                idle = 0
                for begin_time, end_time in self.hours:
                    begin, end = self._at(day, begin_time), self._at(day, end_time)
                    if end > start:
                        yield max(begin, start), end
            else:
                idle += 1
            day += timedelta(days=1)

    def _at(self, day: date, moment: clock_time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.timezone)

    def _local(self, value: datetime, name: str) -> datetime:
        if not isinstance(value, datetime):
            raise TypeError(f"{name} must be a datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                _("The time %(value)s has no time zone: give an aware datetime.")
                % {"value": value.isoformat()}
            )
        return value.astimezone(self.timezone)

    def _as_date(self, value: date | datetime) -> date:
        if isinstance(value, datetime):
            return self._local(value, "day").date()
        return value


# The per-process cache ----------------------------------------------------------------
_lock = threading.Lock()
_cache: dict[str, object] = {}
_clock = time.monotonic  # replaced in tests


def _settings_key() -> tuple:
    hours = getattr(settings, "IOC_WORKING_HOURS", DEFAULT_WORKING_HOURS)
    weekdays = getattr(settings, "IOC_WORKING_WEEKDAYS", DEFAULT_WORKING_WEEKDAYS)
    if not isinstance(hours, str):
        hours = tuple(tuple(str(part) for part in pair) for pair in hours)
    if not isinstance(weekdays, str):
        weekdays = tuple(weekdays)
    return hours, weekdays, settings.TIME_ZONE


def _table_stamp() -> tuple:
    from ioc.core.models import Holiday

    stamp = Holiday.objects.aggregate(count=Count("id"), last=Max("updated_at"))
    return stamp["count"], stamp["last"]


def _build(key: tuple) -> WorkingCalendar:
    from ioc.core.choices import HolidayKind
    from ioc.core.models import Holiday

    days_off, working_days = [], []
    for day, kind in Holiday.objects.values_list("date", "kind"):
        (working_days if kind == HolidayKind.WORKING_DAY else days_off).append(day)
    hours, weekdays, timezone = key
    return WorkingCalendar(
        days_off=days_off,
        working_days=working_days,
        hours=hours,
        weekdays=weekdays,
        timezone=timezone,
    )


def get_calendar() -> WorkingCalendar:
    """The calendar of the Holiday table and the settings, cached for this process.

    At most every IOC_CALENDAR_CHECK_SECONDS, a count + latest-update query on the table
    tells whether it changed (in any process); the calendar is rebuilt if so.
    """
    key = _settings_key()
    now = _clock()
    max_age = getattr(settings, "IOC_CALENDAR_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)
    calendar = _cache.get("calendar")
    if (
        calendar is not None
        and _cache.get("key") == key
        and now - _cache.get("checked_at", 0.0) < max_age  # type: ignore[operator]
    ):
        return calendar  # type: ignore[return-value]
    with _lock:
        stamp = _table_stamp()
        if calendar is None or _cache.get("key") != key or _cache.get("stamp") != stamp:
            calendar = _build(key)
            _cache.update(calendar=calendar, key=key, stamp=stamp)
        _cache["checked_at"] = now
    return calendar  # type: ignore[return-value]


def calendar_cache_clear() -> None:
    """Forget the cached calendar of this process (tests; after loading holidays)."""
    with _lock:
        _cache.clear()


# Module-level shortcuts on the cached calendar ----------------------------------------
def is_working_day(day: date | datetime) -> bool:
    return get_calendar().is_working_day(day)


def next_working_day(day: date | datetime) -> date:
    return get_calendar().next_working_day(day)


def add_working_days(start: datetime, days: int) -> datetime:
    return get_calendar().add_working_days(start, days)


def add_working_hours(start: datetime, hours: float) -> datetime:
    return get_calendar().add_working_hours(start, hours)


def working_days_between(a: date | datetime, b: date | datetime) -> int:
    return get_calendar().working_days_between(a, b)


def working_hours_between(a: datetime, b: datetime) -> float:
    return get_calendar().working_hours_between(a, b)


# Loading the shipped holiday file -----------------------------------------------------
class HolidayFileError(ValueError):
    """The holiday file is malformed; the message names the entry."""


def _read_holiday_file(path: Path) -> dict[date, dict]:
    from ioc.core.choices import HolidayKind

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        years = document["years"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise HolidayFileError(
            _("Cannot read the holiday file %(path)s: %(error)s") % {"path": path, "error": error}
        ) from error
    entries: dict[date, dict] = {}
    for year, block in years.items():
        source = block.get("source", "")
        for entry in block.get("days", []):
            try:
                day = date.fromisoformat(entry["date"])
                kind = entry.get("kind", HolidayKind.HOLIDAY)
                if kind not in HolidayKind.values() or not entry["name"]:
                    raise ValueError(kind)
                if str(day.year) != str(year) or day in entries:
                    raise ValueError(day)
            except (KeyError, TypeError, ValueError):
                raise HolidayFileError(
                    _("Holiday file %(path)s, year %(year)s: bad entry %(entry)s")
                    % {"path": path, "year": year, "entry": entry}
                ) from None
            note = entry.get("note", "")
            entries[day] = {
                "name": entry["name"],
                "name_en": entry.get("name_en", ""),
                "kind": kind,
                "provisional": bool(entry.get("provisional", False)),
                "source": f"{source} {note}".strip(),
            }
    return entries


def holidays_load(*, path: Path | str | None = None) -> int:
    """Load the holiday file (default: the shipped holidays_vn.json) into Holiday, idempotently.

    Creates or updates rows by date; in the file's years, removes rows that came from an
    earlier version of the file and are no longer in it. Rows entered or edited in the admin
    (`from_file` false) are never touched. Returns the number of rows created, changed or
    removed (0 when the table already matches the file).
    """
    from ioc.core.models import Holiday

    path = Path(path) if path else HOLIDAYS_FILE
    entries = _read_holiday_file(path)
    years = {day.year for day in entries}
    touched = 0
    with transaction.atomic():
        existing = {holiday.date: holiday for holiday in Holiday.objects.all()}
        for day, values in sorted(entries.items()):
            holiday = existing.get(day)
            if holiday is None:
                Holiday.objects.create(date=day, from_file=True, **values)
                touched += 1
            elif holiday.from_file and any(
                getattr(holiday, field) != value for field, value in values.items()
            ):
                for field, value in values.items():
                    setattr(holiday, field, value)
                holiday.save()
                touched += 1
        stale = [
            holiday.pk
            for day, holiday in existing.items()
            if holiday.from_file and day.year in years and day not in entries
        ]
        if stale:
            Holiday.objects.filter(pk__in=stale).delete()
            touched += len(stale)
    calendar_cache_clear()
    return touched
