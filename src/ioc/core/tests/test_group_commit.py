"""Group commit: writers that arrive while a batch is written share the next batch."""

import threading
import time

import pytest

from ioc.core.group_commit import GroupCommit, each_alone


class Recorder:
    """A write_batch that records its batches; the first one waits for `release`."""

    def __init__(self, results=None):
        self.batches: list[list[int]] = []
        self.writing = threading.Event()
        self.release = threading.Event()
        self.results = results or (lambda item: item * 10)

    def __call__(self, items):
        self.batches.append(sorted(items))
        if len(self.batches) == 1:
            self.writing.set()
            assert self.release.wait(10)
        return [self.results(item) for item in items]


def _run_all(group, items, first_alone=True):
    """Run `items` from threads of their own; the first one leads alone while the others
    queue. Returns {item: result or exception}."""
    outcome = {}

    def run(item):
        try:
            outcome[item] = group.run(item)
        except Exception as error:  # recorded for the assertion
            outcome[item] = error

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    threads[0].start()
    assert group.write_batch.writing.wait(10)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 10
    while len(group._queue) < len(items) - 1 and time.monotonic() < deadline:
        time.sleep(0.001)
    group.write_batch.release.set()
    for thread in threads:
        thread.join(10)
    return outcome


def test_writers_arriving_during_a_batch_are_written_together_in_the_next():
    group = GroupCommit(write_batch=Recorder())

    outcome = _run_all(group, [1, 2, 3, 4, 5])

    assert group.write_batch.batches == [[1], [2, 3, 4, 5]]
    assert outcome == {1: 10, 2: 20, 3: 30, 4: 40, 5: 50}


def test_an_items_error_is_raised_to_its_own_writer_only():
    def results(item):
        return ValueError(f"bad {item}") if item == 3 else item * 10

    group = GroupCommit(write_batch=Recorder(results))

    outcome = _run_all(group, [1, 2, 3, 4])

    assert isinstance(outcome[3], ValueError) and str(outcome[3]) == "bad 3"
    assert {item: outcome[item] for item in (1, 2, 4)} == {1: 10, 2: 20, 4: 40}


def test_a_batch_that_raises_fails_each_of_its_writers():
    def broken(items):
        raise RuntimeError("disk full")

    group = GroupCommit(write_batch=broken)

    with pytest.raises(RuntimeError, match="disk full"):
        group.run(1)


def test_the_leader_takes_the_exclusive_lock_around_its_batch():
    held = []

    class Exclusive:
        def __enter__(self):
            held.append("in")

        def __exit__(self, *exc):
            held.append("out")

    group = GroupCommit(write_batch=lambda items: [held.append("write") or i for i in items])
    group.exclusive = Exclusive

    assert group.run(7) == 7
    assert held == ["in", "write", "out"]


def test_each_alone_yields_results_and_errors_in_order():
    def write(item):
        if item == 2:
            raise KeyError(item)
        return item + 100

    results = list(each_alone(write, [1, 2, 3]))

    assert results[0] == 101 and results[2] == 103
    assert isinstance(results[1], KeyError)


def test_a_write_batch_that_loses_results_fails_its_writers_instead_of_answering_none():
    group = GroupCommit(write_batch=lambda items: [])

    with pytest.raises(RuntimeError, match="0 results for a batch of 1"):
        group.run(1)
