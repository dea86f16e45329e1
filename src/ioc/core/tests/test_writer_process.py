"""The writer process's protocol (core/writer_process.py): each client gets its own
result or error, items arriving together are written together, and a writer that is
absent or goes away is told apart from an answer."""

import os
import pickle
import socket
import stat
import threading
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from ioc.core import writer_process
from ioc.core.writer_process import AnswerLost, WriterAbsent, WriterClient


class Writer:
    """writer_process.serve on a thread, with a write_batch that doubles numbers and
    raises for "bad"; it records the batches it was given."""

    def __init__(self, path: str, write_batch=None) -> None:
        self.path = path
        self.batches: list[list] = []
        self.stop = threading.Event()
        self.hold = threading.Event()  # set: the writer waits in its next batch
        self.entered = threading.Event()  # it is waiting there
        self.release = threading.Event()
        self.thread = threading.Thread(
            target=writer_process.serve,
            args=(path, write_batch or self.write_batch),
            kwargs={"stopping": self.stop.is_set},
        )

    def write_batch(self, items):
        if self.hold.is_set():
            self.hold.clear()
            self.entered.set()
            self.release.wait(5)
        self.batches.append(list(items))
        return [ValueError(f"refused {item}") if item == "bad" else item * 2 for item in items]

    def __enter__(self):
        self.thread.start()
        for _ in range(200):
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                if probe.connect_ex(self.path) == 0:
                    return self
            self.stop.wait(0.01)
        raise AssertionError("the writer did not listen")

    def __exit__(self, *exc):
        self.release.set()
        self.stop.set()
        self.thread.join(5)


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "w.sock")


def test_each_client_gets_its_own_result(path):
    with Writer(path) as writer:
        client = WriterClient(path)

        results = [client.call(number) for number in (1, 2, 3)]

    assert results == [2, 4, 6]
    assert writer.batches == [[1], [2], [3]]


def _sent_behind_a_held_batch(writer: Writer, first, *later) -> list[Future]:
    """Futures of client calls: `first` alone in a batch the writer holds, then `later`
    sent while it is held, so that they arrive together."""
    client = WriterClient(writer.path)
    writer.hold.set()
    pool = ThreadPoolExecutor(1 + len(later))
    futures = [pool.submit(client.call, first)]
    assert writer.entered.wait(5)
    futures += [pool.submit(client.call, item) for item in later]
    threading.Event().wait(0.3)  # they wait behind the batch being written
    writer.release.set()
    pool.shutdown(wait=True)
    return futures


def test_items_that_arrive_while_a_batch_is_written_are_written_together(path):
    with Writer(path) as writer:
        futures = _sent_behind_a_held_batch(writer, 1, 2, 3, 4)

    assert [future.result() for future in futures] == [2, 4, 6, 8]
    assert writer.batches[0] == [1]
    assert sorted(writer.batches[1]) == [2, 3, 4]


def test_an_item_s_error_is_raised_in_its_caller_only(path):
    with Writer(path) as writer:
        held, good, bad = _sent_behind_a_held_batch(writer, 0, 5, "bad")

    assert held.result() == 0
    assert good.result() == 10
    with pytest.raises(ValueError, match="refused bad"):
        bad.result()
    assert sorted(writer.batches[1], key=str) == [5, "bad"]


def test_a_failed_batch_fails_each_of_its_callers(path):
    def broken(items):
        raise RuntimeError("disk full")

    with Writer(path, write_batch=broken):
        client = WriterClient(path)

        with pytest.raises(RuntimeError, match="disk full"):
            client.call(1)
        with pytest.raises(RuntimeError, match="disk full"):
            client.call(2)


def test_without_a_writer_nothing_is_sent(path):
    client = WriterClient(path)

    with pytest.raises(WriterAbsent):
        client.call(1)
    # The next requests do not try again before RETRY_AFTER_SECONDS.
    open(path, "w").close()  # a file that is not a socket: connect() would fail anyway
    with pytest.raises(WriterAbsent):
        client.call(2)


def test_a_writer_that_closes_without_answering_is_an_answer_lost(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)

    def read_then_close():
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.close()

    thread = threading.Thread(target=read_then_close)
    thread.start()
    try:
        with pytest.raises(AnswerLost):
            WriterClient(path).call(1)
    finally:
        thread.join(5)
        listener.close()


def test_a_writer_that_does_not_answer_in_time_is_a_timeout(path, monkeypatch):
    monkeypatch.setattr(writer_process, "ANSWER_TIMEOUT_SECONDS", 1)
    with Writer(path) as writer:
        writer.hold.set()  # the writer waits in the batch until the end of the test
        client = WriterClient(path)

        with pytest.raises(TimeoutError, match="did not answer within 1 s"):
            client.call(1)

        assert client._idle == []  # that connection is not used again


def test_an_answer_that_arrives_in_pieces_is_read_whole(path):
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    answer = writer_process._frame(pickle.dumps((True, "é" * 100_000)))

    def answer_in_pieces():
        connection, _ = listener.accept()
        connection.recv(65536)
        for start in range(0, len(answer), 70_000):
            connection.sendall(answer[start : start + 70_000])
        connection.close()

    thread = threading.Thread(target=answer_in_pieces)
    thread.start()
    try:
        assert WriterClient(path).call(1) == "é" * 100_000
    finally:
        thread.join(5)
        listener.close()


def test_the_socket_is_its_owner_s_only_and_removed_at_the_end(path):
    with Writer(path):
        mode = stat.S_IMODE(os.stat(path).st_mode)

    assert mode & 0o077 == 0  # nobody but its owner
    assert not os.path.exists(path)


def test_a_socket_file_left_by_a_dead_writer_is_replaced(path):
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.close()  # the file stays, nobody listens

    with Writer(path):
        assert WriterClient(path).call(21) == 42


def test_a_client_that_gives_up_waiting_does_not_stop_the_writer(path, monkeypatch):
    monkeypatch.setattr(writer_process, "ANSWER_TIMEOUT_SECONDS", 5)
    with Writer(path) as writer:
        writer.hold.set()
        impatient = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        impatient.connect(path)
        impatient.sendall(writer_process._frame(pickle.dumps(1)))
        assert writer.entered.wait(5)
        impatient.close()  # gone before its answer
        writer.release.set()
        # Two connections at once: the second is given the descriptor number of the one
        # that gave up, which the writer must have let go.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle:
            idle.connect(path)
            answers = [WriterClient(path).call(number) for number in (2, 3)]

    assert answers == [4, 6]
