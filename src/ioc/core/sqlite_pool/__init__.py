"""SQLite with open connections kept for reuse (settings: ENGINE "ioc.core.sqlite_pool")."""
