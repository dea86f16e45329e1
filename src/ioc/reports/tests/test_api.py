"""The reports API: citizens (submit, follow, rate), staff actions, figures; errors name
the field and are never a 500."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ioc.accounts.tests.factories import api_key
from ioc.reports import services
from ioc.reports.models import Report
from ioc.reports.tests.conftest import OUTSIDE, PHAN_THIET, jpeg_bytes

pytestmark = pytest.mark.django_db
URL = "/api/v1/reports/"


def _photo(name="p.jpg", content=None):
    return SimpleUploadedFile(name, content or jpeg_bytes(), content_type="image/jpeg")


def _form(**overrides):
    data = {
        "category": "pothole",
        "description": "Ổ gà lớn trước số 12 Trần Hưng Đạo",
        "lat": str(PHAN_THIET[0]),
        "lon": str(PHAN_THIET[1]),
        "email": "dan@example.invalid",
        "name": "Nguyễn Văn Dân",
        "phone": "0909000000",
        "photos": [_photo()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_guest_submits_with_a_photo_and_follows_by_tracking_code(client, world):
    # when
    response = client.post(URL, _form())

    # then
    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get()
    assert body["tracking_code"] == report.tracking_code
    assert (body["status"], body["agency"]) == ("assigned", "Phan Thiet Ward People's Committee")

    followed = client.get(f"{URL}track/{report.tracking_code.lower()}")
    assert followed.status_code == 200
    public = followed.json()
    assert public["status"] == "assigned"
    assert [e["to_status"] for e in public["timeline"]] == ["new", "assigned"]
    text = followed.content.decode()
    for personal in ("Nguyễn Văn Dân", "0909000000", "dan@example.invalid"):
        assert personal not in text


@pytest.mark.parametrize(
    ("overrides", "status", "detail"),
    [
        ({"category": None}, 422, "category: Field required"),
        ({"category": "nope"}, 400, "category: Unknown category “nope”."),
        ({"lat": "north"}, 422, "lat: Input should be a valid number"),
        (
            {"lat": str(OUTSIDE[0]), "lon": str(OUTSIDE[1])},
            400,
            "lat: The point (10.6, 107.75) is outside the area this service covers.",
        ),
        (
            {"description": "x" * 4001},
            400,
            "description: The description is 4001 characters long; at most 4000.",
        ),
        (
            {"photos": [_photo("cat.jpg", b"GIF89a not really")]},
            400,
            "photos: photos[0]: not a photo (JPEG, PNG, WebP, GIF or BMP) or damaged.",
        ),
        ({"photos": None}, 400, "photos: Add at least one photo of the problem."),
        ({"attributes": "[1]"}, 400, 'attributes: give a JSON object like {"code": "value"}.'),
    ],
)
def test_bad_submission_gets_a_4xx_naming_the_field(client, world, overrides, status, detail):
    response = client.post(URL, _form(**overrides))

    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)
    assert Report.objects.count() == 0


def test_anonymous_flood_gets_429(client, world, settings):
    settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_DEVICE = 1
    assert client.post(URL, _form(device_id="d1")).status_code == 201

    response = client.post(URL, _form(device_id="d1"))

    assert response.status_code == 429
    assert response.json() == {
        "detail": "Too many reports from this device in the last hour (at most 1)."
    }


def test_trusted_client_with_a_key_is_not_rate_limited(client, world, settings):
    settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP = 1
    _key, raw = api_key(scopes=["reports"])

    statuses = [
        client.post(URL, _form(source="phone", photos=None), HTTP_X_API_KEY=raw).status_code
        for _i in range(3)
    ]
    wrong = client.post(URL, _form(), HTTP_X_API_KEY="ioc_abcdefgh_" + "x" * 32)

    assert statuses == [201, 201, 201]
    assert wrong.status_code == 401
    assert Report.objects.filter(source="phone").count() == 3


def test_logged_in_citizen_submits_as_themselves(client, people):
    client.force_login(people["citizen"])

    response = client.post(URL, _form())

    assert response.status_code == 201
    assert Report.objects.get().reporter == people["citizen"]


def test_citizen_rates_by_tracking_code(client, submit, people):
    report = services.report_resolve(report=submit(), answer="Đã vá", actor=people["staff"])

    response = client.post(
        f"{URL}track/{report.tracking_code}/rate",
        {"rating": 5, "comment": "Nhanh"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rating"]) == ("closed", 5)
    again = client.post(
        f"{URL}track/{report.tracking_code}/rate", {"rating": 1}, content_type="application/json"
    )
    assert again.status_code == 409


def test_unknown_tracking_code_is_404(client, world):
    response = client.get(f"{URL}track/PA-0000-XXXXXX")

    assert response.status_code == 404
    assert response.json() == {"detail": "code: no report has the tracking code PA-0000-XXXXXX."}


def test_staff_list_needs_credentials(client, world):
    assert client.get(URL).status_code == 401
    assert client.get(URL, HTTP_X_API_KEY="ioc_wrongkey_x").status_code == 401
    _key, raw = api_key(scopes=["indicators"])
    assert client.get(URL, HTTP_X_API_KEY=raw).status_code == 403


def test_staff_list_shows_only_what_the_role_may_see(client, submit, people):
    own = submit()
    other = submit(category="streetlight")
    Report.objects.filter(pk=other.pk).update(published=False)
    client.force_login(people["staff"])

    body = client.get(URL).json()

    assert (body["count"], [r["tracking_code"] for r in body["results"]]) == (
        1,
        [own.tracking_code],
    )


def test_api_key_of_an_agency_lists_that_agency_reports(client, submit, world):
    own = submit()
    other = submit(category="streetlight")
    Report.objects.filter(pk__in=[own.pk, other.pk]).update(published=False)
    _key, raw = api_key(scopes=["reports"], agency=world["phan_thiet"])

    body = client.get(URL, HTTP_X_API_KEY=raw).json()

    assert [r["tracking_code"] for r in body["results"]] == [own.tracking_code]


def test_staff_detail_holds_contact_details_for_the_responsible_agency_only(client, submit, people):
    report = submit(reporter_name="Trần Thị B")
    Report.objects.filter(pk=report.pk).update(published=False)

    client.force_login(people["other_staff"])
    assert client.get(f"{URL}{report.pk}").status_code == 404
    client.force_login(people["staff"])
    response = client.get(f"{URL}{report.pk}")

    assert response.status_code == 200
    assert (response.json()["reporter_name"], response.json()["reporter_email"]) == (
        "Trần Thị B",
        "dan@example.invalid",
    )


def test_agency_handles_a_report_through_the_api(client, submit, people):
    report = submit()
    client.force_login(people["staff"])

    started = client.post(f"{URL}{report.pk}/start")
    noted = client.post(
        f"{URL}{report.pk}/answers",
        {"text": "Cử đội 3", "public": False},
        content_type="application/json",
    )
    resolved = client.post(
        f"{URL}{report.pk}/resolve", {"answer": "Đã vá xong", "proof_photos": [_photo()]}
    )

    assert (started.status_code, started.json()["status"]) == (200, "in_progress")
    assert noted.status_code == 201
    assert [n["text"] for n in noted.json()["internal_notes"]] == ["Cử đội 3"]
    assert (resolved.status_code, resolved.json()["status"]) == (200, "resolved")
    public = client.get(f"{URL}track/{report.tracking_code}").json()
    assert [a["text"] for a in public["answers"]] == ["Đã vá xong"]
    assert "Cử đội 3" not in json.dumps(public, ensure_ascii=False)
    assert [p["kind"] for p in public["photos"]] == ["citizen", "proof"]


def test_other_agency_gets_403_and_illegal_move_409(client, submit, people):
    report = submit()

    client.force_login(people["other_staff"])
    refused = client.post(f"{URL}{report.pk}/start")
    client.force_login(people["staff"])
    illegal = client.post(
        f"{URL}{report.pk}/reopen", {"reason": "x"}, content_type="application/json"
    )

    assert refused.status_code == 403
    assert refused.json() == {
        "detail": f"You may not act on report {report.tracking_code}: it belongs to another agency."
    }
    assert illegal.status_code == 409
    assert illegal.json() == {"detail": "Cannot move from “assigned” to “reopened”."}


def test_leader_reads_but_may_not_act(client, submit, people):
    report = submit()
    client.force_login(people["leader"])

    assert client.get(f"{URL}{report.pk}").status_code == 200
    assert client.post(f"{URL}{report.pk}/start").status_code == 403


def test_transfer_reject_and_extension_through_the_api(client, submit, people, world):
    report = submit()
    second = submit()
    client.force_login(people["staff"])

    transfer = client.post(
        f"{URL}{report.pk}/transfer",
        {"agency": "nowhere", "reason": "x"},
        content_type="application/json",
    )
    reject = client.post(
        f"{URL}{second.pk}/reject", {"reason": "duplicate"}, content_type="application/json"
    )
    extension = client.post(
        f"{URL}{report.pk}/extensions",
        {"until": "2099-01-01T17:00:00+07:00", "reason": "Chờ vật tư"},
        content_type="application/json",
    )
    client.force_login(people["head"])
    decision = client.post(
        f"{URL}{report.pk}/extensions/{extension.json()['id']}/decision",
        {"approve": True},
        content_type="application/json",
    )

    assert transfer.status_code == 400
    assert transfer.json() == {"detail": "agency: no agency has the code “nowhere”."}
    assert (reject.status_code, reject.json()["status"]) == (200, "rejected")
    assert extension.status_code == 201
    assert (decision.status_code, decision.json()["status"]) == (200, "approved")
    assert client.get(f"{URL}{report.pk}").json()["due_at"] == "2099-01-01T10:00:00Z"


def test_stats_endpoint(client, submit, people):
    report = services.report_resolve(report=submit(), answer="Xong", actor=people["staff"])
    services.report_rate(report=report, rating=5)
    submit()
    today = report.received_at.astimezone().date().isoformat()

    response = client.get(f"{URL}stats", {"from": "2026-01-01", "to": "2099-12-31"})
    by_agency = client.get(
        f"{URL}stats", {"from": "2026-01-01", "to": "2099-12-31", "agency": "power"}
    )

    assert response.status_code == 200
    assert response.json() == {
        "from": "2026-01-01",
        "to": "2099-12-31",
        "received": 2,
        "completed": 1,
        "in_progress": 1,
        "overdue": 1,
        "ratings": 1,
        "satisfied": 1,
        "satisfied_pct": 100.0,
        "on_time_pct": 100.0,
    }
    assert by_agency.json()["received"] == 0
    assert today


@pytest.mark.parametrize(
    ("params", "status", "detail"),
    [
        ({"to": "2026-01-31"}, 422, "from: Field required"),
        ({"from": "2026-13-01", "to": "2026-01-31"}, 422, "from: Input should be a valid date"),
        ({"from": "2026-02-01", "to": "2026-01-31"}, 400, "to: the end of the period"),
        (
            {"from": "2026-01-01", "to": "2026-01-31", "category": "x"},
            400,
            "category: unknown category “x”.",
        ),
        (
            {"from": "2026-01-01", "to": "2026-01-31", "agency": "x"},
            400,
            "agency: no agency has the code “x”.",
        ),
        (
            {"from": "2026-01-01", "to": "2026-01-31", "commune": "593"},
            400,
            "commune: no unit has the code “593”.",
        ),
        (
            {"from": "2026-01-01", "to": "2026-01-31", "legacy_district": "22945"},
            400,
            "legacy_district: no unit has the code “22945”.",
        ),
    ],
)
def test_stats_bad_parameters_name_the_field(client, world, params, status, detail):
    response = client.get(f"{URL}stats", params)

    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_categories_are_public_with_their_questions(client, world):
    services.category_attribute_create(
        category=world["pothole"], code="size", description="Kích thước?"
    )

    body = client.get(f"{URL}categories").json()

    assert [c["code"] for c in body] == ["streetlight", "pothole", "noise"]
    assert body[1]["attributes"][0]["code"] == "size"


def test_duplicates_endpoint_suggests_published_nearby_reports(client, submit):
    report = submit(description="Ổ gà lớn trên đường Trần Hưng Đạo")

    body = client.get(
        f"{URL}duplicates",
        {
            "lat": PHAN_THIET[0],
            "lon": PHAN_THIET[1],
            "category": "pothole",
            "text": "o ga lon tren duong Tran Hung Dao",
        },
    ).json()

    assert [d["tracking_code"] for d in body] == [report.tracking_code]


def test_every_endpoint_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    for path in (
        "/api/v1/reports/",
        "/api/v1/reports/track/{code}",
        "/api/v1/reports/track/{code}/rate",
        "/api/v1/reports/stats",
        "/api/v1/reports/{report_id}/resolve",
        "/api/v1/reports/{report_id}/extensions/{extension_id}/decision",
    ):
        assert path in paths


def test_errors_are_in_vietnamese_by_default(client, world):
    # given: a browser that did not choose a language
    del client.cookies["django_language"]

    response = client.post(URL, _form(category="nope"))

    assert response.json() == {"detail": "category: Không có lĩnh vực “nope”."}


def test_reading_contact_details_is_logged(client, submit, people):
    report = submit()
    client.force_login(people["staff"])

    client.get(f"{URL}{report.pk}")

    from ioc.reports.selectors import report_timeline

    event = report_timeline(report=report, public=False).last()
    assert (event.verb, event.actor) == ("personal_data_viewed", people["staff"])
    assert "personal_data_viewed" not in [
        e.verb for e in report_timeline(report=report, public=True)
    ]


def test_triage_sets_category_priority_and_publication(client, submit, people):
    report = submit(category=None)
    client.force_login(people["operator"])

    response = client.patch(
        f"{URL}{report.pk}",
        {"category": "streetlight", "priority": "urgent", "published": False},
        content_type="application/json",
    )
    bad = client.patch(f"{URL}{report.pk}", {"priority": "asap"}, content_type="application/json")

    assert response.status_code == 200
    assert (response.json()["category"], response.json()["priority"]) == ("streetlight", "urgent")
    assert response.json()["published"] is False
    assert bad.status_code == 400
    assert bad.json() == {"detail": "priority: Unknown priority."}


def test_answer_templates_for_a_category(client, world, people):
    from ioc.reports.models import AnswerTemplate

    AnswerTemplate.objects.create(title="Đã tiếp nhận", text="Chúng tôi đã tiếp nhận.")
    AnswerTemplate.objects.create(category=world["pothole"], title="Đã vá", text="Đã vá ổ gà.")
    AnswerTemplate.objects.create(category=world["noise"], title="Ồn", text="…")
    client.force_login(people["staff"])

    body = client.get(f"{URL}answer-templates", {"category": "pothole"}).json()

    assert [t["title"] for t in body] == ["Đã tiếp nhận", "Đã vá"]


API_MATRIX = [
    # role, list status and count, detail status, action (start) status
    ("anonymous", (401, None), 401, 401),
    ("citizen", (403, None), 403, 403),
    ("staff", (200, 1), 200, 200),
    ("other_staff", (200, 0), 404, 404),
    ("head", (200, 1), 200, 200),
    ("operator", (200, 1), 200, 200),
    ("leader", (200, 1), 200, 403),
    ("admin", (200, 1), 200, 200),
]


@pytest.mark.parametrize(("role", "listing", "detail", "action"), API_MATRIX)
def test_staff_endpoints_role_matrix(client, submit, people, role, listing, detail, action):
    # given: an unpublished report of the staff's agency
    report = submit()
    Report.objects.filter(pk=report.pk).update(published=False)
    if role != "anonymous":
        client.force_login(people[role])

    # when
    listed = client.get(URL)
    shown = client.get(f"{URL}{report.pk}")
    started = client.post(f"{URL}{report.pk}/start")

    # then
    count = listed.json().get("count") if listed.status_code == 200 else None
    assert ((listed.status_code, count), shown.status_code, started.status_code) == (
        listing,
        detail,
        action,
    )


def test_public_list_shows_published_reports_without_personal_data(client, submit):
    shown = submit(reporter_name="Lê Văn C")
    hidden = submit()
    Report.objects.filter(pk=hidden.pk).update(published=False)
    far = submit(category="streetlight", lat=11.0, lon=108.2)

    everything = client.get(f"{URL}published").json()
    in_box = client.get(f"{URL}published", {"bbox": "108.09,10.92,108.11,10.94"}).json()
    bad_box = client.get(f"{URL}published", {"bbox": "1,2,3"})

    assert {r["tracking_code"] for r in everything["results"]} == {
        shown.tracking_code,
        far.tracking_code,
    }
    assert [r["tracking_code"] for r in in_box["results"]] == [shown.tracking_code]
    assert "Lê Văn C" not in json.dumps(everything, ensure_ascii=False)
    assert bad_box.status_code == 400
    assert bad_box.json() == {"detail": "bbox: give min_lon,min_lat,max_lon,max_lat."}


def test_citizen_follows_their_own_reports(client, submit, people):
    own = submit(reporter=people["citizen"])
    Report.objects.filter(pk=own.pk).update(published=False)
    submit()

    assert client.get(f"{URL}mine").status_code == 401
    client.force_login(people["citizen"])
    body = client.get(f"{URL}mine").json()

    assert [r["tracking_code"] for r in body] == [own.tracking_code]


def test_report_without_category_carries_the_suggested_category(client, world):
    # given: the shipped classifier's code for potholes is "o-ga"
    from ioc.reports.classifier import suggest_category
    from ioc.reports.models import Category

    pothole = Category.objects.create(code="o-ga", name="Ổ gà, hư hỏng mặt đường")
    text = "Ổ gà giữa đường Trần Hưng Đạo, xe máy dễ té"
    expected_code, expected_confidence = suggest_category(text)[0]

    # when
    response = client.post(URL, _form(category="unknown", description=text))

    # then
    assert response.status_code == 201
    body = response.json()
    assert expected_code == "o-ga"
    assert (body["suggested_category"], body["suggestion_confidence"]) == (
        "o-ga",
        expected_confidence,
    )
    report = Report.objects.get()
    assert (report.category, report.status) == (None, "triage")
    assert (report.suggested_category, report.suggestion_confidence) == (
        pothole,
        expected_confidence,
    )


def test_report_with_a_category_gets_no_suggestion(client, world):
    response = client.post(URL, _form(category="pothole"))

    assert response.status_code == 201
    body = response.json()
    assert (body["suggested_category"], body["suggestion_confidence"]) == (None, None)
    assert Report.objects.get().suggested_category is None


def test_suggestion_outside_the_public_categories_is_not_given(client, world):
    # given: no category "o-ga" in this deployment
    response = client.post(
        URL, _form(category="unknown", description="Ổ gà giữa đường Trần Hưng Đạo, xe máy dễ té")
    )

    # then: the report is taken all the same, with no suggestion
    assert response.status_code == 201
    assert response.json()["suggested_category"] is None
    assert Report.objects.get().suggestion_confidence is None
