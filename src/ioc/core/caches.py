"""What the process caches of reference data share (geo's boundaries, reports' reference
data, API keys)."""

from collections.abc import Callable

from django.db import transaction


def forget_now_and_at_commit(clear: Callable[[], None]) -> None:
    """Run a cache's `clear` now and again when the current transaction commits: a
    request between the change and its commit may have read the old rows back in. Outside
    a transaction the second run follows at once."""
    clear()
    transaction.on_commit(clear)
