"""A writer process: one process that writes what the web processes hand it, over a Unix
socket, batching whatever arrives together.

Why: on SQLite a web process is bound by its one core of Python (the GIL) while the
machine's other cores wait, and every write to the database takes its one write lock
anyway. A process of its own for the writes does them beside the web processes, on
another core, as a database server would; the items of every web process that arrive
together share one transaction (the group commit of core/group_commit.py, across
processes). docs/architecture.md says when it runs and docs/performance.md what it gained.

The protocol: each message is a 4-byte length (big-endian) and a pickle. A client sends
one item and waits for its answer, `(True, value)` or `(False, exception)`. Pickles are
trusted, so the socket is its owner's only (created under umask 077, beside the database
file, which the same user owns).
"""

import contextlib
import logging
import os
import pickle
import selectors
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger("ioc.writer")
_HEADER = struct.Struct("!I")
_TIMEVAL = struct.Struct("@ll")  # struct timeval: seconds, microseconds
# A client's wait for its answer: the writer may queue behind a long write of another
# kind (SQLite's busy timeout is 10 s), but a request must not hang for ever.
ANSWER_TIMEOUT_SECONDS = 60
# After a failed connection, a client does not try again for this long (no writer runs:
# each request would otherwise pay a connect).
RETRY_AFTER_SECONDS = 1.0


class WriterAbsent(Exception):
    """No writer process listens: nothing was sent, the caller writes the item itself."""


class AnswerLost(Exception):
    """The writer went away after the item was sent: it may or may not be written (a
    transaction it had not committed was rolled back when it died)."""


@dataclass(eq=False)
class WriterClient:
    """The web process's side: hands items to the writer listening at `path`, on
    connections kept open between requests (one per request in flight)."""

    path: str
    _idle: list[socket.socket] = field(default_factory=list, repr=False)
    _absent_until: float = 0.0

    def call(self, item: Any) -> Any:
        """The writer's answer for `item`, or the exception it raised there. Raises
        WriterAbsent (nothing sent), AnswerLost, or TimeoutError."""
        sock = self._connection()
        try:
            sock.sendall(_frame(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)))
            answer = _read_frame(sock)
        except (TimeoutError, BlockingIOError):  # BlockingIOError: the kernel's timeout
            sock.close()
            raise TimeoutError(
                f"The writer process did not answer within {ANSWER_TIMEOUT_SECONDS} s."
            ) from None
        except OSError as error:
            sock.close()
            raise AnswerLost(str(error)) from error
        if answer is None:
            sock.close()
            raise AnswerLost("the writer process closed the connection")
        self._idle.append(sock)
        succeeded, value = pickle.loads(answer)  # noqa: S301 (our own process, our socket)
        if not succeeded:
            raise value
        return value

    def absent(self) -> bool:
        """Whether the last try found no writer, less than RETRY_AFTER_SECONDS ago, and no
        connection is open: a call would raise WriterAbsent without trying."""
        return not self._idle and time.monotonic() < self._absent_until

    def _connection(self) -> socket.socket:
        with contextlib.suppress(IndexError):
            return self._idle.pop()  # list.pop is atomic: threads share the pool
        if self.absent():
            raise WriterAbsent(self.path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # A blocking socket with the kernel's timeouts, not Python's: a socket with a
        # Python timeout polls before each send and receive, and each call releases the
        # GIL, which under load hands the interpreter to another thread (docs/performance.md).
        timeout = _TIMEVAL.pack(ANSWER_TIMEOUT_SECONDS, 0)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeout)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            self._absent_until = time.monotonic() + RETRY_AFTER_SECONDS
            raise WriterAbsent(self.path) from None
        return sock


def serve(
    path: str,
    write_batch: Callable[[list[Any]], list[Any]],
    *,
    stopping: Callable[[], bool],
) -> None:
    """Listen at `path` until `stopping()`: read the items that arrived, write them with
    `write_batch` (one result per item, in order: a value, or the exception that item
    raised) and answer each client. The socket file is removed at the end."""
    listener = _listen(path)
    clients = _Clients(selectors.DefaultSelector())
    clients.selector.register(listener, selectors.EVENT_READ)
    try:
        while not stopping():
            readable: list[socket.socket] = []
            for key, _events in clients.selector.select(timeout=0.5):
                assert isinstance(key.fileobj, socket.socket)
                # Every client waiting is read at once: a client sends as it connects.
                is_listener = key.fileobj is listener
                readable += clients.accepted(listener) if is_listener else [key.fileobj]
            arrived = [(sock, frame) for sock in readable for frame in clients.frames_from(sock)]
            if arrived:
                _write_and_answer(arrived, write_batch, clients.drop)
    finally:
        clients.close()
        listener.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@dataclass
