"""The working-day calendar: deadlines across weekends and holidays, hours, the holiday file."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from ioc.core import calendar
from ioc.core.calendar import (
    HOLIDAYS_FILE,
    HolidayFileError,
    WorkingCalendar,
    add_working_days,
    add_working_hours,
    calendar_cache_clear,
    holidays_load,
    is_working_day,
    working_days_between,
    working_hours_between,
)
from ioc.core.choices import HolidayKind
from ioc.core.models import Holiday

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=VN)


@pytest.fixture(autouse=True)
def fresh_cache():
    calendar_cache_clear()
    yield
    calendar_cache_clear()


@pytest.fixture
def holidays(db):
    holidays_load()


def shipped_entries():
    document = json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))
    return {entry["date"]: entry for block in document["years"].values() for entry in block["days"]}


# Deadlines in working days -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        # Friday 16:00, 2 working days: Monday is the 1st, Tuesday the 2nd.
        (at(2024, 3, 15, 16), 2, at(2024, 3, 19, 17)),
        # After hours on Friday: received on Monday, due Wednesday.
        (at(2024, 3, 15, 18), 2, at(2024, 3, 20, 17)),
        (at(2024, 3, 15, 17), 2, at(2024, 3, 20, 17)),
        # On a Saturday: received on Monday.
        (at(2024, 3, 16, 10), 2, at(2024, 3, 20, 17)),
        # Before opening and at lunch: that day is the receipt day.
        (at(2024, 3, 18, 6), 1, at(2024, 3, 19, 17)),
        (at(2024, 3, 18, 12), 1, at(2024, 3, 19, 17)),
        # 0 days: the end of the receipt day.
        (at(2024, 3, 15, 16), 0, at(2024, 3, 15, 17)),
        (at(2024, 3, 15, 18), 0, at(2024, 3, 18, 17)),
        (at(2024, 3, 11, 9), 10, at(2024, 3, 25, 17)),
    ],
)
def test_add_working_days_across_a_weekend(holidays, received, days, due):
    assert add_working_days(received, days) == due


def test_deadline_across_tet_2025(holidays):
    # Tết Ất Tỵ: days off Saturday 25/01 to Sunday 02/02/2025.
    assert is_working_day(date(2025, 1, 24))
    assert not any(is_working_day(date(2025, 1, day)) for day in range(25, 32))
    assert not is_working_day(date(2025, 2, 2))
    assert add_working_days(at(2025, 1, 24, 10), 3) == at(2025, 2, 5, 17)
    assert add_working_days(at(2025, 1, 23, 16), 2) == at(2025, 2, 3, 17)
    assert working_days_between(date(2025, 1, 24), date(2025, 2, 5)) == 3
    assert working_days_between(at(2025, 2, 5, 17), at(2025, 1, 24, 10)) == -3


def test_deadline_across_30_april_and_1_may(holidays):
    # 2025: 30/04 and 01/05 off, Friday 02/05 swapped with Saturday 26/04.
    assert add_working_days(at(2025, 4, 29, 9), 2) == at(2025, 5, 6, 17)
    # 2024: Monday 29/04 swapped with Saturday 04/05; 30/04 and 01/05 off.
    assert add_working_days(at(2024, 4, 26, 9), 1) == at(2024, 5, 2, 17)
    assert add_working_days(at(2024, 4, 26, 9), 3) == at(2024, 5, 4, 17)
    # 2022: 30/04 and 01/05 on a weekend, days off on Monday 02/05 and Tuesday 03/05.
    assert add_working_days(at(2022, 4, 29, 9), 1) == at(2022, 5, 4, 17)


def test_make_up_saturday_is_a_working_day(holidays):
    assert is_working_day(date(2025, 4, 26))
    assert not is_working_day(date(2025, 4, 19))  # an ordinary Saturday
    assert not is_working_day(date(2025, 5, 2))  # the Friday swapped for it
    # Received Thursday 24/04/2025, 2 working days: Friday 25/04, then Saturday 26/04.
    assert add_working_days(at(2025, 4, 24, 10), 2) == at(2025, 4, 26, 17)
    # A request arriving on that Saturday morning counts from that day.
    assert add_working_days(at(2025, 4, 26, 8), 0) == at(2025, 4, 26, 17)
    assert add_working_hours(at(2025, 4, 25, 16), 2) == at(2025, 4, 26, 8, 30)


def test_other_holidays(holidays):
    assert not is_working_day(date(2024, 4, 18))  # Hùng Kings, Thursday
    assert not is_working_day(date(2026, 4, 27))  # Hùng Kings on Sunday 26/04: Monday off
    assert not is_working_day(date(2024, 9, 3))  # National Day, second day
    assert not is_working_day(date(2023, 1, 2))  # New Year's Day on a Sunday
    assert is_working_day(date(2024, 9, 4))
    assert working_days_between(date(2024, 8, 30), date(2024, 9, 6)) == 3


# Working hours --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        (at(2024, 3, 18, 10, 30), 2, at(2024, 3, 18, 14, 30)),  # across the lunch break
        (at(2024, 3, 18, 7, 30), 4, at(2024, 3, 18, 11, 30)),  # ends exactly at 11:30
        (at(2024, 3, 18, 12), 0.5, at(2024, 3, 18, 14)),  # starts during lunch
        (at(2024, 3, 18, 6), 1.25, at(2024, 3, 18, 8, 45)),  # before opening
        (at(2024, 3, 18, 16), 2, at(2024, 3, 19, 8, 30)),  # into the next morning
        (at(2024, 3, 15, 16, 30), 1, at(2024, 3, 18, 8)),  # across a weekend
        (at(2024, 3, 18, 8), 7.5, at(2024, 3, 19, 8)),  # one working day is 7.5 h
        (at(2024, 3, 18, 12), 0, at(2024, 3, 18, 13, 30)),  # 0 h: the next working moment
        (at(2025, 1, 24, 16), 2, at(2025, 2, 3, 8, 30)),  # across Tết 2025
    ],
)
def test_add_working_hours(holidays, start, hours, end):
    assert add_working_hours(start, hours) == end


def test_working_hours_between(holidays):
    assert working_hours_between(at(2024, 3, 18, 10, 30), at(2024, 3, 18, 14, 30)) == 2.0
    assert working_hours_between(at(2024, 3, 15, 16), at(2024, 3, 18, 8, 30)) == 2.0
    assert working_hours_between(at(2024, 3, 18, 8, 30), at(2024, 3, 15, 16)) == -2.0
    assert working_hours_between(at(2024, 3, 18, 12), at(2024, 3, 18, 13)) == 0.0
    assert working_hours_between(at(2025, 1, 24, 16), at(2025, 2, 3, 8, 30)) == 2.0
    assert working_hours_between(at(2024, 3, 18), at(2024, 3, 25)) == 37.5
    # Aware datetimes in another time zone are converted: 03:30 UTC is 10:30 in Vietnam.
    utc_start = datetime(2024, 3, 18, 3, 30, tzinfo=UTC)
    assert add_working_hours(utc_start, 2) == at(2024, 3, 18, 14, 30)


def test_bad_input_is_refused_clearly(holidays):
    with pytest.raises(ValueError, match="has no time zone"):
        add_working_days(datetime(2024, 3, 15, 16), 2)
    with pytest.raises(ValueError, match="has no time zone"):
        working_hours_between(datetime(2024, 3, 15, 16), at(2024, 3, 16))
    with pytest.raises(ValueError, match="cannot be negative"):
        add_working_days(at(2024, 3, 15, 16), -1)
    with pytest.raises(ValueError, match="cannot be negative"):
        add_working_hours(at(2024, 3, 15, 16), -0.5)
    with pytest.raises(TypeError):
        add_working_days(date(2024, 3, 15), 2)


def test_settings_change_the_hours_and_week(holidays, settings):
    settings.IOC_WORKING_HOURS = [("08:00", "12:00"), ("13:00", "17:00")]
    assert add_working_hours(at(2024, 3, 18, 11), 2) == at(2024, 3, 18, 14)
    settings.IOC_WORKING_WEEKDAYS = [0, 1, 2, 3, 4, 5]
    assert is_working_day(date(2024, 3, 16))
    assert add_working_days(at(2024, 3, 15, 16), 1) == at(2024, 3, 16, 17)
    # The environment's string forms.
    settings.IOC_WORKING_HOURS = "07:00-11:00, 13:00-16:30"
    settings.IOC_WORKING_WEEKDAYS = "0,1,2,3,4"
    assert add_working_hours(at(2024, 3, 18, 10), 2) == at(2024, 3, 18, 14)
    assert add_working_days(at(2024, 3, 15, 16), 1) == at(2024, 3, 18, 16, 30)


@pytest.mark.parametrize(
    ("hours", "weekdays"),
    [
        ("07:30-11:30,13:30", "0,1"),
        ([("11:30", "07:30")], "0,1"),
        ([("07:30", "12:00"), ("11:00", "17:00")], "0,1"),
        ("7h30-11h30", "0,1"),
        ("07:30-11:30", "mon,tue"),
        ("07:30-11:30", [7]),
        ("07:30-11:30", []),
    ],
)
def test_bad_working_hours_settings(hours, weekdays):
    with pytest.raises(ImproperlyConfigured):
        WorkingCalendar(hours=hours, weekdays=weekdays)


def test_calendar_without_database():
    working = WorkingCalendar(
        days_off=[date(2024, 3, 18)], working_days=[date(2024, 3, 23)], weekdays=[0, 1, 2, 3, 4]
    )
    assert not working.is_working_day(date(2024, 3, 18))
    assert working.is_working_day(date(2024, 3, 23))
    assert working.next_working_day(date(2024, 3, 15)) == date(2024, 3, 19)
    assert working.is_working_time(at(2024, 3, 19, 9))
    assert not working.is_working_time(at(2024, 3, 19, 12))


# The holiday file and its loader ------------------------------------------------------------
def test_shipped_file_has_every_holiday_of_2022_to_2027():
    entries = shipped_entries()
    tet = ["2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29", "2026-02-17", "2027-02-06"]
    hung_kings = ["2022-04-10", "2023-04-29", "2024-04-18", "2025-04-07", "2026-04-26"]
    hung_kings.append("2027-04-16")
    for year, new_year_tet, hung in zip(range(2022, 2028), tet, hung_kings, strict=True):
        for day in (f"{year}-01-01", new_year_tet, hung, f"{year}-04-30", f"{year}-05-01"):
            assert entries[day]["kind"] == "holiday", day
        assert "Hùng" in entries[hung]["name"]
        assert entries[f"{year}-09-02"]["kind"] == "holiday"
        national_day = [day for day in entries if day.startswith(f"{year}-09-0")]
        assert len([day for day in national_day if entries[day]["kind"] == "holiday"]) == 2
    provisional = sorted(day for day, entry in entries.items() if entry.get("provisional"))
    assert provisional == ["2026-09-01", "2027-02-04", "2027-09-03"]
    make_up = sorted(day for day, entry in entries.items() if entry["kind"] == "working_day")
    assert make_up == ["2024-05-04", "2025-04-26"]


def test_loader_is_idempotent(db):
    count = len(shipped_entries())
    assert holidays_load() == count
    assert Holiday.objects.count() == count
    stamp = list(Holiday.objects.values_list("date", "updated_at"))
    assert holidays_load() == 0
    assert list(Holiday.objects.values_list("date", "updated_at")) == stamp
    tet = Holiday.objects.get(date=date(2025, 1, 29))
    assert tet.kind == HolidayKind.HOLIDAY and tet.from_file and not tet.provisional
    assert "Ất Tỵ" in tet.name and tet.name_en.startswith("Lunar New Year")
    assert Holiday.objects.get(date=date(2027, 9, 3)).provisional


def test_loader_updates_removes_and_leaves_administrators_rows_alone(db, tmp_path):
    holidays_load()
    # An administrator confirmed 2027's National Day as 1-2 September instead of 2-3.
    Holiday.objects.filter(date=date(2027, 9, 3)).update(kind="working_day", from_file=False)
    Holiday.objects.create(date=date(2027, 9, 1), name="Quốc khánh", kind="holiday")
    path = tmp_path / "holidays.json"
    path.write_text(
        json.dumps(
            {
                "years": {
                    "2027": {
                        "source": "Test announcement.",
                        "days": [
                            {
                                "date": "2027-01-01",
                                "name": "Tết Dương lịch 2027",
                                "kind": "holiday",
                            },
                            {"date": "2027-09-03", "name": "Quốc khánh", "kind": "holiday"},
                        ],
                    }
                }
            }
        ),
        encoding="utf-8",
    )
    removed_2027 = Holiday.objects.filter(date__year=2027, from_file=True).count() - 1
    assert holidays_load(path=path) == 1 + removed_2027  # 01/01 renamed, the rest removed
    assert Holiday.objects.get(date=date(2027, 1, 1)).source == "Test announcement."
    assert Holiday.objects.get(date=date(2027, 9, 3)).kind == "working_day"  # left alone
    assert Holiday.objects.filter(date=date(2027, 9, 1)).exists()
    assert Holiday.objects.filter(date__year=2026).count() > 10  # other years untouched


def test_loader_refuses_a_bad_file(db, tmp_path):
    path = tmp_path / "holidays.json"
    path.write_text('{"years": {"2027": {"days": [{"date": "2027-02-30", "name": "x"}]}}}')
    with pytest.raises(HolidayFileError, match="year 2027: bad entry"):
        holidays_load(path=path)
    path.write_text("not json")
    with pytest.raises(HolidayFileError, match="Cannot read the holiday file"):
        holidays_load(path=path)
    assert not Holiday.objects.exists()


def test_command(db, capsys):
    call_command("core_load_holidays")
    assert Holiday.objects.count() == len(shipped_entries())
    assert str(len(shipped_entries())) in capsys.readouterr().out


def test_admin_save_takes_the_row_over(db, rf):
    from django.contrib.admin.sites import site

    holidays_load()
    holiday = Holiday.objects.get(date=date(2027, 2, 4))
    holiday.provisional = False
    site._registry[Holiday].save_model(rf.post("/"), holiday, form=None, change=True)
    holiday.refresh_from_db()
    assert not holiday.from_file and not holiday.provisional
    holidays_load()
    holiday.refresh_from_db()
    assert not holiday.provisional  # the loader leaves it alone


# The per-process cache ----------------------------------------------------------------------
def test_cache_notices_a_new_holiday_within_a_minute(db, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(calendar, "_clock", lambda: now[0])
    monday = date(2030, 6, 3)
    assert is_working_day(monday)
    Holiday.objects.create(date=monday, name="Ngày nghỉ mới", kind="day_off")
    now[0] += 10
    assert is_working_day(monday)  # cached: the table is checked at most every 60 s
    now[0] += 51
    assert not is_working_day(monday)  # the count changed: rebuilt
    Holiday.objects.filter(date=monday).update(kind="working_day")  # an edit in another process
    Holiday.objects.filter(date=monday).update(updated_at=datetime(2031, 1, 1, tzinfo=UTC))
    now[0] += 61
    assert is_working_day(monday)
    calendar_cache_clear()
    assert is_working_day(monday)


def test_admin_lists_holidays_by_year_and_kind_and_the_timeline(db, admin_client):
    holidays_load()
    response = admin_client.get("/admin/core/holiday/", {"year": "2025", "kind": "working_day"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [Holiday.objects.get(date=date(2025, 4, 26))]
    for url in ("/admin/core/holiday/add/", "/admin/core/timelineevent/"):
        assert admin_client.get(url).status_code == 200
    assert admin_client.get("/admin/core/timelineevent/add/").status_code == 403
