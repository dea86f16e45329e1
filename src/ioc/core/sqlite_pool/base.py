"""Django's SQLite back end, with the connections a process closes kept open for reuse.

Under ASGI, Django runs each request's synchronous code on a thread of its own and closes
the request's database connection at the end (persistent connections, CONN_MAX_AGE, do
not work there: the thread and its connection are thrown away). For SQLite that close is
expensive: opening a connection registers Django's functions, runs the PRAGMAs and parses
the whole schema on the first query (≈ 1.1-1.7 ms with this project's 60-odd tables),
and when the last connection of a WAL database closes, SQLite checkpoints the log into
the database file and deletes it. A request that wrote paid all of it again each time.

Here a connection that Django closes while no transaction is open goes back to a small
pool of its process, and the next `connect()` takes it instead of opening a new one.
Django still resets what it owns on each connect (autocommit, the atomic-block state).
In-memory databases (the tests) are left to Django, which never closes them.

Its cursors also keep the SQLite form of each statement they convert (`QmarkCursor`).
"""

import functools
import os
import threading
from collections import deque

from django.db.backends.sqlite3 import base as sqlite3_base

IDLE_CONNECTIONS_KEPT = 8


class ConnectionPool:
    """Idle connections to one database file, for one process (a connection must not
    cross a fork)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: deque = deque()
        self._lock = threading.Lock()

    def take(self):
        """The most recently returned connection (its pages are the warmest), or None."""
        with self._lock:
            return self._idle.pop() if self._idle else None

    def give(self, connection) -> bool:
        """Keep `connection` for reuse; False when the pool is full (close it then)."""
        with self._lock:
            if len(self._idle) >= self.size:
                return False
            self._idle.append(connection)
            return True

    def __len__(self) -> int:
        return len(self._idle)


_pools: dict[tuple[int, str], ConnectionPool] = {}
_pools_lock = threading.Lock()


def pool_for(database: str) -> ConnectionPool:
    key = (os.getpid(), database)
    with _pools_lock:
        if key not in _pools:
            _pools[key] = ConnectionPool(IDLE_CONNECTIONS_KEPT)
        return _pools[key]


class QmarkCursor(sqlite3_base.SQLiteCursorWrapper):
    """Django's cursor, converting each statement's "%s" placeholders to SQLite's "?" once
    per text instead of on every execute: the regular expression scans the whole text
    each time, 5 % of a report submission's instructions with the intake's long INSERTs
    (docs/performance.md, session 12), where a known text costs a dictionary look-up."""

    def convert_query(self, query, *, param_names=None):
        if param_names is None:
            return _qmark_style(query)
        return super().convert_query(query, param_names=param_names)


@functools.lru_cache(maxsize=2048)
def _qmark_style(query: str) -> str:
    return sqlite3_base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    def create_cursor(self, name=None):
        return self.connection.cursor(factory=QmarkCursor)

    def _pool(self) -> ConnectionPool | None:
        if self.is_in_memory_db():
            return None
        return pool_for(str(self.settings_dict["NAME"]))

    def get_new_connection(self, conn_params):
        pool = self._pool()
        reused = pool.take() if pool is not None else None
        return reused if reused is not None else super().get_new_connection(conn_params)

    def _close(self) -> None:
        connection, pool = self.connection, self._pool()
        reusable = (
            connection is not None and not self.in_atomic_block and not connection.in_transaction
        )
        if pool is not None and reusable and pool.give(connection):
            return
        super()._close()  # type: ignore[misc]  (defined by BaseDatabaseWrapper, untyped)
