"""A big file in a real Chromium: the page answers at once with a progress bar that htmx
updates while the worker runs, then shows the DHIS2 summary. Screenshots go to
test-artifacts/screenshots/."""

import pytest

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
    import_jobs.import_job_run(job.pk)


def test_a_big_file_shows_its_progress_then_its_summary(
    page, live_server, operator, screenshot, tmp_path
):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("vanhanh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
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
