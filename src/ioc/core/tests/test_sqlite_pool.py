"""The SQLite back end that keeps closed connections for reuse (core/sqlite_pool)."""

import pytest
from django.db import connections

from ioc.core.sqlite_pool.base import IDLE_CONNECTIONS_KEPT, DatabaseWrapper, pool_for


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open their own database files, not the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path) -> DatabaseWrapper:
    settings = {
        **connections["default"].settings_dict,
        "ENGINE": "ioc.core.sqlite_pool",
        "NAME": str(path),
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
        "CONN_MAX_AGE": 0,
    }
    return DatabaseWrapper(settings, alias="pool_test")


def test_a_closed_connection_is_kept_and_the_next_connect_reuses_it(tmp_path):
    database = _wrapper(tmp_path / "pool.sqlite3")
    database.ensure_connection()
    first = database.connection
    with database.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")

    database.close()
    assert database.connection is None and len(pool_for(str(tmp_path / "pool.sqlite3"))) == 1
    database.ensure_connection()

    assert database.connection is first
    assert len(pool_for(str(tmp_path / "pool.sqlite3"))) == 0
    with database.cursor() as cursor:  # Django's own state is reset on connect
        cursor.execute("INSERT INTO t VALUES (1)")
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone() == (1,)
    assert database.get_autocommit() is True
    database.close()


def test_a_connection_closed_inside_a_transaction_is_not_kept(tmp_path):
    database = _wrapper(tmp_path / "busy.sqlite3")
    database.ensure_connection()
    with database.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    database.set_autocommit(False)
    with database.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    assert database.connection.in_transaction

    database.close()

    assert len(pool_for(str(tmp_path / "busy.sqlite3"))) == 0


def test_the_pool_keeps_a_bounded_number_of_idle_connections(tmp_path):
    path = tmp_path / "many.sqlite3"
    wrappers = [_wrapper(path) for _ in range(IDLE_CONNECTIONS_KEPT + 3)]
    for database in wrappers:
        database.ensure_connection()
    for database in wrappers:
        database.close()

    assert len(pool_for(str(path))) == IDLE_CONNECTIONS_KEPT


def test_the_deployments_settings_copy_the_wal_back_every_10000_pages(tmp_path):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "ioc.core.sqlite_pool":
        pytest.skip("SQLite's setting")
    database = DatabaseWrapper(
        {**connections["default"].settings_dict, "NAME": str(tmp_path / "wal.sqlite3")},
        alias="wal_test",
    )
    try:
        with database.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            pages = cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
    finally:
        database.close()

    assert (pages, mode) == (10000, "wal")


def test_a_statement_is_converted_to_sqlite_placeholders_once_per_text(tmp_path, monkeypatch):
    from ioc.core.sqlite_pool import base

    base._qmark_style.cache_clear()
    scans = []
    regex = base.sqlite3_base.FORMAT_QMARK_REGEX
    monkeypatch.setattr(
        base.sqlite3_base,
        "FORMAT_QMARK_REGEX",
        type("Counting", (), {"sub": lambda _self, *args: scans.append(1) or regex.sub(*args)})(),
    )
    database = _wrapper(tmp_path / "qmark.sqlite3")
    with database.cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer, s text)")
        for n in (1, 2, 3):
            cursor.execute("INSERT INTO t VALUES (%s, '100%%s' || %s)", [n, "x"])
        cursor.execute("SELECT n, s FROM t WHERE s LIKE %s ORDER BY n", ["100%"])
        rows = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM t WHERE n > %(low)s", {"low": 1})
        named = cursor.fetchone()
    database.close()

    assert rows == [(1, "100%sx"), (2, "100%sx"), (3, "100%sx")]
    assert named == (2,)
    assert len(scans) == 2  # the INSERT's text once for three executes, the SELECT once
