"""Data sets in a real Chromium: agency staff enter a form, save a draft and submit it; the
agency's head sees who has reported and approves it; the form then shows the values locked.
Screenshots go to test-artifacts/screenshots/."""

from decimal import Decimal

import pytest

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.indicators.datasets import data_set_define
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import DataSetReport, DataValue, Indicator, OrgUnit, Sector, Target
from ioc.indicators.services import indicator_create
from ioc.indicators.tests.test_browser_indicators import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(loaded_geo):
    # A transactional test's flush empties the sectors the data migration seeded.
    health, _ = Sector.objects.get_or_create(code="health", defaults={"name": "Y tế"})
    agency = AgencyFactory(code="soyte", name="Sở Y tế")
    indicators = [
        indicator_create(
            code=code,
            name=name,
            unit=unit,
            sector=health,
            decimals=0,
            source_agency=agency,
            time_aggregation=aggregation,
        )
        for code, name, unit, aggregation in (
            ("VISITS", "Số lượt khám bệnh", "lượt", "SUM"),
            ("BEDS", "Số giường bệnh", "giường", "LAST"),
        )
    ]
    hierarchy = Hierarchy.load()
    data_set_define(
        code="YT-THANG",
        name="Báo cáo khám chữa bệnh tháng",
        agency=agency,
        period_type="MONTHLY",
        deadline_days=15,
        indicators=indicators,
        org_units=[
            OrgUnit.objects.get(pk=hierarchy.resolve(code).org_unit_id)
            for code in ("22918", "22924", "22933")
        ],
    )
    return {
        "staff": UserFactory(
            username="soyte.nhap", role=Role.AGENCY_STAFF, agency=agency, password=PASSWORD
        ),
        "head": UserFactory(
            username="soyte.giamdoc", role=Role.AGENCY_HEAD, agency=agency, password=PASSWORD
        ),
    }


def test_enter_submit_approve_then_the_form_is_locked(page, live_server, people, screenshot):
    # given: the health department's staff open October 2024 for Phường Mũi Né
    log_in(page, live_server, "soyte.nhap")
    page.goto(live_server.url + "/indicators/entry/")
    page.locator("#entry-period").fill("202410")
    page.locator("#entry-unit").select_option("current:22918")
    page.get_by_role("button", name="Mở biểu mẫu").click()
    assert page.locator("[data-report-status]").get_attribute("data-report-status") == "overdue"

    # when: they save a draft, then submit it
    page.locator("#value-VISITS").fill("nhiều")
    page.get_by_test_id("save-draft").click()
    assert page.locator("[data-error-for=VISITS]").inner_text() == "“nhiều” không phải là số."
    page.locator("#value-VISITS").fill("1250")
    page.get_by_test_id("save-draft").click()
    page.wait_for_selector(".alert-success")
    assert DataValue.objects.get(indicator__code="VISITS").status == "draft"
    page.locator("#value-BEDS").fill("40")
    page.get_by_test_id("submit-report").click()
    page.wait_for_selector("[data-report-status=submitted]")
    screenshot(page, "indicators-data-set-submitted-desktop")

    # then: the head sees one report of three, late, and approves it from the form
    log_in(page, live_server, "soyte.giamdoc")
    page.goto(live_server.url + "/indicators/entry/completeness/?dataset=YT-THANG&period=202410")
    assert page.locator("[data-figure=completeness]").inner_text() == "33,3 %"
    assert page.locator("tr[data-state=overdue]").count() == 2
    screenshot(page, "indicators-data-set-completeness-desktop")
    page.locator("tr[data-unit='current:22918'] a").click()
    page.get_by_test_id("approve-report").click()
    page.wait_for_selector("[data-report-status=approved]")

    # and the form shows the values read-only, locked
    assert page.get_by_test_id("locked-note").is_visible()
    assert page.locator("#value-VISITS").get_attribute("readonly") == ""
    assert page.locator("#value-VISITS").input_value() == "1.250"  # as Vietnamese writes it
    assert page.get_by_test_id("submit-report").count() == 0
    assert DataSetReport.objects.get().status == "approved"
    screenshot(page, "indicators-data-set-approved-desktop")
    page.goto(live_server.url + "/indicators/entry/data-sets/")
    assert page.locator("tr[data-data-set=YT-THANG] td").nth(4).inner_text() == "3"
    screenshot(page, "indicators-data-sets-desktop")


