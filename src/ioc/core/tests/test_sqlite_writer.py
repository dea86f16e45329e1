"""The writer connection of a process (core/sqlite_pool/writer.py): every thread's block
writes on the same SQLite connection, and gets its own connection back after it."""

import sqlite3
import threading

import pytest
from django.db import connection, connections, transaction

from ioc.core.sqlite_pool.writer import close_writers, writer_connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the writer connection serves SQLite files"
)


@pytest.fixture
def database_file(tmp_path, monkeypatch, django_db_blocker):
    """The default database is a new SQLite file for the test, with a table t."""
    path = tmp_path / "writer.sqlite3"
    monkeypatch.setitem(connections["default"].settings_dict, "NAME", str(path))
    with django_db_blocker.unblock():
        with writer_connection(), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (n integer)")
        yield path
        close_writers()


def _rows(path) -> list[int]:
    """The rows of t as another program sees them (committed only)."""
    with sqlite3.connect(path) as reader:
        return [n for (n,) in reader.execute("SELECT n FROM t ORDER BY n")]


def test_blocks_of_two_threads_write_on_one_connection_and_commit(database_file):
    own_connections = []
    raw_connections = []

    def write(number: int) -> None:
        own = connections["default"]
        with writer_connection() as writer, transaction.atomic():
            assert connections["default"] is writer is not own
            raw_connections.append(connection.connection)
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (%s)", [number])
        own_connections.append(connections["default"] is own)

    for number in (1, 2):
        thread = threading.Thread(target=write, args=(number,))
        thread.start()
        thread.join()

    assert len(raw_connections) == 2 and raw_connections[0] is raw_connections[1]
    assert own_connections == [True, True]
    assert _rows(database_file) == [1, 2]


def test_a_block_that_raises_rolls_back_and_gives_the_thread_its_connection(database_file):
    own = connections["default"]

    with pytest.raises(ZeroDivisionError), writer_connection(), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (3)")
        1 / 0  # noqa: B018 (the error the block raises)

    assert connections["default"] is own
    assert _rows(database_file) == []
    with writer_connection() as writer:  # the writer works after it
        assert not writer.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (4)")
    assert _rows(database_file) == [4]
