"""The figures read from the monthly summary plus the edges of the period (ioc.reports.
figures) are exactly those counted report by report, for any period, filter and group."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ioc.reports import figures, selectors, services
from ioc.reports.choices import RejectReason, ReportSource, ReportStatus
from ioc.reports.models import Report, ReportFigures
from ioc.reports.tests.conftest import MUI_NE, PHAN_THIET, TUYEN_QUANG, TZ, local

pytestmark = pytest.mark.django_db


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=TZ)


@pytest.fixture
def long_history(submit, people, world):
    """70 reports over 2024 and 2025 written through the services with their history:
    resolved or rejected after minutes to 80 days, rated, transferred, re-categorised,
    reopened, given a longer deadline, or still open."""
    rng = random.Random(7)
    operator = people["operator"]
    points = [PHAN_THIET, MUI_NE, TUYEN_QUANG]
    for index in range(70):
        received = local(2024, 1, 1, 8, 0) + timedelta(hours=rng.randrange(0, 640 * 24))
        report = submit(
            category=rng.choice(["pothole", "streetlight", "noise"]),
            point=rng.choice(points),
            photos=[],
            source=ReportSource.PHONE,
            received_at=received,
        )
        at = received + timedelta(hours=1)
        if report.status == ReportStatus.TRIAGE:
            report = services.report_assign(
                report=report, agency=world["other"], actor=operator, at=at
            )
        fate = index % 7
        if fate == 0:
            continue  # still open
        if fate == 1:
            report = services.report_update(report=report, actor=operator, category=world["noise"])
        if fate == 2:
            target = (
                world["power"] if report.agency_id == world["transport"].pk else world["transport"]
            )
            report = services.report_transfer(
                report=report, agency=target, reason="Sai đơn vị", actor=operator, at=at
            )
        if fate == 3:
            extension = services.report_request_extension(
                report=report,
                until=received + timedelta(days=45),
                reason="Chờ vật tư",
                actor=operator,
            )
            services.report_decide_extension(extension=extension, approve=True, actor=operator)
            report = Report.objects.get(pk=report.pk)
        lag = timedelta(hours=rng.choice([0.5, 5, 30, 100, 400, 900, 1900]))
        done = at + lag
        if fate == 4:
            report = services.report_reject(
                report=report, reason=RejectReason.OUT_OF_SCOPE, actor=operator, at=done
            )
            continue
        report = services.report_resolve(report=report, answer="Đã xử lý.", actor=operator, at=done)
        if rng.random() < 0.7:
            rated = done + timedelta(days=rng.choice([1, 3, 40]))
            report = services.report_rate(report=report, rating=rng.randint(1, 5), at=rated)
    return list(Report.objects.all())


def reference(reports, start: date, end: date, keep=lambda report: True) -> dict:
    """The figures of report_stats counted one report at a time, in Python."""
    period_end = start_of(end + timedelta(days=1))
    rows = [r for r in reports if start_of(start) <= r.received_at < period_end and keep(r)]
    done = [r for r in rows if r.completed_at and r.completed_at < period_end]
    rated = [r for r in rows if r.rating is not None and r.rated_at and r.rated_at < period_end]
    on_time = sum(1 for r in done if r.completed_on_time)
    satisfied = sum(1 for r in rated if r.rating >= 4)
    return {
        "received": len(rows),
        "completed": len(done),
        "in_progress": len(rows) - len(done),
        "overdue": sum(
            1 for r in rows if r not in done and r.due_at is not None and r.due_at < period_end
        ),
        "ratings": len(rated),
        "satisfied": satisfied,
        "satisfied_pct": round(100 * satisfied / len(rated), 1) if rated else None,
        "on_time_pct": round(100 * on_time / len(done), 1) if done else None,
    }


def periods(today: date) -> list[tuple[date, date]]:
    rng = random.Random(3)
    chosen = [
        (date(2024, 1, 1), today),
        (date(2024, 1, 1), date(2024, 12, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 3, 1), date(2024, 3, 31)),
        (date(2024, 2, 15), date(2025, 3, 14)),
    ]
    for _ in range(20):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 700))
        chosen.append((start, min(start + timedelta(days=rng.randrange(0, 500)), today)))
    return chosen


def test_figures_equal_those_counted_report_by_report(long_history):
    today = timezone.localdate()
    used_summary = 0
    for start, end in periods(today):
        the_plan = figures.plan(start=start, end=end, filters={})
        used_summary += the_plan.summary is not None
        assert selectors.report_stats(start=start, end=end).as_dict() == reference(
            long_history, start, end
        ), (start, end)
    # the check is worth something only if most periods read the summary
    assert used_summary >= 15


def test_filtered_and_grouped_figures_equal_those_counted_report_by_report(long_history, world):
    today = timezone.localdate()
    pothole, phan_thiet = world["pothole"], world["phan_thiet_unit"]
    for start, end in periods(today)[:10]:
        by_category = selectors.report_stats(start=start, end=end, category="pothole")
        assert by_category.as_dict() == reference(
            long_history, start, end, lambda r: r.category_id == pothole.pk
        )
        by_commune = selectors.report_stats(start=start, end=end, commune="22945")
        assert by_commune.as_dict() == reference(
            long_history, start, end, lambda r: r.commune_id == phan_thiet.pk
        )
        by_district = selectors.report_stats(start=start, end=end, legacy_district="598")
        assert by_district.as_dict() == reference(
            long_history,
            start,
            end,
            lambda r: r.legacy_district and r.legacy_district.code == "598",
        )
        heads = {world["phan_thiet"].pk, world["sub"].pk}
        by_agencies = selectors.report_figures(start=start, end=end, agency_ids=heads)
        assert by_agencies.as_dict() == reference(
            long_history, start, end, lambda r, heads=heads: r.agency_id in heads
        )
        for group, attribute in (
            ("commune", "commune"),
            ("legacy_district", "legacy_district"),
            ("category", "category"),
            ("agency", "agency"),
        ):
            rows = selectors.report_stats_by(group=group, start=start, end=end)
            for row in rows:
                assert row.stats.as_dict() == reference(
                    long_history,
                    start,
                    end,
                    lambda r, code=row.code, a=attribute: (
                        (getattr(r, a).code if getattr(r, a) else None) == code
                    ),
                ), (group, row.code, start, end)
            assert (
                sum(row.stats.received for row in rows)
                == reference(long_history, start, end)["received"]
            )


def test_monthly_trend_and_median_equal_those_counted_report_by_report(long_history):
    start, end = date(2024, 1, 1), date(2025, 6, 30)
    period_end = start_of(end + timedelta(days=1))
    rows = [r for r in long_history if start_of(start) <= r.received_at < period_end]

    trend = selectors.report_monthly_trend(start=start, end=end)

    def month(moment: datetime) -> str:
        return f"{timezone.localtime(moment):%m/%Y}"

    assert len(trend) == 18
    for item in trend:
        assert item["received"] == sum(1 for r in rows if month(r.received_at) == item["month"])
        assert item["completed"] == sum(
            1
            for r in rows
            if r.completed_at
            and r.completed_at < period_end
            and month(r.completed_at) == item["month"]
        )
    hours = sorted(
        (r.completed_at - r.received_at).total_seconds() / 3600
        for r in rows
        if r.completed_at and r.completed_at < period_end
    )
    middle = len(hours) // 2
    expected = hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2
    assert selectors.report_median_hours_to_complete(start=start, end=end) == round(expected, 1)


def test_the_summary_kept_at_each_write_equals_one_counted_afresh(long_history):
    kept = {row.key: row for row in ReportFigures.objects.all()}
    flags = dict(Report.objects.values_list("pk", "has_late_event"))

    rows = figures.figures_rebuild()

    fresh = {row.key: row for row in ReportFigures.objects.all()}
    assert rows == len(fresh) == len(kept) > 20
    fields = [f.name for f in ReportFigures._meta.fields if f.name not in ("id",)]
    for key, row in fresh.items():
        assert [getattr(row, f) for f in fields] == [getattr(kept[key], f) for f in fields], key
    assert dict(Report.objects.values_list("pk", "has_late_event")) == flags
    # some reports had a late event (completion, rating or new deadline after 31 days)
    assert 5 < sum(flags.values()) < 60


def test_a_new_report_counts_at_once(long_history, submit):
    today = timezone.localdate()
    before = selectors.report_stats(start=date(2024, 1, 1), end=today)

    submit(photos=[], source=ReportSource.PHONE)

    after = selectors.report_stats(start=date(2024, 1, 1), end=today)
    assert (after.received, after.in_progress) == (before.received + 1, before.in_progress + 1)


def test_median_from_a_histogram_interpolates_inside_its_bucket():
    counts = [0] * len(figures.BUCKETS)
    # three reports between 48 and 72 hours, one between 72 and 96
    counts[figures.HOUR_EDGES.index(72)] = 3
    counts[figures.HOUR_EDGES.index(96)] = 1

    # ranks 1 and 2 of 4: the 2nd and 3rd of the three spread evenly over 48-72 h
    assert figures.median_from_histogram(counts) == 64.0
    assert figures.median_from_histogram([0] * len(figures.BUCKETS)) is None


def test_completion_buckets_and_the_late_flag():
    received = local(2024, 1, 1, 8, 0)

    assert figures.completion_bucket(received, None) is None
    assert figures.completion_bucket(received, received + timedelta(minutes=30)) == 0
    assert figures.completion_bucket(received, received + timedelta(hours=48)) == 11
    assert figures.completion_bucket(received, received + timedelta(days=400)) == 21
    assert not figures.has_late_event(received, received + timedelta(days=31), None)
    assert figures.has_late_event(received, None, received + timedelta(days=31, seconds=1))


def test_the_command_counts_the_summary_afresh(long_history):
    from io import StringIO

    from django.core.management import call_command

    kept = ReportFigures.objects.count()
    ReportFigures.objects.all().delete()
    output = StringIO()

    call_command("reports_figures", "--rebuild", stdout=output)

    assert ReportFigures.objects.count() == kept
    assert output.getvalue().startswith(f"{kept} summary rows counted in ")


def test_the_dashboard_reads_the_same_figures_in_fewer_queries(long_history, world):
    today = timezone.localdate()
    heads = {world["phan_thiet"].pk, world["sub"].pk}
    for start, end in periods(today)[:8]:
        for filters in ({}, {"commune": "22945"}, {"agency_ids": heads}):
            board = selectors.report_dashboard_figures(start=start, end=end, **filters)
            assert board.stats == selectors.report_figures(start=start, end=end, **filters)
            for group, rows in (
                ("commune", board.by_commune),
                ("agency", board.by_agency),
                ("category", board.by_category),
            ):
                assert rows == selectors.report_stats_by(
                    group=group, start=start, end=end, **filters
                ), (group, filters, start, end)


def test_the_histogram_of_hours_to_completion_equals_one_counted_report_by_report(
    long_history,
):
    today = timezone.localdate()
    for start, end in periods(today):
        period_end = start_of(end + timedelta(days=1))
        expected = [0] * len(figures.BUCKETS)
        for r in long_history:
            done = r.completed_at is not None and r.completed_at < period_end
            if done and start_of(start) <= r.received_at < period_end:
                expected[figures.completion_bucket(r.received_at, r.completed_at)] += 1
        the_plan = figures.plan(start=start, end=end, filters={})
        assert figures.hours_histogram(the_plan) == expected, (start, end)


def test_a_partial_read_of_reports_does_not_fetch_the_missing_fields(long_history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        codes = [report.tracking_code for report in Report.objects.only("tracking_code")]

    assert (len(codes), len(queries)) == (70, 1)


def test_a_completion_saves_the_figures_flags_with_the_report(submit, people):
    report = submit(reporter_email="")
    with CaptureQueriesContext(connection) as queries:
        services.report_resolve(report=report, answer="Đã vá.", actor=people["staff"])

    saved = Report.objects.get(pk=report.pk)
    assert (saved.has_late_event, saved.completion_bucket) == (
        False,
        figures.completion_bucket(saved.received_at, saved.completed_at),
    )
    assert saved.completion_bucket == 0  # resolved within the hour
    report_updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "reports_report"')]
    assert len(report_updates) == 1 and '"completion_bucket"' in report_updates[0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_reports_with_a_late_event_are_read_from_their_index_alone(long_history):
    """A past year's dashboard reads the reports with a late event through their partial
    index; every column those queries name is in it, so no table page is read (at a
    million reports that cost 20 to 40 ms a query, docs/performance.md)."""
    with CaptureQueriesContext(connection) as queries:
        selectors.report_dashboard_figures(start=date(2024, 1, 1), end=date(2024, 12, 31))

    late = [query["sql"] for query in queries if '"has_late_event" = 1' in query["sql"]]
    assert len(late) >= 3  # the figures, their groups, the median's histogram
    with connection.cursor() as cursor:
        for sql in late:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "COVERING INDEX report_late_events" in plan, (sql, plan)
