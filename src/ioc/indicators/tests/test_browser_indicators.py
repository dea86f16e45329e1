"""The issue's "done when" in a real Chromium: an administrator adds an indicator with a
formula, an agency enters its operand in the form, another imports a DHIS2 CSV, and the new
figure shows on the health dashboard and through the analytics API. Screenshots of every
indicator page, at desktop and phone size, go to test-artifacts/screenshots/."""

import io
import json

import pytest
from pypdf import PdfReader

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory
from ioc.indicators.models import Sector
from ioc.indicators.services import indicator_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
POPULATION_CSV = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
    "POPULATION,2024,22918,,,100000\n"
    "POPULATION,2024,22924,,,50000\n"
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(loaded_geo):
    # A transactional test's flush empties the sectors the data migration seeded.
    for order, (code, name) in enumerate(
        [
            ("socio-economic", "Kinh tế - xã hội"),
            ("health", "Y tế"),
            ("education", "Giáo dục"),
            ("tourism", "Du lịch"),
        ]
    ):
        Sector.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    health, statistics = AgencyFactory(code="soyte"), AgencyFactory(code="cucthongke")
    indicator_create(
        code="DOCTORS",
        name="Số bác sĩ",
        name_en="Doctors",
        unit="bác sĩ",
        sector=Sector.objects.get(code="health"),
        period_type="YEARLY",
        time_aggregation="LAST",
        decimals=0,
        source_agency=health,
    )
    indicator_create(
        code="POPULATION",
        name="Dân số trung bình",
        unit="người",
        sector=Sector.objects.get(code="socio-economic"),
        period_type="YEARLY",
        time_aggregation="LAST",
        decimals=0,
        source_agency=statistics,
    )
    return {
        "admin": UserFactory(username="quantri", role=Role.ADMIN, password=PASSWORD),
        "doctor": UserFactory(
            username="soyte.nhap", role=Role.AGENCY_STAFF, agency=health, password=PASSWORD
        ),
        "statistician": UserFactory(
            username="thongke.nhap", role=Role.AGENCY_STAFF, agency=statistics, password=PASSWORD
        ),
        "leader": UserFactory(username="lanhdao", role=Role.LEADER, password=PASSWORD),
    }


