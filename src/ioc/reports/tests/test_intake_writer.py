"""Submissions handed to the intake's writer process (reports/intake.py): the report
comes back committed, as if written in process, and a writer that goes away after the
hand-over neither loses a report nor stores it twice.

The writer runs on a thread here (core/writer_process.serve, as `ioc intake_writer` runs
it), on its own connection to the test database: hence transactional tests."""

import os
import pickle
import socket
import threading

import pytest

from ioc.core import writer_process
from ioc.core.models import TimelineEvent
from ioc.core.writer_process import WriterClient
from ioc.inbox.models import GroupNotification
from ioc.reports import intake
from ioc.reports.models import Report

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def socket_path(tmp_path, monkeypatch):
    """Where the web side finds its writer (a SQLite file's writer in production)."""
    path = str(tmp_path / "intake.sock")
    monkeypatch.setattr(intake, "writer_client_for", lambda database, vendor: WriterClient(path))
    return path


@pytest.fixture
def hotline(submit, people):
    def make(description="Ổ gà lớn trên đường Trần Hưng Đạo."):
        return submit(description=description, photos=[], source="phone", reporter_email="")

    return make


def _events_of(report):
    return TimelineEvent.objects.filter(content_type__model="report", object_id=str(report.pk))


class _OnThread:
    """Runs `target(listener_path)` on a thread until the test ends."""

    def __init__(self, target, path):
        self.path, self.stop = path, threading.Event()
        self.thread = threading.Thread(target=target, args=(self,))

    def __enter__(self):
        self.thread.start()
        for _ in range(500):
            if os.path.exists(self.path):
                return self
            self.stop.wait(0.01)
        raise AssertionError("nothing listens")

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)


def _writer(handed_over: list):
    def write(batch):
        handed_over.extend(batch)
        return intake.write_handed_over(batch)

    def run(running):
        try:
            writer_process.serve(running.path, write, stopping=running.stop.is_set)
        finally:
            from django.db import connection

            connection.close()

    return run


def _dies_after_reading(*, having_written: bool):
    """A writer that reads one submission, writes it or not, and dies before answering."""

    def run(running):
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(running.path)
        listener.listen(1)
        listener.settimeout(10)
        try:
            client, _ = listener.accept()
            header = client.recv(4)
            body = b""
            while len(body) < int.from_bytes(header, "big"):
                body += client.recv(65536)
            if having_written:
                intake.write_handed_over([pickle.loads(body)])  # noqa: S301 (the test's own)
            client.close()
        finally:
            listener.close()
            from django.db import connection

            connection.close()

    return run


def test_a_report_handed_to_the_writer_comes_back_committed(socket_path, hotline):
    handed_over: list = []
    with _OnThread(_writer(handed_over), socket_path):
        report = hotline()

    stored = Report.objects.get()
    assert len(handed_over) == 1
    assert (report.pk, report.tracking_code) == (stored.pk, stored.tracking_code)
    assert report.tracking_code.startswith("PA-")
    assert report._state.adding is False
    assert report.updated_at == stored.updated_at  # set by the INSERT, in the writer
    assert sorted(_events_of(stored).values_list("verb", flat=True)) == ["routed", "submitted"]
    assert list(GroupNotification.objects.values_list("audience", "kind")) == [
        (f"agency:{stored.agency_id}", "report.assigned")
    ]


def test_the_tracking_code_drawn_before_the_hand_over_is_kept(socket_path, hotline):
    handed_over: list = []
    with _OnThread(_writer(handed_over), socket_path):
        report = hotline()

    assert handed_over[0].report.tracking_code == report.tracking_code


def test_a_writer_dying_after_storing_the_report_leaves_it_stored_once(socket_path, hotline):
    with _OnThread(_dies_after_reading(having_written=True), socket_path):
        report = hotline()

    stored = Report.objects.get()
    assert (report.pk, report.tracking_code) == (stored.pk, stored.tracking_code)


def test_a_writer_dying_before_storing_the_report_leaves_it_to_the_web_process(
    socket_path, hotline
):
    with _OnThread(_dies_after_reading(having_written=False), socket_path):
        report = hotline()

    stored = Report.objects.get()
    assert (report.pk, report.tracking_code) == (stored.pk, stored.tracking_code)
    assert _events_of(stored).count() == 2


def test_without_a_writer_the_web_process_writes_the_report(socket_path, hotline):
    report = hotline()  # nothing listens at socket_path

    assert Report.objects.get().tracking_code == report.tracking_code