def test_a_grouped_value_is_saved_and_an_ambiguous_one_refused(
    page, live_server, people, screenshot
):
    # given: the Vietnamese form of October 2024 for Phường Mũi Né
    log_in(page, live_server, "soyte.nhap")
    page.goto(live_server.url + "/indicators/entry/?dataset=YT-THANG&period=202410")

    # when: 1.250 (one thousand two hundred fifty) is saved, then 12.5 typed for the beds
    page.locator("#value-VISITS").fill("1.250")
    page.get_by_test_id("save-draft").click()
    page.wait_for_selector(".alert-success")
    page.locator("#value-BEDS").fill("12.5")
    page.get_by_test_id("save-draft").click()

    # then: the grouped value is kept, the ambiguous one refused with both readings
    assert page.locator("[data-error-for=BEDS]").inner_text() == (
        "“12.5” chưa rõ nghĩa: trên trang này “.” ngăn cách hàng nghìn, theo nhóm ba chữ số. "
        "Viết 12,5 nếu là số thập phân, hoặc 125 nếu là số nguyên."
    )
    assert page.locator("#value-VISITS").input_value() == "1.250"
    assert page.locator("#value-BEDS").input_value() == "12.5"
    assert DataValue.objects.get(indicator__code="VISITS").value == 1250
    assert not DataValue.objects.filter(indicator__code="BEDS").exists()
    assert page.get_by_test_id("number-hint").is_visible()
    screenshot(page, "indicators-entry-typed-numbers-vi-desktop")


def test_the_data_set_pages_on_a_phone(phone_page, live_server, people, screenshot):
    log_in(phone_page, live_server, "soyte.giamdoc")
    pages = {
        "entry": "/indicators/entry/?dataset=YT-THANG&period=202410&unit=current:22924",
        "completeness": "/indicators/entry/completeness/?dataset=YT-THANG&period=202410",
        "list": "/indicators/entry/data-sets/",
    }
    for name, url in pages.items():
        phone_page.goto(live_server.url + url)
        phone_page.wait_for_load_state("networkidle")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, name
        screenshot(phone_page, f"indicators-data-set-{name}-phone")


def test_a_target_in_the_administration_is_typed_as_vietnamese_writes_it(
    page, live_server, people, screenshot
):
    # given: a 2024 target of 1250.5 examinations for Phường Mũi Né
    UserFactory(username="quantri", role=Role.ADMIN, password=PASSWORD)
    unit = OrgUnit.objects.get(pk=Hierarchy.load().resolve("22918").org_unit_id)
    target = Target.objects.create(
        indicator=Indicator.objects.get(code="VISITS"), org_unit=unit, year=2024, value=1250.5
    )
    log_in(page, live_server, "quantri")
    page.goto(live_server.url + f"/admin/indicators/target/{target.pk}/change/")
    assert page.locator("#id_value").input_value() == "1.250,5"

    # when: 1.25 is typed (a dot that cannot group thousands)
    page.locator("#id_value").fill("1.25")
    page.locator("input[name=_continue]").click()

    # then: refused with both readings, nothing changed
    assert "Viết 1,25 nếu là số thập phân, hoặc 125 nếu là số nguyên." in (
        page.locator(".errorlist").first.inner_text()
    )
    target.refresh_from_db()
    assert target.value == Decimal("1250.5")
    screenshot(page, "indicators-admin-target-typed-number-vi-desktop")
