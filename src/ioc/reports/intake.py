"""The write of submitted reports: checked by `services.report_submit` (its values and
deadline, routed), made into model instances and stored here, several at a time when
they arrive together (core/group_commit.py).

One transaction per batch holds everything a submission writes, so that a 201 means all
of it is committed: the reports (one INSERT), their figures (one UPDATE per summary cell),
their two timeline events each (one INSERT), the queued photo tasks, the webhook outbox
and the in-app notices (one INSERT for the batch). On SQLite the batch's leader also takes
a file lock, so that the processes of `ioc serve --workers N` write one after another
instead of sleeping in SQLite's busy handler (up to 100 ms a turn), and writes on one
connection of its process, whose cache keeps the pages a batch writes.

When `ioc serve` runs the intake's writer process (SQLite on disk: core/writer_process.py,
`ioc intake_writer`), a web process hands it the checked submission instead, and that
process writes the batches of every web process on a core of its own. Without it (tests,
`runserver`, PostgreSQL, a writer that stopped) each web process writes as above.
"""

import fcntl
import functools
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.urls import get_script_prefix, set_script_prefix
from django.utils import timezone

from ioc.accounts.models import User
from ioc.core import random_pool, statements
from ioc.core.group_commit import GroupCommit, each_alone
from ioc.core.models import TimelineEvent
from ioc.core.sqlite_pool.writer import writer_connection
from ioc.core.writer_process import AnswerLost, WriterAbsent, WriterClient
from ioc.reports import figures, notifications, reference
from ioc.reports.choices import PhotoKind, ReportStatus, WebhookEvent
from ioc.reports.images import pending_delete
from ioc.reports.models import Report

logger = logging.getLogger("ioc.reports")
# Tracking codes avoid look-alike characters (0/O, 1/I/L) because people read them out.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
TRACKING_RANDOM_LENGTH = 6
TRACKING_DRAWS = 5


@dataclass(eq=False)
class Submission:
    """A checked report, with what its write adds, as plain values: a web process hands it
    to the writer process in a short pickle (no model instance, nor the rows they hold), and
    the report's instance and its events' rows are made where it is written (`report`,
    `event_rows`), off the web process's core when the writer runs."""

    fields: dict[str, Any]  # the report's, by attribute name (category_id, agency_id...)
    event_values: list[dict[str, Any]]  # its timeline events' (core.services.timeline_values)
    photo_names: list[str] = field(default_factory=list)  # checked uploads, kept privately
    photo_user_id: int | None = None
    replayed_at: datetime | None = None  # an imported report keeps its own dates
    # The request's script prefix, for the links of notices written in the writer process.
    script_prefix: str | None = None
    # The citizen's account, in the web process only: the writer reads it if a notice needs
    # it. The category and agency come from each process's cached copy (reference.py).
    reporter: User | None = None

    @functools.cached_property
    def report(self) -> Report:
        report = self.with_rows(statements.unsaved(Report, self.fields))
        figures.refresh_flags(report)
        return report

    def with_rows(self, report: Report) -> Report:
        """`report` (this submission's, made here) given the rows it refers to, without a
        query: the category and agency from this process's copy, the reporter if known."""
        reference.attach_cached_rows(report)
        if self.reporter is not None:
            report.reporter = self.reporter
        return report

    def event_rows(self) -> list[dict[str, Any]]:
        """Its timeline events' rows (statements.insert_values), once the report has its
        key."""
        target = {
            "content_type_id": ContentType.objects.get_for_model(Report).pk,
            "object_id": str(self.report.pk),
        }
        return [{**values, **target} for values in self.event_values]

    def __getstate__(self) -> dict[str, Any]:
        made_here = ("report", "reporter")
        return {name: value for name, value in vars(self).items() if name not in made_here}


def submit(submission: Submission) -> Report:
    """Store the submission; returns its report, committed (or inside the caller's
    transaction when there is one: it then writes alone, in a savepoint)."""
    try:
        if connection.in_atomic_block:
            return _write_alone(submission)
        return _written_by_writer_process(submission) or _SUBMISSIONS.run(submission)
    except BaseException:
        for name in submission.photo_names:
            pending_delete(name)
        raise


def _written_by_writer_process(submission: Submission) -> Report | None:
    """The report, written by the intake's writer process; None when none runs, or when
    it went away before its answer and had not stored the report: the caller writes it."""
    client = writer_client_for(str(connection.settings_dict["NAME"]), connection.vendor)
    if client is None or client.absent():
        return None
    fields = submission.fields
    # Drawn here, so that a lost answer can be checked: the writer keeps it (and draws
    # again only if the code was taken).
    fields["tracking_code"] = _new_tracking_code(fields["received_at"])
    submission.script_prefix = get_script_prefix()
    # The request's connection goes back to the process's pool while the writer works
    # (the next query takes one again): requests waiting for the writer would otherwise
    # hold a connection each, more than the pool keeps, and open new ones.
    connection.close()
    try:
        stored = client.call(submission)
    except WriterAbsent:
        return None
    except AnswerLost:
        code = fields["tracking_code"]
        logger.warning("The intake's writer process went away; checking report %s.", code)
        return Report.objects.filter(tracking_code=code, received_at=fields["received_at"]).first()
    report = submission.with_rows(statements.rebuilt(Report, stored))
    report._state.adding = False
    report._state.db = connection.alias
    return report


@functools.lru_cache(maxsize=8)
def writer_client_for(database: str, vendor: str) -> WriterClient | None:
    """The client of the writer process of a SQLite file (None for other databases)."""
    if vendor != "sqlite" or not _on_disk(database):
        return None
    return WriterClient(writer_socket_path(database))


