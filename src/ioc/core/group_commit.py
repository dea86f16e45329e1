"""Group commit: writers of one process that arrive together share one transaction.

A database with one writer at a time (SQLite) commits one transaction after another, and
each costs its BEGIN, its statements, its COMMIT and the hand-over of the write lock.
When requests come faster than that, they queue; here the first one to get the lock (the
leader) writes every item queued so far in one batch, and the others find their item
written when the lock comes to them. Under light load a batch holds one item, and
nothing waits for company.

The batch runs on the leader's thread and database connection. `write_batch` receives
the items and returns one result per item, in order: the written value, or the exception
that item raised (so that one bad item fails only its own request).
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class _Waiting[T]:
    item: T
    done: bool = False
    result: Any = None


@dataclass
class GroupCommit[T]:
    write_batch: Callable[[list[T]], list[Any]]
    # Taken by the leader around its batch, after the lock of the process: for the
    # writers of other processes (an flock, say).
    exclusive: Callable[[], AbstractContextManager] = nullcontext
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _queue_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _queue: list[_Waiting[T]] = field(default_factory=list, repr=False)

    def run(self, item: T) -> Any:
        """Write `item` (alone or with others); returns its result or raises its error."""
        waiting = _Waiting(item)
        with self._queue_lock:
            self._queue.append(waiting)
        with self._lock:
            if not waiting.done:
                self._lead()
        if isinstance(waiting.result, BaseException):
            raise waiting.result
        return waiting.result

    def _lead(self) -> None:
        with self.exclusive():
            with self._queue_lock:
                batch, self._queue = self._queue, []
            try:
                results = self.write_batch([waiting.item for waiting in batch])
                if len(results) != len(batch):
                    raise RuntimeError(f"{len(results)} results for a batch of {len(batch)}")
            except BaseException as error:  # every writer of the batch must hear of it
                results = [error] * len(batch)
            for waiting, result in zip(batch, results, strict=True):
                waiting.result, waiting.done = result, True


def each_alone[T](write: Callable[[T], Any], items: list[T]) -> Iterator[Any]:
    """Write the items one by one, yielding each result or the exception it raised."""
    for item in items:
        try:
            yield write(item)
        except Exception as error:
            yield error
