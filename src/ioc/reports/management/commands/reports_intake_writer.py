"""`ioc intake_writer`: the intake's writer process, which `ioc serve` starts beside the
web processes on a SQLite file (reports/intake.py, core/writer_process.py)."""

import fcntl
import os
import signal

from django.core.management.base import BaseCommand
from django.db import connection

from ioc.core import writer_process
from ioc.reports import intake


class Command(BaseCommand):
    help = (
        "Write the reports the web processes receive, in batches, on a core of its own "
        "(SQLite only; it stops with the process that started it)."
    )

    def handle(self, *args, **options) -> None:
        database = str(connection.settings_dict["NAME"])
        if intake.writer_client_for(database, connection.vendor) is None:
            self.stdout.write("The intake's writer process is for a SQLite file only: not started.")
            return
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
        lock = os.open(f"{database}.intake-writer.lock", flags, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.stdout.write("Another intake writer serves this database: not started.")
            return
        stop: list[int] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda received, _frame: stop.append(received))
        parent = os.getppid()
        path = intake.writer_socket_path(database)
        self.stdout.write(f"The intake's writer process listens at {path}.")
        writer_process.serve(
            path,
            intake.write_handed_over,
            # Stops with its parent too: `ioc serve` killed outright must not leave it.
            stopping=lambda: bool(stop) or os.getppid() != parent,
        )
        self.stdout.write("The intake's writer process stopped.")
