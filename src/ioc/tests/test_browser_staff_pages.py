"""Staff pages in a real Chromium, with the demo's agencies: they render, the map switches
between the two administrative structures, and the browser reports no script error."""

import pytest

from ioc.accounts.demo import load_demo_agencies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, username: str) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill("correct horse battery")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/staff/")
    return errors


def test_agency_directory_searches_as_you_type(
    page, live_server, geography, role_users, screenshot
):
    # given
    load_demo_agencies()
    errors = _log_in(page, live_server, "user.leader")

    # when
    page.locator("[data-nav=agencies]").click()
    total = page.locator("tr[data-agency]").count()
    screenshot(page, "agencies-leader")
    page.get_by_placeholder("Tên hoặc mã, có dấu hoặc không dấu").fill("y te")
    page.wait_for_function("document.querySelectorAll('tr[data-agency]').length === 1")

    # then
    assert total == 59  # 14 provincial bodies and utilities + 45 commune committees
    assert page.locator("tr[data-agency]").get_attribute("data-agency") == "so-y-te"
    assert "q=y%20te" in page.url  # the search is kept in the address, to share
    assert errors == []


def test_commune_page_switches_the_map_to_the_former_districts(
    page, live_server, geography, role_users, screenshot
):
    errors = _log_in(page, live_server, "user.operator")

    page.locator("[data-nav=communes]").click()
    page.wait_for_selector("#unit-map[data-loaded='true']")
    communes = page.locator("#unit-map path.leaflet-interactive").count()
    page.get_by_role("button", name="Huyện trước 1/7/2025").click()
    page.wait_for_selector("#unit-map[data-loaded='true'][data-features='10']")
    screenshot(page, "communes-operator-legacy-districts")

    assert communes == 45
    assert page.locator("#unit-map path.leaflet-interactive").count() == 10
    assert page.locator("tr[data-commune]").count() == 45
    assert errors == []


def test_staff_shell_on_a_phone_hides_the_menu_behind_a_button(
    phone_page, live_server, geography, role_users, screenshot
):
    _log_in(phone_page, live_server, "user.agency_head")

    assert not phone_page.locator("#sidebar").is_visible()
    phone_page.get_by_role("button", name="Menu").click()
    phone_page.wait_for_selector("#sidebar.show")
    screenshot(phone_page, "staff-menu-phone")

    shell_entries = (
        "#sidebar [data-nav=overview], #sidebar [data-nav=agencies], #sidebar [data-nav=communes]"
    )
    assert phone_page.locator(shell_entries).count() == 3
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_period_filter_offers_a_custom_range_kept_in_the_url(
    page, live_server, geography, role_users, screenshot
):
    _log_in(page, live_server, "user.operator")

    page.get_by_label("Kỳ", exact=True).select_option("custom")
    page.get_by_label("Từ ngày").fill("2024-01-01")
    page.get_by_label("Đến ngày").fill("2024-03-31")
    page.get_by_role("button", name="Áp dụng").click()
    page.wait_for_url("**/staff/?*")

    assert "from=2024-01-01" in page.url
    assert "to=2024-03-31" in page.url
    assert "period=" not in page.url
    assert page.get_by_text("01/01/2024 – 31/03/2024").first.is_visible()  # noqa: RUF001
    screenshot(page, "staff-home-custom-period")
