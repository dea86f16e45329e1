"""Background imports: big files go to the worker; the page and the API poll the job."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.tests.factories import UserFactory, api_key
from ioc.indicators import import_jobs, services
from ioc.indicators.analytics import analytics_value
from ioc.indicators.dhis2 import parse_csv
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import Aggregate, DataValue, DataValueImport

SETS = "/api/v1/indicators/dataValueSets"
HEADER = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
CSV = HEADER + "CASES,202401,22918,,,5\nCASES,202402,legacy:22915,,,7\nCASES,202403,22918,,,4\n"


@pytest.fixture(autouse=True)
def _media_and_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.IOC_INDICATORS_IMPORT_BACKGROUND_ROWS = 2


@pytest.fixture
def cases(loaded_geo, make_indicator):
    return make_indicator("CASES", unit="ca")


@pytest.fixture
def key():
    return api_key(scopes=[ApiScope.INDICATORS])[1]


def _province_2024(indicator):
    hierarchy = Hierarchy.load()
    province = next(
        u for u in hierarchy.by_code["current"].values() if u.level == "province"
    ).org_unit_id
    return analytics_value(indicator=indicator, period="2024", unit=province)


def test_api_async_import_answers_202_then_the_job_gives_the_summary(
    cases, client, key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SETS + "?async=true", CSV, content_type="text/csv", headers={"X-API-Key": key}
        )

    assert response.status_code == 202
    body = response.json()
    job = DataValueImport.objects.get()
    assert body["status"] == "OK"
    assert body["response"]["jobType"] == "DATAVALUE_IMPORT"
    assert body["response"]["id"] == job.pk
    url = body["response"]["relativeNotifierEndpoint"]
    assert url == f"/api/v1/indicators/dataValueSets/jobs/{job.pk}"

    polled = client.get(url, headers={"X-API-Key": key}).json()
    assert (polled["state"], polled["completed"], polled["rowsDone"], polled["rowsTotal"]) == (
        "done",
        True,
        3,
        3,
    )
    assert polled["importSummary"]["status"] == "SUCCESS"
    assert polled["importSummary"]["importCount"] == {
        "imported": 3,
        "updated": 0,
        "ignored": 0,
        "deleted": 0,
    }
    assert DataValue.objects.filter(batch=job, source="api").count() == 3
    assert _province_2024(cases) == Decimal(16)
    assert not default_storage.exists(job.upload)  # the stored file is gone once imported


def test_api_queues_above_the_threshold_unless_async_is_false(cases, client, key):
    queued = client.post(SETS, CSV, content_type="text/csv", headers={"X-API-Key": key})
    at_once = client.post(
        SETS + "?async=false", CSV, content_type="text/csv", headers={"X-API-Key": key}
    )
    small = client.post(
        SETS,
        HEADER + "CASES,202404,22918,,,1\n",
        content_type="text/csv",
        headers={"X-API-Key": key},
    )

    assert (queued.status_code, at_once.status_code, small.status_code) == (202, 200, 200)
    job = DataValueImport.objects.get(pk=queued.json()["response"]["id"])
    assert job.state == "queued"  # no commit in this test: the worker has not run
    polled = client.get(f"{SETS}/jobs/{job.pk}", headers={"X-API-Key": key}).json()
    assert (polled["state"], polled["completed"], polled["percent"], polled["importSummary"]) == (
        "queued",
        False,
        0,
        None,
    )


def test_a_job_is_visible_only_to_whoever_started_it(cases, client, key):
    response = client.post(SETS, CSV, content_type="text/csv", headers={"X-API-Key": key})
    other = api_key(scopes=[ApiScope.INDICATORS])[1]

    answer = client.get(
        f"{SETS}/jobs/{response.json()['response']['id']}", headers={"X-API-Key": other}
    )

    assert answer.status_code == 404
    assert "job_id" in answer.json()["detail"]


def test_a_background_import_with_conflicts_records_them_and_writes_nothing(
    cases, client, key, django_capture_on_commit_callbacks
):
    content = CSV + "CASES,202413,22918,,,3\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETS, content, content_type="text/csv", headers={"X-API-Key": key})

    job = DataValueImport.objects.get(pk=response.json()["response"]["id"])
    summary = import_jobs.import_job_summary(job)
    assert (job.state, job.status, job.conflict_count) == ("done", "ERROR", 1)
    assert [(c["row"], c["column"]) for c in summary["conflicts"]] == [(5, "period")]
    assert summary["importCount"]["ignored"] == 4
    assert DataValue.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Không còn tệp đã lưu: hãy tải tệp lên lại."),
        ("en", "The stored file is missing: upload it again."),
    ],
)
def test_the_worker_writes_in_the_language_of_whoever_started_the_job(cases, language, message):
    with translation.override(language):
        job = import_jobs.import_job_create(
            upload="indicator-imports/missing.csv", file_format="csv", rows_total=3
        )
        content = (CSV + "CASES,202413,22918,,,3\n").encode()
        checked = import_jobs.import_job_create(
            upload=import_jobs.upload_store(content, "csv"), file_format="csv", rows_total=4
        )
    period_conflict = {
        "vi": "Dòng 5, cột period: “202413” không phải là kỳ báo cáo: không có tháng 13.",
        "en": "Row 5, column period: “202413” is not a period: there is no month 13.",
    }[language]

    with translation.override("en" if language == "vi" else "vi"):  # the worker's own
        import_jobs.import_job_run(job.pk)
        import_jobs.import_job_run(checked.pk)

    job.refresh_from_db()
    checked.refresh_from_db()
    assert (job.language, job.error) == (language, message)
    assert checked.conflicts[0]["value"] == period_conflict


def test_a_failing_background_import_records_its_error_and_leaves_no_value(cases, key, monkeypatch):
    def broken(_touched):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "rules_evaluate", broken)
    job = import_jobs.import_job_create(
        upload=import_jobs.upload_store(CSV.encode(), "csv"), file_format="csv", rows_total=3
    )

    state = import_jobs.import_job_run(job.pk)

    job.refresh_from_db()
    assert (state, job.state, job.status) == ("failed", "failed", "ERROR")
    assert job.error == "RuntimeError('disk full')"
    assert DataValue.objects.count() == 0
    assert Aggregate.objects.count() == 0
    assert import_jobs.import_job_summary(job)["description"] == "RuntimeError('disk full')"


def test_a_job_whose_file_is_gone_fails_with_a_clear_error(cases):
    job = import_jobs.import_job_create(
        upload="indicator-imports/missing.csv", file_format="csv", rows_total=3
    )

    import_jobs.import_job_run(job.pk)
    import_jobs.import_job_run(job.pk)  # a retried task does nothing more

    job.refresh_from_db()
    assert (job.state, job.error) == ("failed", "The stored file is missing: upload it again.")


def test_progress_is_reported_every_so_many_rows_then_at_the_aggregates(cases, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY", 2)
    calls = []

    services.data_values_import(
        rows=parse_csv(CSV), progress=lambda stage, done, total: calls.append((stage, done, total))
    )

    assert calls == [
        ("checking", 0, 3),
        ("checking", 2, 3),
        ("writing", 2, 3),
        ("writing", 3, 3),
        ("aggregating", 3, 3),
    ]


def test_a_running_job_shows_the_progress_its_worker_wrote(cases):
    job = import_jobs.import_job_create(upload="x.csv", file_format="csv", rows_total=20000)
    DataValueImport.objects.filter(pk=job.pk).update(state="running")
    job.refresh_from_db()

    import_jobs.ProgressFile(job)("writing", 10000, 20000)

    assert import_jobs.import_job_progress(job) == {
        "state": "running",
        "stage": "writing",
        "rows_done": 10000,
        "rows_total": 20000,
        "percent": 67,  # checking is 0-45 %, writing 45-90 %, the aggregates the rest
    }


def test_the_page_checks_then_imports_a_big_file_in_the_background(
    cases, client, django_capture_on_commit_callbacks
):
    staff = UserFactory(role=Role.OPERATOR)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            "/indicators/import/",
            {
                "file": SimpleUploadedFile("values.csv", CSV.encode()),
                "strategy": "CREATE_AND_UPDATE",
                "structure": "current",
            },
        )
    check_job = DataValueImport.objects.get()
    assert checked.status_code == 302
    assert checked["Location"] == f"/indicators/import/jobs/{check_job.pk}/"
    page = client.get(checked["Location"])
    assert page.context["result"]["importCount"]["imported"] == 3
    assert page.context["summary"].dry_run is True
    assert page.context["token"]
    assert DataValue.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            "/indicators/import/",
            {"token": page.context["token"], "file_format_confirmed": "csv"},
        )
    job = DataValueImport.objects.exclude(pk=check_job.pk).get()
    assert confirmed["Location"] == f"/indicators/import/jobs/{job.pk}/"
    polled = client.get(confirmed["Location"], headers={"HX-Request": "true"})
    html = polled.content.decode()
    assert html.lstrip().startswith('<div id="import-job"')
    assert 'data-state="done"' in html and "hx-get" not in html
    assert polled.context["result"]["importCount"]["imported"] == 3
    assert DataValue.objects.filter(batch=job, source="import").count() == 3
    assert _province_2024(cases) == Decimal(16)


def test_a_queued_job_page_polls_and_shows_a_progress_bar(cases, client):
    staff = UserFactory(role=Role.OPERATOR)
    client.force_login(staff)
    client.post(
        "/indicators/import/",
        {
            "file": SimpleUploadedFile("values.csv", CSV.encode()),
            "strategy": "CREATE_AND_UPDATE",
            "structure": "current",
        },
    )
    job = DataValueImport.objects.get()

    page = client.get(f"/indicators/import/jobs/{job.pk}/")
    stranger = UserFactory(role=Role.OPERATOR)
    client.force_login(stranger)
    hidden = client.get(f"/indicators/import/jobs/{job.pk}/")

    html = page.content.decode()
    assert 'data-state="queued"' in html and 'hx-trigger="load delay:1s"' in html
    assert 'data-testid="job-progress"' in html
    assert hidden.status_code == 404
