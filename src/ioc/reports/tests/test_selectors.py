"""Figures as of the end of a period, deadlines, the work queue, duplicate suggestions."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ioc.reports import services
from ioc.reports.choices import RejectReason
from ioc.reports.selectors import (
    deadline_state,
    report_duplicates,
    report_stats,
    report_work_queue,
    text_similarity,
)
from ioc.reports.tests.conftest import PHAN_THIET, TUYEN_QUANG, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(submit, people):
    """a: January 2024, resolved today (late) and rated 5; b: January, still open;
    c: January, in Tuyên Quang (old district 598), rejected today; d: February, open."""
    a = submit(received_at=local(2024, 1, 10, 9, 0))
    b = submit(received_at=local(2024, 1, 11, 9, 0))
    c = submit(category="noise", point=TUYEN_QUANG, received_at=local(2024, 1, 12, 9, 0))
    d = submit(received_at=local(2024, 2, 5, 9, 0))
    services.report_resolve(report=a, answer="Đã vá.", actor=people["staff"])
    services.report_rate(report=a, rating=5)
    services.report_reject(report=c, reason=RejectReason.SPAM, actor=people["operator"])
    return {"a": a, "b": b, "c": c, "d": d}


def test_past_period_counts_reports_as_they_stood_at_its_end(history):
    # when: January 2024, when none had been handled yet
    figures = report_stats(start=date(2024, 1, 1), end=date(2024, 1, 31))

    # then: a report resolved after the end counts as in progress
    assert figures.as_dict() == {
        "received": 3,
        "completed": 0,
        "in_progress": 3,
        "overdue": 3,
        "ratings": 0,
        "satisfied": 0,
        "satisfied_pct": None,
        "on_time_pct": None,
    }


def test_period_up_to_today_counts_todays_completions_and_ratings(history):
    figures = report_stats(start=date(2024, 1, 1), end=timezone.localdate())

    assert figures.as_dict() == {
        "received": 4,
        "completed": 2,
        "in_progress": 2,
        "overdue": 2,
        "ratings": 1,
        "satisfied": 1,
        "satisfied_pct": 100.0,
        "on_time_pct": 0.0,
    }


def test_figures_filter_by_area_category_and_agency(history):
    today = timezone.localdate()
    start = date(2024, 1, 1)

    by_old_district = report_stats(start=start, end=today, legacy_district="598")
    by_commune = report_stats(start=start, end=today, commune="22945")
    by_category = report_stats(start=start, end=today, category="pothole")
    by_agency = report_stats(start=start, end=today, agency="phan-thiet")

    assert (by_old_district.received, by_old_district.completed) == (1, 1)
    assert (by_commune.received, by_commune.completed, by_commune.ratings) == (3, 1, 1)
    assert by_category.received == 3
    assert by_agency.received == 3


def test_satisfied_means_four_or_five_stars(submit, people):
    for rating in (5, 4, 3):
        report = services.report_resolve(report=submit(), answer="Xong", actor=people["staff"])
        services.report_rate(report=report, rating=rating)

    figures = report_stats(start=timezone.localdate(), end=timezone.localdate())

    assert (figures.ratings, figures.satisfied, figures.satisfied_pct) == (3, 2, 66.7)
    assert figures.on_time_pct == 100.0


def test_deadline_states_from_the_due_date(submit):
    # given: received Monday 23/11/2026 08:00, 3 working days -> due Thursday 26/11 17:00
    report = submit(received_at=local(2026, 11, 23, 8, 0))
    assert report.due_at == local(2026, 11, 26, 17, 0)

    # when / then
    assert deadline_state(report, now=local(2026, 11, 24, 9, 0)) == "on_track"
    assert deadline_state(report, now=local(2026, 11, 26, 9, 0)) == "due_soon"
    assert deadline_state(report, now=local(2026, 11, 25, 17, 0)) == "due_soon"
    assert deadline_state(report, now=local(2026, 11, 26, 17, 1)) == "overdue"


def test_work_queue_lists_my_agency_open_reports_by_urgency(submit, people):
    late = submit(received_at=local(2026, 11, 2, 8, 0))
    soon = submit(received_at=local(2026, 11, 23, 8, 0))
    submit(category="streetlight")  # another agency's
    done = services.report_resolve(report=submit(), answer="Xong", actor=people["staff"])
    now = local(2026, 11, 26, 9, 0)

    mine = list(report_work_queue(user=people["staff"], view="mine", now=now))
    overdue = list(report_work_queue(user=people["staff"], view="overdue", now=now))
    due_soon = list(report_work_queue(user=people["staff"], view="due_soon", now=now))

    assert [r.pk for r in mine[:2]] == [late.pk, soon.pk]
    assert done.pk not in [r.pk for r in mine]
    assert [r.pk for r in overdue] == [late.pk]
    assert [r.pk for r in due_soon] == [soon.pk]


def test_an_operator_of_an_agency_sees_every_overdue_report_not_only_the_agencys(
    submit, people, world
):
    late_here = submit(received_at=local(2026, 11, 2, 8, 0))  # phan-thiet's
    late_elsewhere = submit(category="streetlight", received_at=local(2026, 11, 2, 8, 0))
    operator = people["operator"]
    operator.agency = world["power"]
    operator.save()
    now = local(2026, 11, 26, 9, 0)

    overdue = report_work_queue(user=operator, view="overdue", now=now)
    mine = report_work_queue(user=operator, view="mine", now=now)

    assert sorted(r.pk for r in overdue) == sorted([late_here.pk, late_elsewhere.pk])
    assert [r.pk for r in mine] == [late_elsewhere.pk]
    staff_overdue = report_work_queue(user=people["staff"], view="overdue", now=now)
    assert [r.pk for r in staff_overdue] == [late_here.pk]


def test_nearby_open_report_with_similar_text_is_suggested(submit, people):
    # given
    near = submit(description="Ổ gà rất lớn trên đường Trần Hưng Đạo gần chợ")
    far = submit(
        description="Ổ gà rất lớn trên đường Trần Hưng Đạo gần chợ",
        lat=PHAN_THIET[0] + 0.0027,
    )
    unrelated = submit(description="Cây đổ chắn ngang vỉa hè sau bão", lat=PHAN_THIET[0] + 0.0002)
    closed = services.report_resolve(
        report=submit(description="Ổ gà rất lớn trên đường Trần Hưng Đạo gần chợ"),
        answer="Xong",
        actor=people["staff"],
    )
    other_category = submit(
        category="streetlight", description="Ổ gà rất lớn trên đường Trần Hưng Đạo gần chợ"
    )

    # when: a citizen writes about the same pothole, 50 m away
    suggestions = report_duplicates(
        lat=PHAN_THIET[0] + 0.00045,
        lon=PHAN_THIET[1],
        category=near.category,
        text="o ga rat lon tren duong Tran Hung Dao",
    )

    # then
    assert [s.report.pk for s in suggestions] == [near.pk]
    assert suggestions[0].distance_m == 50.0
    assert {far.pk, unrelated.pk, closed.pk, other_category.pk}.isdisjoint(
        s.report.pk for s in suggestions
    )


def test_text_similarity_ignores_case_and_diacritics():
    assert text_similarity("Đèn đường hỏng", "den duong hong") == 1.0
    assert text_similarity("Đèn đường hỏng", "Rác thải bốc mùi") == 0.0


def test_duplicates_respect_the_time_window(submit):
    old = submit(received_at=timezone.now() - timedelta(days=40))

    assert report_duplicates(lat=PHAN_THIET[0], lon=PHAN_THIET[1], category=old.category) == []


def test_reopening_later_does_not_change_a_past_period(history, people):
    # given: a was resolved today, then the citizen is unhappy and it is reopened
    from ioc.reports.models import Report

    a = Report.objects.get(pk=history["a"].pk)
    services.report_reopen(report=a, reason="Chưa sửa xong", actor=people["operator"])
    today = timezone.localdate()

    # when
    figures = report_stats(start=date(2024, 1, 1), end=today)

    # then: completed by the end of the period it stays, as first completed
    assert (figures.completed, figures.in_progress) == (2, 2)


def test_a_replayed_history_counts_in_its_own_period(submit, people):
    # given: a report of January 2024 handled then (as an import or the demo data does)
    from ioc.reports.selectors import report_timeline

    report = submit(received_at=local(2024, 1, 8, 9, 0))
    services.report_start(report=report, actor=people["staff"], at=local(2024, 1, 8, 14, 0))
    services.report_resolve(
        report=report, answer="Đã vá", actor=people["staff"], at=local(2024, 1, 9, 10, 0)
    )
    services.report_rate(report=report, rating=4, at=local(2024, 1, 10, 8, 0))

    # when
    figures = report_stats(start=date(2024, 1, 1), end=date(2024, 1, 31))

    # then
    assert (figures.completed, figures.satisfied, figures.on_time_pct) == (1, 1, 100.0)
    assert [e.created_at for e in report_timeline(report=report, public=True)] == [
        local(2024, 1, 8, 9, 0),
        local(2024, 1, 8, 9, 0),
        local(2024, 1, 8, 14, 0),
        local(2024, 1, 9, 10, 0),
        local(2024, 1, 10, 8, 0),
    ]
