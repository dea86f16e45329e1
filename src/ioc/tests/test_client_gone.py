"""A client that disconnects while its request waits is logged as information, not as a
server error (ioc/asgi.py, core.middleware.ClientGoneMiddleware)."""

import asyncio
import io
import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import RequestFactory

from ioc.asgi import quiet_after_disconnect
from ioc.core.middleware import ClientGoneMiddleware


def run(app, messages):
    """Run an ASGI app on one HTTP request whose client sends `messages`; returns what
    the app sent."""
    incoming, sent = list(messages), []

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/reports/"}
    # On a thread of its own: Playwright's tests leave an event loop running in this one.
    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


def test_an_error_after_the_client_disconnected_is_logged_as_information(caplog):
    async def app(scope, receive, send):
        await receive()  # the body
        await receive()  # the client goes
        raise RuntimeError("CurrentThreadExecutor already quit or is broken")

    with caplog.at_level(logging.INFO, logger="ioc.requests"):
        sent = run(
            quiet_after_disconnect(app),
            [{"type": "http.request", "body": b"x"}, {"type": "http.disconnect"}],
        )
    assert sent == []
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        (
            "INFO",
            "client gone: POST /api/v1/reports/ "
            "(RuntimeError('CurrentThreadExecutor already quit or is broken'))",
        )
    ]


def test_an_error_while_the_client_waits_is_raised():
    async def app(scope, receive, send):
        await receive()
        raise RuntimeError("a real bug")

    with pytest.raises(RuntimeError, match="a real bug"):
        run(quiet_after_disconnect(app), [{"type": "http.request", "body": b"x"}])


def test_an_answer_is_passed_through_unchanged():
    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    sent = run(quiet_after_disconnect(app), [{"type": "http.request", "body": b"x"}])
    assert [message.get("status") for message in sent] == [201, None]


def test_a_view_reading_a_body_closed_by_a_disconnect_answers_499(caplog):
    request = RequestFactory().post("/api/v1/reports/", {"category": "pothole"})
    request._stream = io.BytesIO(b"category=pothole")
    request._stream.close()
    middleware = ClientGoneMiddleware(lambda request: None)
    with caplog.at_level(logging.INFO, logger="ioc.requests"):
        response = middleware.process_exception(
            request, ValueError("I/O operation on closed file.")
        )
    assert (response.status_code, response.reason_phrase) == (499, "Client Closed Request")
    assert [r.getMessage() for r in caplog.records] == [
        "client gone before its request was read: /api/v1/reports/"
    ]


def test_other_view_errors_are_left_to_django():
    request = RequestFactory().post("/api/v1/reports/", {"category": "pothole"})
    middleware = ClientGoneMiddleware(lambda request: None)
    assert middleware.process_exception(request, ValueError("a real bug")) is None
    request._stream.close()
    assert middleware.process_exception(request, KeyError("a real bug")) is None
