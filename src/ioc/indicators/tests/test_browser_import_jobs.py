"""A big file in a real Chromium: the page answers at once with a progress bar that htmx
updates while the worker runs, then shows the DHIS2 summary. Screenshots go to
test-artifacts/screenshots/."""

import pytest
from django.utils import translation

from ioc.accounts.choices import Role
from ioc.accounts.tests.factories import UserFactory
from ioc.indicators import import_jobs
from ioc.indicators.models import DataValue, DataValueImport, Sector
from ioc.indicators.services import indicator_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
CSV = (
    "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
    "CASES,202401,22918,,,5\nCASES,202402,22918,,,7\nCASES,202403,22924,,,4\n"
)


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    # The worker is this test: jobs wait in the queue until it runs them.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.IOC_INDICATORS_IMPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def operator(loaded_geo):
    sector, _created = Sector.objects.get_or_create(
        code="health", defaults={"name": "Y tế", "order": 1}
    )
    indicator_create(code="CASES", name="Số ca bệnh", sector=sector)
    return UserFactory(username="vanhanh", role=Role.OPERATOR, password=PASSWORD)


def _run_worker(job: DataValueImport) -> None:
    # The worker runs in the deployment's language, Vietnamese.
    with translation.override("vi"):
        import_jobs.import_job_run(job.pk)


def _log_in(page, live_server) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("vanhanh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _check(page, live_server, path) -> DataValueImport:
    """Upload a file on the import page; it is big enough to go to the worker."""
    page.goto(live_server.url + "/indicators/import/")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_test_id("check-file").click()
    page.wait_for_url(lambda url: "/indicators/import/jobs/" in url)
    return DataValueImport.objects.latest("pk")


def test_a_big_file_shows_its_progress_then_its_summary(
    page, live_server, operator, screenshot, tmp_path
):
    _log_in(page, live_server)
    upload = tmp_path / "so-ca.csv"
    upload.write_text(CSV)

    page.goto(live_server.url + "/indicators/import/")
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_test_id("check-file").click()

    page.wait_for_url(lambda url: "/indicators/import/jobs/" in url)
    assert page.get_by_test_id("import-job").get_attribute("data-state") == "queued"
    check = DataValueImport.objects.get()
    # The worker starts and reports half of the rows written (as it does every 5,000).
    DataValueImport.objects.filter(pk=check.pk).update(state="running")
    import_jobs.ProgressFile(check)("writing", 2, 3)
    page.wait_for_selector("[data-testid=import-job][data-state=running]")
    assert page.get_by_test_id("job-progress").inner_text() == "75 %"
    screenshot(page, "indicators-import-job-running")

    DataValueImport.objects.filter(pk=check.pk).update(state="queued")
    _run_worker(check)
    page.wait_for_selector("[data-testid=import-job][data-state=done]")
    assert page.get_by_test_id("import-summary").get_attribute("data-dry-run") == "true"
    page.get_by_test_id("confirm-import").click()

    page.wait_for_url(lambda url: f"/indicators/import/jobs/{check.pk}/" not in url)
    job = DataValueImport.objects.exclude(pk=check.pk).get()
    _run_worker(job)
    page.wait_for_selector("[data-testid=import-job][data-state=done]")
    assert page.locator("[data-count=imported]").inner_text() == "3"
    assert DataValue.objects.filter(batch=job).count() == 3
    screenshot(page, "indicators-import-job-done")


def _fits_a_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    for button in page.locator("[data-testid=import-job] .btn").all():
        box = button.bounding_box()
        # a thumb-sized target, as wide as the card
        assert box["height"] >= 44
        assert box["width"] >= 300


def test_the_import_job_page_on_a_phone(phone_page, live_server, operator, screenshot, tmp_path):
    page = phone_page
    _log_in(page, live_server)
    wrong = tmp_path / "so-ca-loi.csv"
    wrong.write_text(CSV + "CASES,202413,22918,,,5\nCASES,202404,99999,,,6\n")

    # a file with two bad rows: its progress, then its conflicts
    check = _check(page, live_server, wrong)
    DataValueImport.objects.filter(pk=check.pk).update(state="running")
    import_jobs.ProgressFile(check)("checking", 2, 5)
    page.wait_for_selector("[data-testid=import-job][data-state=running]")
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    screenshot(page, "indicators-import-job-running-phone")
    DataValueImport.objects.filter(pk=check.pk).update(state="queued")
    _run_worker(check)
    page.wait_for_selector("[data-testid=import-job][data-state=done]")

    conflicts = page.locator("[data-testid=conflicts] tbody tr")
    assert conflicts.count() == 2
    row = conflicts.first.locator("td")
    # stacked: row, column and value on one line, the problem under them
    assert row.nth(0).bounding_box()["y"] == row.nth(2).bounding_box()["y"]
    assert row.nth(3).bounding_box()["y"] > row.nth(0).bounding_box()["y"]
    assert row.nth(3).inner_text() == (
        "Dòng 5, cột period: “202413” không phải là kỳ báo cáo: không có tháng 13."
    )
    _fits_a_phone(page)
    screenshot(page, "indicators-import-job-conflicts-phone")

    # a good file: checked, confirmed, imported
    good = tmp_path / "so-ca.csv"
    good.write_text(CSV)
    page.get_by_test_id("import-another").click()
    check = _check(page, live_server, good)
    _run_worker(check)
    page.wait_for_selector("[data-testid=import-job][data-state=done]")
    _fits_a_phone(page)
    screenshot(page, "indicators-import-job-checked-phone")
    page.get_by_test_id("confirm-import").click()
    page.wait_for_url(lambda url: f"/indicators/import/jobs/{check.pk}/" not in url)
    _run_worker(DataValueImport.objects.latest("pk"))
    page.wait_for_selector("[data-testid=import-job][data-state=done]")
    assert page.locator("[data-count=imported]").inner_text() == "3"
    _fits_a_phone(page)
    screenshot(page, "indicators-import-job-done-phone")
