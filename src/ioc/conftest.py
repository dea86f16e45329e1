"""Fixtures shared by every app's tests: a real Chromium driven by Playwright."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("IOC_CHROMIUM", "/usr/bin/chromium")
# As root and offline, Chromium needs these (docs/development.md, "Browser tests").
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time(django_db_setup):
    """On SQLite the tests' database lives in memory, and every thread of the live
    server uses the test's one connection (Django's connections_override). Two requests
    at once (a page, and the bell that htmx loads right after it) used that connection
    together: SQLite answered "bad parameter or other API misuse", a 500, and a browser
    test waited 30 s for a page that never came (seen in two full runs). The live server
    then answers one request at a time; Django closes each HTTP connection after its
    answer when the server has no threads, so Chromium's parallel requests queue."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connection
    from django.test.testcases import LiveServerThread

    class OneAtATimeWSGIServer(WSGIServer):
        def __init__(self, *args, connections_override=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.connections_override = connections_override

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        LiveServerThread.server_class = OneAtATimeWSGIServer
    yield


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (not by the live server's thread) are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _new_page(browser, *, width: int, height: int, mobile: bool = False):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=mobile,
        has_touch=mobile,
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    context, page = _new_page(browser, width=1366, height=850)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page = _new_page(browser, width=390, height=844, mobile=True)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Save a screenshot under test-artifacts/screenshots/ for people to look at."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(autouse=True)
def english_in_the_test_thread():
    """Tests assert the English source strings unless they test Vietnamese on purpose
    (requests still get Vietnamese by default through LanguageMiddleware)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def english_client(client, settings):
    """A browser that chose English with the language switch."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # The production hasher is slow on purpose; the tests log in many times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Reference data (holidays, boundaries) is cached per process; a rolled-back test must
    not leak into the next one through those caches."""
    from ioc.core.calendar import calendar_cache_clear
    from ioc.geo.selectors import geo_cache_clear
    from ioc.reports.reference import reference_clear

    calendar_cache_clear()
    geo_cache_clear()
    reference_clear()
    yield
    calendar_cache_clear()
    geo_cache_clear()
    reference_clear()
