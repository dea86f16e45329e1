"""The geo app's process cache, checked against a cheap stamp of the geo tables.

Boundaries rarely change but are read by every home page and every located report, so
what is derived from them (the STRtree index, serialised GeoJSON, the area filter) is
built once per process. The cache must not assume one process: at most every
`IOC_GEO_CACHE_SECONDS` (default 5) it compares a stamp of the tables (count and latest
change of the units, count and highest id of the successions) and rebuilds when another
process changed them. `geo_load_area` also clears it at once in its own process.
"""

import math
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Count, Max

from ioc.geo.models import AdminUnit, UnitSuccession

T = TypeVar("T")


class _StampedCache:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._values: dict[Any, Any] = {}
        self._stamp: tuple | None = None
        self._checked_at = -math.inf
        self._interval = 0.0  # read from the settings at each check

    def get(self, key: Any, build: Callable[[], T]) -> T:
        now = time.monotonic()
        if now - self._checked_at >= self._interval:
            with self._lock:
                if now - self._checked_at >= self._interval:
                    stamp = _database_stamp()
                    if stamp != self._stamp:
                        self._values = {}
                        self._stamp = stamp
                    self._checked_at = time.monotonic()
                    self._interval = _check_seconds()
        values = self._values
        if key in values:
            return values[key]
        with self._lock:
            values = self._values
            if key not in values:
                values[key] = build()
            return values[key]

    def clear(self) -> None:
        with self._lock:
            self._values = {}
            self._stamp = None
            self._checked_at = -math.inf


process_cache = _StampedCache()


def _check_seconds() -> float:
    return float(getattr(settings, "IOC_GEO_CACHE_SECONDS", 5.0))


def _database_stamp() -> tuple:
    units = AdminUnit.objects.aggregate(count=Count("id"), latest=Max("updated_at"))
    links = UnitSuccession.objects.aggregate(count=Count("id"), last=Max("id"))
    return (units["count"], units["latest"], links["count"], links["last"])


def geo_cache_clear() -> None:
    """Forget this process's geo caches (the next read rebuilds them)."""
    process_cache.clear()


locate_cache_clear = geo_cache_clear
