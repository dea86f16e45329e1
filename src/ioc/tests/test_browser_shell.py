"""The shell in a real Chromium: the offline map, logging in, the language switch."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_draws_the_45_communes_without_internet(page, live_server, geography, screenshot):
    # given the map has no tile layer: every request outside the live server would fail
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )

    # when
    page.goto(live_server.url + "/")
    page.wait_for_selector("#commune-map[data-loaded='true']")

    # then
    assert page.locator("#commune-map path.leaflet-interactive").count() == 45
    assert page.get_attribute("#commune-map", "data-features") == "45"
    assert outside == []
    screenshot(page, "home-vi-desktop")


def test_home_page_on_a_phone(phone_page, live_server, geography, screenshot):
    phone_page.goto(live_server.url + "/")
    phone_page.wait_for_selector("#commune-map[data-loaded='true']")

    assert phone_page.locator("#commune-map path.leaflet-interactive").count() == 45
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "home-vi-phone")


def test_operator_logs_in_and_lands_on_the_operator_home(
    page, live_server, geography, role_users, screenshot
):
    # given
    page.goto(live_server.url + "/")

    # when
    page.get_by_role("link", name="Đăng nhập").first.click()
    page.get_by_label("Tên đăng nhập").fill("user.operator")
    page.get_by_label("Mật khẩu").fill("correct horse battery")
    page.get_by_role("button", name="Đăng nhập").click()

    # then
    page.wait_for_url(live_server.url + "/staff/")
    assert page.get_by_test_id("role").inner_text() == "Điều hành viên IOC"
    nav = page.locator("[data-nav]").evaluate_all("links => links.map(link => link.dataset.nav)")
    # Subsystems add entries of their own between these (tested in their apps).
    assert [key for key in nav if key in {"overview", "agencies", "communes", "admin"}] == [
        "overview",
        "agencies",
        "communes",
    ]
    screenshot(page, "staff-home-operator")


def test_language_switch_turns_the_page_english_and_back(page, live_server, geography, screenshot):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"

    page.get_by_role("button", name="EN").click()
    page.wait_for_selector("html[lang='en']")
    assert page.get_by_role("link", name="Staff log in").is_visible()
    screenshot(page, "home-en-desktop")

    page.get_by_role("button", name="VI").click()
    page.wait_for_selector("html[lang='vi']")
    assert page.get_by_role("link", name="Đăng nhập cán bộ").is_visible()


def test_api_docs_render_without_internet(page, live_server, screenshot):
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )

    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock")

    assert page.locator(".swagger-ui .opblock").count() >= 3
    assert outside == []
    screenshot(page, "api-docs")
