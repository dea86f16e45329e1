"""Submissions written together (reports/intake.py): one transaction for a batch, the same
queries whatever its size, and a bad submission failing alone."""

import pickle
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, connections

from ioc.core.models import TimelineEvent
from ioc.inbox.models import GroupNotification, Notification
from ioc.reports import intake
from ioc.reports.figures import TOTAL
from ioc.reports.models import Report, ReportFigures
from ioc.reports.tests.conftest import everyone_looks

pytestmark = pytest.mark.django_db


@pytest.fixture
def prepared(submit, people, monkeypatch):
    """prepared(n) -> n checked submissions of hotline reports, not written."""
    held: list[intake.Submission] = []
    monkeypatch.setattr(intake, "submit", lambda submission: held.append(submission))

    def make(count, **overrides):
        held.clear()
        for index in range(count):
            values = {"photos": [], "source": "phone", "reporter_email": "", **overrides}
            submit(description=f"Ổ gà số {index} trên đường Trần Hưng Đạo.", **values)
        return list(held)

    return make


def _received() -> int:
    """The reports counted in the summary's grand total (this month's)."""
    return ReportFigures.objects.get(level=TOTAL).received


def test_a_batch_stores_every_report_with_its_events_figures_and_notices(prepared):
    batch = prepared(3)

    results = intake._write_batch(batch)

    assert results == [submission.report for submission in batch]
    codes = sorted(Report.objects.values_list("tracking_code", flat=True))
    assert len(set(codes)) == 3 and codes == sorted(r.tracking_code for r in results)
    assert _received() == 3
    events = TimelineEvent.objects.filter(
        content_type__model="report", object_id__in=[str(r.pk) for r in results]
    )
    assert sorted(events.values_list("verb", flat=True)) == ["routed"] * 3 + ["submitted"] * 3
    # The agency's staff and head are told of each report: one INSERT of a group
    # notification a report, copied to each member's inbox when they look.
    assert list(GroupNotification.objects.values_list("audience", flat=True)) == (
        [f"agency:{results[0].agency_id}"] * 3
    )
    everyone_looks()
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == (
        ["head"] * 3 + ["staff"] * 3
    )


def test_a_submission_is_handed_over_as_plain_values(prepared, people, django_assert_num_queries):
    [submission] = prepared(1, reporter=people["citizen"])

    payload = pickle.dumps(submission)
    handed = pickle.loads(payload)  # noqa: S301 (the test's own)

    # No model instance travels (the category and agency they hold made the pickle 3 times
    # longer): the receiving process makes the report and takes them from its cached copy.
    assert b"ioc.reports.models" not in payload and b"ioc.accounts.models" not in payload
    ContentType.objects.get_for_model(Report)  # cached by every process (a test may clear it)
    with django_assert_num_queries(0):
        report = handed.report
        report.pk = 41  # as its INSERT sets it
        events = handed.event_rows()
        assert (report.category.code, report.agency.code) == ("pothole", "phan-thiet")
    assert report.reporter_id == people["citizen"].pk
    assert report.due_at == report.expected_at == submission.fields["due_at"]
    assert [(event["verb"], event["actor_id"], event["object_id"]) for event in events] == [
        ("submitted", people["citizen"].pk, "41"),
        ("routed", None, "41"),
    ]


def test_a_batch_costs_the_same_queries_whatever_its_size(prepared, django_assert_num_queries):
    intake._write_batch(prepared(1))  # creates the summary's rows for this month
    one, four = prepared(1), prepared(4)
    # Savepoint, reports, figures (cell and roll-ups), timeline, the agency's group
    # notifications, release; on PostgreSQL the notifications' lock in a savepoint too
    # (inbox.services._insert).
    queries = 6 + (3 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(queries):
        intake._write_batch(one)
    with django_assert_num_queries(queries):
        intake._write_batch(four)

    assert _received() == 6


def test_a_bad_submission_fails_alone_and_leaves_no_trace(prepared):
    good_1, bad, good_2 = prepared(3)
    bad.report.description = None  # NOT NULL: the database refuses it

    results = intake._write_batch([good_1, bad, good_2])

    assert results[0] is good_1.report and results[2] is good_2.report
    assert isinstance(results[1], IntegrityError)
    assert Report.objects.count() == 2 and _received() == 2
    assert TimelineEvent.objects.filter(verb="submitted").count() == 2
    assert GroupNotification.objects.count() == 2  # the agency's, for each stored report


def test_a_tracking_code_taken_already_is_drawn_again(prepared, monkeypatch):
    taken = intake._write_batch(prepared(1))[0].tracking_code
    batch = prepared(2)
    draws = iter([taken, "PA-2611-AAAAAA", "PA-2611-BBBBBB", "PA-2611-CCCCCC"])
    monkeypatch.setattr(intake, "_new_tracking_code", lambda moment: next(draws))

    results = intake._write_batch(batch)

    # The batch fails on the unique index, then each is written alone with a new draw.
    assert sorted(report.tracking_code for report in results) == [
        "PA-2611-BBBBBB",
        "PA-2611-CCCCCC",
    ]
    assert Report.objects.count() == 3 and _received() == 3


def _locked_elsewhere(path) -> bool:
    """Whether another process finds the lock file taken."""
    probe = (
        "import fcntl, sys\n"
        "with open(sys.argv[1], 'a+b') as file:\n"
        "    try:\n"
        "        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    except BlockingIOError:\n"
        "        sys.exit(3)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe, str(path)], check=False)  # noqa: S603
    assert run.returncode in (0, 3)
    return run.returncode == 3


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL takes concurrent writers")
def test_a_batch_leader_excludes_the_other_processes_on_a_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "ioc.sqlite3"))
    lock = tmp_path / "ioc.sqlite3.submissions-lock"
    own = connections["default"]
    writers = []

    for _batch in range(2):  # the file stays open between batches, the lock does not
        with intake._exclusive_between_processes():
            assert _locked_elsewhere(lock)
            writers.append(connections["default"])
        assert not _locked_elsewhere(lock)
        assert connections["default"] is own

    # Both batches write on the process's writer connection (core/sqlite_pool/writer.py).
    assert writers[0] is writers[1] is not own


def test_a_tracking_code_is_six_characters_of_the_alphabet_from_one_draw(monkeypatch):
    moment = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 1 December in Việt Nam (UTC+7)
    draws: list[int] = []

    def randbelow(limit: int) -> int:
        draws.append(limit)
        return {0: 0, 1: 31 * 2 + 1, 2: 31**6 - 1}[len(draws) - 1]

    monkeypatch.setattr(intake.random_pool, "randbelow", randbelow)

    codes = [intake._new_tracking_code(moment) for _draw in range(3)]

    assert codes == ["PA-2612-222222", "PA-2612-342222", "PA-2612-ZZZZZZ"]
    assert draws == [31**6] * 3
    assert len(intake.TRACKING_ALPHABET) == 31
