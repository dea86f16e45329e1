"""The citizen's pages: send (with form errors next to the field, never a 500), follow,
rate, the public map and list, the public figures, the PWA files."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ioc.reports import services
from ioc.reports.models import Category, Report
from ioc.reports.tests.conftest import MUI_NE, OUTSIDE, PHAN_THIET, jpeg_bytes, local

pytestmark = pytest.mark.django_db


def _photo(content=None):
    return SimpleUploadedFile("p.jpg", content or jpeg_bytes(), content_type="image/jpeg")


def _form(**overrides):
    data = {
        "category": "pothole",
        "description": "Ổ gà lớn trước số 12 Trần Hưng Đạo",
        "lat": str(PHAN_THIET[0]),
        "lon": str(PHAN_THIET[1]),
        "name": "Nguyễn Văn Dân",
        "phone": "0909000000",
        "email": "dan@example.invalid",
        "photos": [_photo()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# -- send ----------------------------------------------------------------------------------


def test_send_page_offers_public_categories_and_i_dont_know(client, world):
    response = client.get("/reports/new/")

    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="unknown"' in text
    assert 'value="pothole"' in text
    assert 'value="internal"' not in text
    assert 'capture="environment"' in text
    assert 'rel="manifest"' in text


def test_citizen_sends_a_report_and_sees_the_tracking_code(client, world):
    # when
    response = client.post("/reports/new/", _form())

    # then
    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/sent/{report.tracking_code}/"
    assert (report.category.code, report.agency.code) == ("pothole", "phan-thiet")
    assert (report.reporter_name, report.source, report.photos.count()) == (
        "Nguyễn Văn Dân",
        "web",
        1,
    )
    page = client.get(response["Location"])
    assert report.tracking_code in page.content.decode()


def test_i_dont_know_sends_the_report_to_triage(client, world):
    client.post("/reports/new/", _form(category="unknown"))

    report = Report.objects.get()
    assert (report.category, report.status) == (None, "triage")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": ""}, "description", "Describe the problem."),
        ({"photos": None}, "photos", "Add at least one photo of the problem."),
        ({"lat": None, "lon": None}, "lat", "Show where the problem is"),
        ({"lat": str(OUTSIDE[0]), "lon": str(OUTSIDE[1])}, "lat", "outside the area"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"category": "internal"}, "category", "Select a valid choice."),
        ({"photos": [SimpleUploadedFile("x.jpg", b"not an image")]}, "photos", "photo"),
        ({"photos": [_photo() for _i in range(6)]}, "photos", "At most 5 photos"),
        ({"description": "x" * 4001}, "description", "at most 4000"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_is_stored(
    client, world, overrides, field, message
):
    response = client.post("/reports/new/", _form(**overrides))

    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert Report.objects.count() == 0


def test_form_errors_are_in_vietnamese_by_default(client, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    response = client.post("/reports/new/", _form(description=""))

    assert "Hãy mô tả sự việc." in response.content.decode()


def test_suggestions_fragment_never_fails(client, world):
    response = client.get("/reports/new/suggest/", {"description": "đèn đường bị hỏng"})
    empty = client.get("/reports/new/suggest/", {"description": ""})

    assert response.status_code == 200
    assert empty.status_code == 200
    assert "<html" not in response.content.decode()


def test_suggestions_fragment_offers_the_classifier_category_with_its_confidence(client, world):
    pytest.importorskip("ioc.reports.classifier")
    Category.objects.create(code="den-chieu-sang", name="Đèn chiếu sáng")

    response = client.get(
        "/reports/new/suggest/", {"description": "Đèn đường trước nhà bị hỏng, tối om"}
    )

    assert 'data-pick-category="den-chieu-sang"' in response.content.decode()


def test_sending_works_without_the_classifier(client, world, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ioc.reports.classifier", None)  # import fails

    suggest = client.get("/reports/new/suggest/", {"description": "Đèn đường hỏng"})
    response = client.post("/reports/new/", _form())

    assert suggest.status_code == 200
    assert response.status_code == 302
    assert Report.objects.get().suggested_category is None


def test_nearby_fragment_lists_open_published_reports_like_this_one(client, submit):
    report = submit(description="Ổ gà lớn giữa đường Trần Hưng Đạo, xe máy dễ ngã.")

    response = client.get(
        "/reports/new/nearby/",
        {
            "lat": PHAN_THIET[0],
            "lon": PHAN_THIET[1],
            "category": "pothole",
            "description": "Ổ gà lớn giữa đường Trần Hưng Đạo",
        },
    )
    far = client.get("/reports/new/nearby/", {"lat": MUI_NE[0], "lon": MUI_NE[1]})
    bad = client.get("/reports/new/nearby/", {"lat": "abc", "lon": "1"})

    assert f"/reports/track/{report.tracking_code}/" in response.content.decode()
    assert "This is my problem too" in response.content.decode()
    assert "dan@example.invalid" not in response.content.decode()
    assert report.tracking_code not in far.content.decode()
    assert bad.status_code == 200


# -- follow and rate -----------------------------------------------------------------------------


def test_follow_shows_status_timeline_and_expected_date_without_personal_data(client, submit):
    report = submit(reporter_name="Nguyễn Văn Dân", reporter_phone="0909000000")

    response = client.get(f"/reports/track/{report.tracking_code}/")

    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="assigned"' in text
    assert "Report received" in text
    assert 'data-testid="expected"' in text
    for personal in ("Nguyễn Văn Dân", "0909000000", "dan@example.invalid"):
        assert personal not in text


def test_follow_form_redirects_to_the_report_and_says_when_the_code_is_unknown(client, submit):
    report = submit()

    found = client.get("/reports/track/", {"code": report.tracking_code.lower()})
    unknown = client.get("/reports/track/", {"code": "PA-0000-XXXXXX"})
    typed = client.get("/reports/track/PA-0000-XXXXXX/")

    assert found.status_code == 302
    assert found["Location"] == f"/reports/track/{report.tracking_code}/"
    assert unknown.status_code == 404
    assert "No report has this tracking code" in unknown.content.decode()
    assert typed.status_code == 404


def test_citizen_rates_a_resolved_report_five_stars_and_it_closes(client, submit, people):
    report = submit()
    services.report_resolve(report=report, answer="Đã vá xong.", actor=people["staff"])

    page = client.get(f"/reports/track/{report.tracking_code}/")
    response = client.post(f"/reports/track/{report.tracking_code}/rate/", {"rating": "5"})

    report.refresh_from_db()
    assert "Rate the result" in page.content.decode()
    assert "Đã vá xong." in page.content.decode()
    assert response.status_code == 302
    assert (report.status, report.rating) == ("closed", 5)


def test_low_rating_explains_the_report_goes_back_for_review(client, submit, people):
    report = submit()
    services.report_resolve(report=report, answer="Đã vá xong.", actor=people["staff"])

    response = client.post(
        f"/reports/track/{report.tracking_code}/rate/",
        {"rating": "1", "comment": "Chưa vá"},
        follow=True,
    )

    report.refresh_from_db()
    assert report.status == "reopened"
    assert "goes back to the agency for review" in response.content.decode()


def test_rating_an_open_report_or_without_stars_is_refused_clearly(client, submit):
    report = submit()

    early = client.post(
        f"/reports/track/{report.tracking_code}/rate/", {"rating": "4"}, follow=True
    )
    missing = client.post(f"/reports/track/{report.tracking_code}/rate/", {"rating": ""})

    report.refresh_from_db()
    assert "Only a resolved report can be rated" in early.content.decode()
    assert missing.status_code == 400
    assert report.rating is None


# -- public list, map and photos -------------------------------------------------------------------


def test_public_list_shows_published_reports_with_personal_data_hidden(client, submit, world):
    shown = submit(reporter_name="Nguyễn Văn Dân", reporter_phone="0909000000")
    hidden = submit()
    Report.objects.filter(pk=hidden.pk).update(published=False)

    response = client.get("/reports/public/")

    text = response.content.decode()
    assert response.status_code == 200
    assert f'data-report="{shown.tracking_code}"' in text
    assert hidden.tracking_code not in text
    for personal in ("Nguyễn Văn Dân", "0909000000", "dan@example.invalid"):
        assert personal not in text
    assert [p["code"] for p in response.context["points"]] == [shown.tracking_code]


def test_public_list_filters_by_category_commune_and_status_in_an_htmx_fragment(client, submit):
    pothole = submit()
    light = submit(category="streetlight", point=MUI_NE)

    by_category = client.get(
        "/reports/public/", {"category": "streetlight"}, HTTP_HX_REQUEST="true"
    )
    by_commune = client.get("/reports/public/", {"commune": "22945"})
    by_status = client.get("/reports/public/", {"status": "closed"})
    nonsense = client.get("/reports/public/", {"status": "nope", "commune": "x"})

    assert "<html" not in by_category.content.decode()
    assert [p["code"] for p in by_category.context["points"]] == [light.tracking_code]
    assert [p["code"] for p in by_commune.context["points"]] == [pothole.tracking_code]
    assert by_status.context["points"] == []
    assert nonsense.status_code == 200
    assert len(nonsense.context["points"]) == 2


def test_photos_of_unpublished_reports_need_the_code_or_staff_access(client, submit, people):
    report = submit()
    Report.objects.filter(pk=report.pk).update(published=False)
    photo = report.photos.get()

    anonymous = client.get(f"/reports/photos/{photo.pk}/")
    with_code = client.get(f"/reports/photos/{photo.pk}/", {"code": report.tracking_code})
    client.force_login(people["staff"])
    staff = client.get(f"/reports/photos/{photo.pk}/")

    assert anonymous.status_code == 404
    assert with_code.status_code == 200
    assert with_code["Content-Type"] == "image/jpeg"
    assert staff.status_code == 200


# -- public figures --------------------------------------------------------------------------------


@pytest.fixture
def history(submit, people):
    """Three reports received in March 2026: one resolved on time and rated 5, one
    resolved and rated 2 (reopened), one still open and overdue; one in 2025."""
    staff = people["staff"]
    rated = submit(received_at=local(2026, 3, 2, 9))
    services.report_resolve(report=rated, answer="Xong", actor=staff, at=local(2026, 3, 3, 9))
    services.report_rate(report=rated, rating=5, at=local(2026, 3, 4, 9))
    unhappy = submit(received_at=local(2026, 3, 5, 9), point=MUI_NE, category="streetlight")
    services.report_resolve(report=unhappy, answer="Xong", actor=None, at=local(2026, 3, 16, 9))
    services.report_rate(report=unhappy, rating=2, at=local(2026, 3, 17, 9))
    submit(received_at=local(2026, 3, 9, 9))
    submit(received_at=local(2025, 6, 1, 9))
    return {"rated": rated, "unhappy": unhappy}


def test_public_figures_count_the_records_of_the_period(client, history):
    response = client.get("/reports/figures/", {"from": "2026-03-01", "to": "2026-03-31"})

    stats = response.context["stats"]
    assert response.status_code == 200
    assert (stats.received, stats.completed, stats.in_progress, stats.overdue) == (3, 2, 1, 1)
    assert (stats.ratings, stats.satisfied, stats.satisfied_pct) == (2, 1, 50.0)
    assert stats.on_time_pct == 50.0
    rows = {row["code"]: row["stats"].received for row in response.context["rows"]}
    assert rows == {"22945": 2, "22918": 1}
    assert 'data-stat="received">3<' in response.content.decode()


def test_public_figures_by_legacy_district_and_category_filters(client, history):
    by_district = client.get(
        "/reports/figures/", {"from": "2026-03-01", "to": "2026-03-31", "by": "legacy_district"}
    )
    one_category = client.get(
        "/reports/figures/",
        {"from": "2026-03-01", "to": "2026-03-31", "category": "streetlight", "by": "category"},
    )
    one_commune = client.get(
        "/reports/figures/", {"from": "2025-01-01", "to": "2026-12-31", "commune": "22945"}
    )

    assert [(r["code"], r["stats"].received) for r in by_district.context["rows"]] == [("593", 3)]
    assert [(r["code"], r["stats"].received) for r in one_category.context["rows"]] == [
        ("streetlight", 1)
    ]
    assert one_commune.context["stats"].received == 3


def test_public_figures_default_to_this_year(client, submit):
    submit()
    submit(received_at=timezone.now() - timedelta(days=800))

    response = client.get("/reports/figures/")

    assert response.context["start"].month == 1
    assert response.context["start"].day == 1
    assert response.context["stats"].received == 1


@pytest.mark.parametrize(
    "params",
    [
        {"from": "yesterday"},
        {"from": "2026-05-01", "to": "2026-01-01"},
        {"commune": "99999"},
        {"legacy_district": "abc"},
        {"category": "nope"},
    ],
)
def test_public_figures_bad_filters_give_a_message_not_a_500(client, world, params):
    response = client.get("/reports/figures/", params)

    assert response.status_code == 400
    assert response.context["errors"]
    assert 'role="alert"' in response.content.decode()


# -- PWA -----------------------------------------------------------------------------------


def test_manifest_and_service_worker_are_served_for_the_citizen_pages(client):
    manifest = client.get("/reports/manifest.webmanifest")
    worker = client.get("/reports/sw.js")

    assert manifest.status_code == 200
    assert manifest["Content-Type"] == "application/manifest+json"
    body = manifest.json()
    assert (body["start_url"], body["theme_color"]) == ("/reports/new/", "#0b3d6e")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert b"caches.open" in worker.content


def test_home_links_to_sending_a_report_and_the_public_figures(client, loaded_geo):
    text = client.get("/").content.decode()

    assert 'href="/reports/new/"' in text
    assert 'href="/reports/figures/"' in text
