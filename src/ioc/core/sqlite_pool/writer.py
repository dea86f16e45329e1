"""One connection per process for the batches of a group commit on a SQLite file.

SQLite empties a connection's cache of pages when it starts a transaction and finds
that another connection has written since. When each batch of core/group_commit.py wrote
on the connection of the request that led it (one of the pool's, base.py), that was
nearly always the case: the batch read again from the file every page of each index it
inserts into, 24 reads a report under load. Batches written on one connection of their
own find those pages cached: 2 reads a report. The server's CPU an intake fell by 4 %
in benchmarks/reports_intake_ab.py, within the machine's noise (docs/performance.md,
session 7).

`writer_connection()` makes that connection the default one of the calling thread for
the time of a block. Its caller holds the group commit's lock, so one thread uses it at
a time; the thread that leads a batch changes, hence the thread sharing. It must not be
entered inside a transaction of the thread's own connection, which would hold the
database's write lock that the writer waits for (intake.submit writes such a submission
on the caller's connection instead).
"""

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

# {(process id, alias, database file): its writer connection}: a connection must not
# cross a fork.
_writers: dict[tuple[int, str, str], Any] = {}
_writers_lock = threading.Lock()


@contextmanager
def writer_connection(alias: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """Inside the block, `django.db.connection` (and the ORM) of this thread write on the
    process's writer connection of `alias`; the thread's own comes back after it."""
    own = connections[alias]
    writer = _writer(own)
    connections[alias] = writer
    try:
        yield writer
    finally:
        connections[alias] = own
        # What Django does with a request's connection at the end of the request.
        if writer.errors_occurred and not writer.is_usable():
            writer.close()
        writer.errors_occurred = False


def _writer(own):
    """The writer of the database `own` (a thread's connection) connects to."""
    key = (os.getpid(), own.alias, str(own.settings_dict["NAME"]))
    with _writers_lock:
        if key not in _writers:
            writer = type(own)(own.settings_dict, own.alias)  # as Django creates them
            writer.inc_thread_sharing()
            _writers[key] = writer
        return _writers[key]


def close_writers() -> None:
    """Close the writer connections of this process (they are opened again when used)."""
    with _writers_lock:
        for (pid, _alias, _database), writer in _writers.items():
            if pid == os.getpid():
                writer.close()
