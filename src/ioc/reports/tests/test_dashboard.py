"""The operators' dashboard tiles: the change from the previous period of the same length
(▲/▼ with %, coloured as good or bad news) and a sparkline of the last twelve months."""

from datetime import date

import pytest

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.core.periods import DateRange, parse_period
from ioc.reports import services
from ioc.reports.tests.conftest import MUI_NE, local
from ioc.reports.views.figures import _previous_period

PASSWORD = "correct horse battery"


@pytest.fixture
def two_months(submit, people):
    """February 2024: two reports, one resolved on time; March 2024: three, two resolved
    (one late), one still open."""
    staff = people["staff"]
    feb = submit(received_at=local(2024, 2, 5, 9))
    services.report_resolve(report=feb, answer="Xong", actor=staff, at=local(2024, 2, 5, 15))
    submit(received_at=local(2024, 2, 20, 9))
    for day, resolved_day in ((4, 5), (11, 25), (18, None)):
        report = submit(received_at=local(2024, 3, day, 9), category="streetlight", point=MUI_NE)
        if resolved_day:
            services.report_resolve(
                report=report, answer="Xong", actor=None, at=local(2024, 3, resolved_day, 9)
            )


def test_previous_period_is_as_long_as_the_one_shown():
    march = parse_period("202403")

    assert _previous_period(march, date(2024, 3, 1), date(2024, 3, 31)) == (
        date(2024, 2, 1),
        date(2024, 2, 29),
    )
    # a month still running, up to the 10th: the first ten days of the month before
    assert _previous_period(march, date(2024, 3, 1), date(2024, 3, 10)) == (
        date(2024, 2, 1),
        date(2024, 2, 10),
    )
    # a whole year: the whole year before, whatever their lengths
    assert _previous_period(parse_period("2025"), date(2025, 1, 1), date(2025, 12, 31)) == (
        date(2024, 1, 1),
        date(2024, 12, 31),
    )
    days = DateRange(date(2024, 3, 1), date(2024, 3, 10))
    assert _previous_period(days, date(2024, 3, 1), date(2024, 3, 10)) == (
        date(2024, 2, 20),
        date(2024, 2, 29),
    )


@pytest.mark.django_db
def test_tiles_show_the_change_from_the_previous_period(client, people, two_months):
    client.force_login(people["operator"])

    response = client.get("/reports/dashboard/", {"period": "202403"})

    tiles = {tile["key"]: tile for tile in response.context["tiles"]}
    changes = {key: tile.get("change") for key, tile in tiles.items()}
    # received 3 vs 2: +50 %, neither good nor bad news
    assert (tiles["received"]["value"], changes["received"]["arrow"]) == (3, "▲")
    assert (changes["received"]["text"], changes["received"]["tone"]) == ("50%", "secondary")
    assert changes["received"]["title"] == "2 from 01/02/2024 to 29/02/2024"
    # completed 2 vs 1: +100 %, good news
    assert (changes["completed"]["text"], changes["completed"]["tone"]) == ("100%", "success")
    # in progress 1 vs 1: no change
    assert (changes["in_progress"]["arrow"], changes["in_progress"]["tone"]) == ("=", "secondary")
    # on time: 50 % (one of two) vs 100 %: 50 points down, bad news
    assert tiles["on_time_pct"]["value"] == 50.0
    assert changes["on_time_pct"] == {
        "arrow": "▼",
        "text": "50 points",
        "tone": "danger",
        "title": "100.0 from 01/02/2024 to 29/02/2024",
    }
    # nothing to compare with: no rating in either month
    assert changes["satisfied_pct"] is None
    assert changes["ratings"] is None


@pytest.mark.django_db
def test_received_and_completed_tiles_have_a_sparkline_of_twelve_months(client, people, two_months):
    client.force_login(people["operator"])

    response = client.get("/reports/dashboard/", {"period": "202403"})

    tiles = {tile["key"]: tile for tile in response.context["tiles"]}
    assert set(key for key, tile in tiles.items() if tile.get("sparkline")) == {
        "received",
        "completed",
    }
    received = tiles["received"]["sparkline"]
    assert received["label"] == "04/2023 to 03/2024: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3"
    points = received["points"].split()
    assert (len(points), points[0], points[-2], points[-1]) == (
        12,
        "0.0,22.0",
        "90.9,8.7",
        "100.0,2.0",
    )
    html = response.content.decode()
    assert 'data-sparkline="received"' in html
    assert 'data-change="received"' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dashboard_tiles_in_a_browser(page, live_server, two_months, screenshot):
    UserFactory(username="dieu.hanh", role=Role.OPERATOR, password=PASSWORD)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("dieu.hanh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/staff/")

    page.goto(live_server.url + "/reports/dashboard/?period=202403")

    change = page.locator("[data-change=completed]")
    assert change.inner_text().startswith("▲ 100% ")
    assert page.locator("[data-sparkline=received] polyline").count() == 1
    screenshot(page, "reports-dashboard-tiles-desktop")