def writer_socket_path(database: str) -> str:
    return f"{database}.intake.sock"


def write_handed_over(batch: list[Submission]) -> list[dict[str, Any] | Exception]:
    """In the writer process: write submissions handed over by web processes; for each,
    the values its report got there (key, a tracking code drawn again, dates set on
    INSERT...) or its error."""
    with _exclusive_between_processes():
        results = _write_batch(batch)
    return [
        result
        if isinstance(result, Exception)
        else {name: value for name, value in vars(result).items() if name != "_state"}
        for result in results
    ]


def _write_batch(batch: list[Submission]) -> list[Report | Exception]:
    if len(batch) > 1:
        try:
            with transaction.atomic():
                _insert(batch)
            return [submission.report for submission in batch]
        except Exception:  # one bad submission must not fail the others
            logger.warning(
                "A batch of %s reports failed; writing them one by one.", len(batch), exc_info=True
            )
            for submission in batch:
                _forget_keys(submission)
    return list(each_alone(_write_alone, batch))


def _write_alone(submission: Submission) -> Report:
    attempt = 1
    while True:
        try:
            with transaction.atomic():
                _insert([submission])
            return submission.report
        except IntegrityError:
            # A tracking code taken already fails the INSERT on the unique index: draw
            # again. Anything else is raised.
            code = submission.report.tracking_code
            _forget_keys(submission)
            taken = Report.objects.filter(tracking_code=code).exists()
            if attempt == TRACKING_DRAWS or not taken:
                raise
            attempt += 1


def _forget_keys(submission: Submission) -> None:
    """Back to unsaved after a rolled-back INSERT, for another try."""
    submission.report.pk = None
    submission.report.tracking_code = ""  # drawn again
    submission.report._state.adding = True


def _insert(batch: list[Submission]) -> None:
    from ioc.reports.tasks import enqueue_with_commit, publish_report_photos

    reports = [submission.report for submission in batch]
    _draw_tracking_codes(reports)
    statements.insert(reports)
    figures.reports_added(reports)
    event_keys = iter(
        statements.insert_values(
            TimelineEvent, [row for submission in batch for row in submission.event_rows()]
        )
    )
    for submission in batch:
        keys = [next(event_keys) for _values in submission.event_values]
        if submission.replayed_at is not None:  # created_at is set on INSERT: set it after
            TimelineEvent.objects.filter(pk__in=keys).update(created_at=submission.replayed_at)
        if submission.photo_names:
            enqueue_with_commit(
                publish_report_photos,
                submission.report.pk,
                submission.photo_names,
                PhotoKind.CITIZEN,
                submission.photo_user_id,
            )
    with notifications.batched():
        for submission in batch:
            report = submission.report
            if submission.script_prefix is not None:
                set_script_prefix(submission.script_prefix)
            notifications.schedule(report=report, event=WebhookEvent.SUBMITTED)
            notifications.schedule(
                report=report, event=WebhookEvent.STATUS_CHANGED, from_status=ReportStatus.NEW
            )


def _draw_tracking_codes(reports: list[Report]) -> None:
    """A fresh code for each report that has none (PA-2611-K7QM3D: year and month, then
    six of 31 characters, ≈ 887 million a month), distinct within the batch. A code taken
    already fails the INSERT on the unique index; the batch is then written one by one,
    and _write_alone draws again."""
    drawn: set[str] = set()
    for report in reports:
        code = report.tracking_code
        while not code or code in drawn:
            code = _new_tracking_code(report.received_at)
        report.tracking_code = code
        drawn.add(code)


def _new_tracking_code(moment: datetime) -> str:
    local = moment.astimezone(timezone.get_default_timezone())  # the deployment's month
    # One draw, cut into six base-31 digits, from the pool of random bytes
    # (core/random_pool.py: a read of the system's source hands the GIL over under load).
    number = random_pool.randbelow(len(TRACKING_ALPHABET) ** TRACKING_RANDOM_LENGTH)
    characters = []
    for _i in range(TRACKING_RANDOM_LENGTH):
        number, digit = divmod(number, len(TRACKING_ALPHABET))
        characters.append(TRACKING_ALPHABET[digit])
    return f"PA-{local:%y%m}-{''.join(characters)}"


@contextmanager
def _exclusive_between_processes() -> Iterator[None]:
    """On SQLite, an flock of a file beside the database file, held by a batch's leader,
    which writes on the process's writer connection (core/sqlite_pool/writer.py says
    why); nothing elsewhere (PostgreSQL takes concurrent writers)."""
    database = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not _on_disk(database):
        yield
        return
    lock_file = _lock_file(f"{database}.submissions-lock")
    fcntl.flock(lock_file, fcntl.LOCK_EX)
    try:
        with writer_connection():
            yield
    finally:
        fcntl.flock(lock_file, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=8)
def _on_disk(database: str) -> bool:
    """Whether a SQLite database name is a file in a folder (not in memory)."""
    return (
        not database.startswith("file:")
        and ":memory:" not in database
        and Path(database).parent.is_dir()
    )


# {path: (process id, descriptor)}: each lock file opened once per process (an open, an
# fstat and a close a batch cost ≈ 0.1 ms). A forked child opens its own: an flock
# belongs to the open file, which a fork shares.
_lock_files: dict[str, tuple[int, int]] = {}


def _lock_file(path: str) -> int:
    opened = _lock_files.get(path)
    if opened is None or opened[0] != os.getpid():
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        opened = _lock_files[path] = (os.getpid(), descriptor)
    return opened[1]


_SUBMISSIONS: GroupCommit[Submission] = GroupCommit(
    write_batch=_write_batch, exclusive=_exclusive_between_processes
)