class _Clients:
    """The writer's connections to web processes, each with what it sent so far."""

    selector: selectors.BaseSelector
    buffers: dict[socket.socket, bytearray] = field(default_factory=dict)

    def accepted(self, listener: socket.socket) -> list[socket.socket]:
        """The connections waiting on the (non-blocking) listener, accepted and watched."""
        accepted = []
        while True:
            try:
                client, _address = listener.accept()
            except BlockingIOError:
                return accepted
            client.setblocking(True)  # answers are sent whole (sendall)
            self.selector.register(client, selectors.EVENT_READ)
            self.buffers[client] = bytearray()
            accepted.append(client)

    def frames_from(self, sock: socket.socket) -> list[bytes]:
        """The whole messages `sock` has sent since the last call."""
        try:
            data = sock.recv(1 << 20, socket.MSG_DONTWAIT)
        except BlockingIOError:  # a new client that has not sent yet
            return []
        except OSError:
            data = b""
        if not data:  # the client's process ended, or it gave up waiting
            self.drop(sock)
            return []
        self.buffers[sock] += data
        return _complete_frames(self.buffers[sock])

    def drop(self, sock: socket.socket) -> None:
        if sock in self.buffers:
            self.selector.unregister(sock)
            del self.buffers[sock]
        sock.close()

    def close(self) -> None:
        for sock in self.buffers:
            sock.close()
        self.selector.close()


def _write_and_answer(
    arrived: list[tuple[socket.socket, bytes]],
    write_batch: Callable[[list[Any]], list[Any]],
    drop: Callable[[socket.socket], None],
) -> None:
    items: list[Any] = []
    answers: list[tuple[bool, Any] | None] = []
    for _sock, frame in arrived:
        try:
            items.append(pickle.loads(frame))  # noqa: S301 (our own processes, our socket)
            answers.append(None)
        except Exception as error:  # a message we cannot read fails alone
            answers.append((False, ValueError(f"The writer could not read a message: {error}")))
    results = iter(_results(write_batch, items))
    answers = [answer or _answer(next(results)) for answer in answers]
    for (sock, _frame_bytes), answer in zip(arrived, answers, strict=True):
        try:
            sock.sendall(_frame(_pickled(answer)))
        except OSError:  # the client gave up waiting: it will check the database
            drop(sock)


def _results(write_batch: Callable[[list[Any]], list[Any]], items: list[Any]) -> list[Any]:
    if not items:
        return []
    try:
        results = write_batch(items)
        if len(results) != len(items):
            raise RuntimeError(f"{len(results)} results for {len(items)} items")
        return results
    except Exception as error:  # every client of the batch must hear of it
        logger.exception("The writer failed a batch of %s items.", len(items))
        return [error] * len(items)


def _answer(result: Any) -> tuple[bool, Any]:
    return (False, result) if isinstance(result, BaseException) else (True, result)


def _pickled(answer: tuple[bool, Any]) -> bytes:
    try:
        return pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle goes as its text
        error = answer[1]
        return pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")))


def _listen(path: str) -> socket.socket:
    """A listening socket at `path`, readable by its owner only; a file left there by a
    writer that died is replaced (the caller holds the lock that makes it the only one)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o077)
    try:
        listener.bind(path)
    finally:
        os.umask(previous)
    listener.listen(128)
    listener.setblocking(False)
    return listener


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


def _complete_frames(buffer: bytearray) -> list[bytes]:
    """The whole messages at the start of `buffer`, removed from it."""
    frames = []
    while len(buffer) >= _HEADER.size:
        (length,) = _HEADER.unpack_from(buffer)
        end = _HEADER.size + length
        if len(buffer) < end:
            break
        frames.append(bytes(buffer[_HEADER.size : end]))
        del buffer[:end]
    return frames


def _read_frame(sock: socket.socket) -> bytes | None:
    """The one message the other side sends (an answer: it sends nothing after it), or
    None when it closed the connection first. One read, for an answer of up to 64 KiB."""
    buffer = bytearray()
    while True:
        chunk = sock.recv(1 << 16)
        if not chunk:
            return None
        buffer += chunk
        frames = _complete_frames(buffer)
        if frames:
            return frames[0]
