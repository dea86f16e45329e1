"""The pages show figures in the reader's language (2.303 and 66,7% in Vietnamese, 2,303
and 66.7% in English); the machine outputs (chart data, API) stay plain (2303, 66.7)."""

import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ioc.accounts.models import Agency
from ioc.geo.testing import loaded_geo  # noqa: F401 (a fixture)
from ioc.reports import figures, services
from ioc.reports.models import Report
from ioc.reports.tests.conftest import (  # noqa: F401 (fixtures)
    _media_and_tasks,
    local,
    people,
    submit,
    world,
)

pytestmark = pytest.mark.django_db
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def _copies(report: Report, count: int, prefix: str, **changes) -> None:
    """`count` more reports like `report` (same place, day and state unless changed),
    written in bulk as an import does."""
    fields = {
        field.attname: getattr(report, field.attname)
        for field in Report._meta.concrete_fields
        if not field.primary_key and field.name != "tracking_code"
    }
    fields.update(changes)
    Report.objects.bulk_create(
        Report(tracking_code=f"{prefix}-{number:05d}", **fields) for number in range(count)
    )


@pytest.fixture
def thousands(submit, people):  # noqa: F811
    """March 2026: 1,234 reports in Phường Phan Thiết, three resolved and rated 5, 4 and 2
    (66.7% satisfied), 1,231 still open and overdue at the end of the month.
    February 2026: 1,000 reports, all open. Returns an operator, who sees the dashboard."""
    staff = people["staff"]
    for rating in (5, 4, 2):
        report = submit(received_at=local(2026, 3, 2, 9), photos=[], source="phone")
        services.report_resolve(report=report, answer="Xong", actor=staff, at=local(2026, 3, 2, 15))
        services.report_rate(report=report, rating=rating, at=local(2026, 3, 3, 9))
    _copies(submit(received_at=local(2026, 3, 9, 9), photos=[], source="phone"), 1230, "FMT-MAR")
    _copies(submit(received_at=local(2026, 2, 9, 9), photos=[], source="phone"), 999, "FMT-FEB")
    figures.figures_rebuild()
    return people["operator"]


def _cells(html: str) -> list[str]:
    return re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', html)


def _tile(html: str, key: str) -> str:
    return re.search(rf'data-stat="{key}">([^<]*)<', html).group(1)


@pytest.mark.parametrize(
    ("language", "received", "in_progress", "satisfied", "on_time"),
    [("vi", "1.234", "1.231", "66,7%", "100,0%"), ("en", "1,234", "1,231", "66.7%", "100.0%")],
)
def test_public_figures_page_shows_the_language_format(
    client, thousands, language, received, in_progress, satisfied, on_time
):
    client.cookies["django_language"] = language

    html = client.get("/reports/figures/", MARCH).content.decode()

    assert _tile(html, "received") == received
    assert _tile(html, "completed") == "3"
    assert _tile(html, "satisfied_pct") == satisfied
    # one row, Phường Phan Thiết: received, completed, in progress, overdue, ratings, %, %
    assert _cells(html) == [received, "3", in_progress, in_progress, "3", satisfied, on_time]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_chart_data_and_api_stay_plain_numbers(client, thousands, language):
    client.cookies["django_language"] = language

    html = client.get("/reports/figures/", MARCH).content.decode()
    api = client.get("/api/v1/reports/stats", MARCH, HTTP_ACCEPT_LANGUAGE=language).json()

    chart = re.search(r'id="figures-chart-data"[^>]*>(.*?)</script>', html).group(1)
    assert (json.loads(chart)["received"], json.loads(chart)["completed"]) == ([1234], [3])
    assert (api["received"], api["in_progress"], api["satisfied_pct"]) == (1234, 1231, 66.7)


ELEVEN_EMPTY_MONTHS = "0, " * 11


@pytest.mark.parametrize(
    ("language", "change", "title", "sparkline"),
    [
        (
            "vi",
            "23,4%",
            "1.000 từ 01/02/2026 đến 28/02/2026",
            f"Từ 03/2025 đến 03/2026: {ELEVEN_EMPTY_MONTHS}1.000, 1.234",
        ),
        (
            "en",
            "23.4%",
            "1,000 from 01/02/2026 to 28/02/2026",
            f"03/2025 to 03/2026: {ELEVEN_EMPTY_MONTHS}1,000, 1,234",
        ),
    ],
)
def test_dashboard_change_and_sparkline_show_the_language_format(
    client, thousands, language, change, title, sparkline
):
    client.cookies["django_language"] = language
    client.force_login(thousands)

    response = client.get("/reports/dashboard/", {"period": "202603"})

    received = {tile["key"]: tile for tile in response.context["tiles"]}["received"]
    assert (received["change"]["text"], received["change"]["title"]) == (change, title)
    assert received["sparkline"]["label"] == sparkline
    assert f"{change} " in response.content.decode()


@pytest.mark.parametrize(("language", "agencies"), [("vi", "1.234"), ("en", "1,234")])
@pytest.mark.usefixtures("loaded_geo")
def test_home_page_tiles_show_the_language_format(client, language, agencies):
    Agency.objects.bulk_create(
        Agency(code=f"agency-{number}", name=f"Cơ quan {number}", kind="department")
        for number in range(1234)
    )
    client.cookies["django_language"] = language

    html = client.get("/").content.decode()

    assert _tile(html, "agencies") == agencies


@pytest.mark.parametrize("language", ["vi", "en"])
def test_queue_ticks_send_plain_ids_that_the_bulk_action_takes(client, thousands, language):
    client.cookies["django_language"] = language
    client.force_login(thousands)

    html = client.get("/reports/queue/", {"view": "all"}).content.decode()
    ticked = re.findall(r'name="reports" value="([^"]*)"', html)
    power = Agency.objects.get(code="power").pk
    client.post("/reports/queue/bulk/", {"action": "assign", "agency": power, "reports": ticked})

    # 50 reports on the page, ids over 999 written plain (1234, not 1.234 or 1,234)
    assert (len(ticked), all(pk.isdigit() and int(pk) > 999 for pk in ticked)) == (50, True)
    assert Report.objects.filter(pk__in=ticked, agency_id=power).count() == 50


@pytest.mark.parametrize("language", ["vi", "en"])
def test_report_page_keeps_merge_ids_and_coordinates_plain(client, thousands, language):
    client.cookies["django_language"] = language
    client.force_login(thousands)
    today = timezone.now()
    # three open reports of today at the same place, ids over 999: the last two are
    # offered for merging on the first one's page
    _copies(Report.objects.get(tracking_code="FMT-MAR-00000"), 3, "FMT-NOW", received_at=today)
    report, *duplicates = Report.objects.filter(tracking_code__startswith="FMT-NOW").order_by("pk")

    html = client.get(f"/reports/{report.pk}/").content.decode()

    merge_ids = re.findall(r'id="merge-([^"]*)"', html)
    assert (len(merge_ids), set(merge_ids)) == (2, {str(d.pk) for d in duplicates})
    assert '<div class="small text-body-secondary mt-1">10.93000, 108.10000</div>' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "tooltip"), [("vi", "1.234"), ("en", "1,234")])
def test_figures_chart_tooltip_writes_the_language_format(
    page, live_server, thousands, screenshot, language, tooltip
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/reports/figures/?from=2026-03-01&to=2026-03-31")
    chart = page.locator("#figures-chart[data-loaded]")
    box = chart.bounding_box()

    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    # ECharts draws its axes on a canvas; the tooltip is HTML (1.234 / 1,234 received)
    expect(chart).to_contain_text(tooltip)
    screenshot(page, f"formats-figures-{language}")