def log_in(page, live_server, username: str) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_a_new_computed_indicator_gets_its_figures_from_a_form_and_a_dhis2_file(
    page, live_server, people, screenshot
):
    # given: the administrator adds "doctors per 10,000 people", first with a typo
    log_in(page, live_server, "quantri")
    page.goto(live_server.url + "/indicators/catalogue/")
    screenshot(page, "indicators-catalogue-desktop")
    page.get_by_test_id("add-indicator").click()
    page.locator("#id_code").fill("DOCTORS_PER_10K")
    page.locator("#id_name").fill("Số bác sĩ trên 10.000 dân")
    page.locator("#id_unit").fill("bác sĩ/10.000 dân")
    page.locator("#id_sector").select_option(str(Sector.objects.get(code="health").pk))
    page.locator("#id_period_type").select_option("YEARLY")
    page.locator("#id_time_aggregation").select_option("LAST")
    page.locator("#id_numerator").fill("#{DOCTOR}")
    page.locator("#id_denominator").fill("#{POPULATION}")
    page.locator("#id_factor").fill("10000")
    page.get_by_test_id("save-indicator").click()
    error = page.locator("[data-error-for=numerator]")
    assert error.inner_text() == "Mã chỉ tiêu không tồn tại: DOCTOR."
    screenshot(page, "indicators-form-error-desktop")
    page.locator("#id_numerator").fill("#{DOCTORS}")
    page.get_by_test_id("save-indicator").click()
    page.wait_for_url(live_server.url + "/indicators/catalogue/DOCTORS_PER_10K/")
    assert "Tạo mới" in page.get_by_test_id("history").inner_text()
    screenshot(page, "indicators-form-saved-desktop")

    # when: the health department enters its doctors in the form, ward by ward
    log_in(page, live_server, "soyte.nhap")
    page.goto(live_server.url + "/indicators/entry/")
    page.locator("#entry-sector").select_option("health")
    page.locator("#entry-period").fill("2024")
    for unit, doctors in (("current:22918", "180"), ("current:22924", "120")):
        page.locator("#entry-unit").select_option(unit)
        page.get_by_role("button", name="Mở biểu mẫu").click()
        page.locator("#value-DOCTORS").fill(doctors)
        page.get_by_test_id("save-values").click()
        page.wait_for_selector(".alert-success")
    screenshot(page, "indicators-entry-desktop")

    # and the statistics office imports the population as a DHIS2 CSV, checked first
    log_in(page, live_server, "thongke.nhap")
    page.goto(live_server.url + "/indicators/import/")
    page.locator("#id_file").set_input_files(
        {"name": "dan-so-2024.csv", "mimeType": "text/csv", "buffer": POPULATION_CSV.encode()}
    )
    page.get_by_test_id("check-file").click()
    summary = page.get_by_test_id("import-summary")
    assert summary.get_attribute("data-dry-run") == "true"
    assert summary.locator("[data-count=imported]").inner_text() == "2"
    screenshot(page, "indicators-import-dry-run-desktop")
    page.get_by_test_id("confirm-import").click()
    summary = page.get_by_test_id("import-summary")
    assert summary.get_attribute("data-dry-run") == "false"
    assert summary.get_attribute("data-status") == "SUCCESS"
    assert summary.get_by_test_id("import-status").inner_text() == "Thành công"
    assert page.locator(".is-invalid").count() == 0  # the form for the next file is fresh
    screenshot(page, "indicators-import-done-desktop")

    # then: the health dashboard shows 300 doctors for 150,000 people = 20 per 10,000
    log_in(page, live_server, "lanhdao")
    page.goto(live_server.url + "/indicators/health/?period=2024&indicator=DOCTORS_PER_10K")
    page.wait_for_selector("#indicator-map[data-loaded='true']")
    page.wait_for_selector("#indicator-trend[data-drawn='true']")
    assert page.locator("[data-value=DOCTORS_PER_10K]").first.inner_text().startswith("20,0")
    assert page.locator("[data-value=DOCTORS]").first.inner_text().startswith("300")
    ranking = page.get_by_test_id("ranking").locator("tbody tr[data-unit]")
    assert ranking.evaluate_all("rows => rows.map(r => r.dataset.unit)") == ["22924", "22918"]
    assert ranking.first.locator("[data-rank-value]").inner_text() == "24,0"
    assert page.locator("#indicator-map path.leaflet-interactive").count() == 45
    screenshot(page, "indicators-health-dashboard-desktop")

    # and through the analytics API
    answer = page.request.get(
        live_server.url
        + "/api/v1/indicators/analytics?indicator=DOCTORS_PER_10K&period=2024&unit=22918"
    )
    assert json.loads(answer.text())["value"] == 18.0

    # and the population imported is in the monthly socio-economic report
    report = page.request.get(live_server.url + "/indicators/reports/monthly/202412.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(report.body())).pages)
    assert "Dân số trung bình" in text
    assert "150.000" in text

    # and the drill-down names the values' sources
    page.get_by_test_id("drill-down").click()
    page.wait_for_selector("[data-testid=values]")
    screenshot(page, "indicators-values-desktop")


def test_the_indicator_pages_on_a_phone(phone_page, live_server, people, screenshot):
    log_in(phone_page, live_server, "quantri")
    pages = {
        "dashboard": "/indicators/health/?period=2024",
        "catalogue": "/indicators/catalogue/",
        "form": "/indicators/catalogue/new/",
        "entry": "/indicators/entry/?sector=health&period=2024&unit=current:22918",
        "completeness": "/indicators/entry/completeness/?sector=health&period=2024",
        "import": "/indicators/import/",
        "values": "/indicators/values/DOCTORS/?period=2024",
    }
    for name, url in pages.items():
        phone_page.goto(live_server.url + url)
        phone_page.wait_for_load_state("networkidle")
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, name
        screenshot(phone_page, f"indicators-{name}-phone")


def test_the_empty_dashboard_says_what_to_do(page, live_server, people, screenshot):
    log_in(page, live_server, "soyte.nhap")

    page.goto(live_server.url + "/indicators/health/?period=202401")

    assert "Nhập số liệu" in page.get_by_test_id("empty-state").first.inner_text()
    page.goto(live_server.url + "/indicators/entry/completeness/?sector=health&period=2024")
    screenshot(page, "indicators-completeness-desktop")
    page.goto(live_server.url + "/indicators/health/?period=202401")
    screenshot(page, "indicators-health-empty-desktop")
