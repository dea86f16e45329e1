"""The staff's pages: the work queue (tabs, filters, bulk actions, exports), the report
detail with its actions (each refusal a message, never a 500) and the dashboard."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from ioc.core.models import TimelineEvent
from ioc.reports import services
from ioc.reports.models import Report
from ioc.reports.tests.conftest import MUI_NE, jpeg_bytes, local

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# -- access ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "queue", "dashboard"),
    [
        ("staff", 200, 403),
        ("head", 200, 200),
        ("operator", 200, 200),
        ("leader", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_staff_pages_by_role(client, people, submit, role, queue, dashboard):
    report = submit()
    client.force_login(people[role])

    assert client.get("/reports/queue/").status_code == queue
    assert client.get("/reports/dashboard/").status_code == dashboard
    assert client.get(f"/reports/{report.pk}/").status_code == 200


def test_citizens_and_visitors_do_not_reach_the_staff_pages(client, people, submit):
    report = submit()

    assert client.get("/reports/queue/").status_code == 302  # to the login page
    client.force_login(people["citizen"])
    assert client.get("/reports/queue/")["Location"] == "/"
    assert client.get(f"/reports/{report.pk}/")["Location"] == "/"
    assert client.get("/reports/dashboard/")["Location"] == "/"


def test_staff_of_another_agency_see_a_published_report_without_personal_data(
    client, people, submit
):
    report = submit(reporter_name="Nguyễn Văn Dân")
    hidden = submit()
    Report.objects.filter(pk=hidden.pk).update(published=False)
    client.force_login(people["other_staff"])

    response = client.get(f"/reports/{report.pk}/")

    assert response.status_code == 200
    assert "Nguyễn Văn Dân" not in response.content.decode()
    assert not response.context["actions"]["start"]
    assert not TimelineEvent.objects.filter(verb="personal_data_viewed").exists()
    assert client.get(f"/reports/{hidden.pk}/").status_code == 404
    assert hidden.tracking_code not in client.get("/reports/queue/?view=all").content.decode()


def test_sidebar_offers_the_queue_to_agency_staff_and_the_dashboard_to_heads(client, people):
    client.force_login(people["staff"])
    staff_nav = [item.key for item in client.get("/reports/queue/").context["nav_items"]]
    client.force_login(people["head"])
    head_nav = [item.key for item in client.get("/reports/queue/").context["nav_items"]]

    assert "reports-queue" in staff_nav
    assert "reports-dashboard" not in staff_nav
    assert {"reports-queue", "reports-dashboard"} <= set(head_nav)


# -- queue ---------------------------------------------------------------------------------


@pytest.fixture
def queue_world(submit, world):
    """For "phan-thiet": one overdue, one due soon, one on track; one in triage."""
    now = timezone.now()
    overdue = submit(description="Ổ gà quá hạn")
    soon = submit(description="Ổ gà sắp đến hạn")
    fresh = submit(description="Ổ gà mới", point=MUI_NE)
    Report.objects.filter(pk=fresh.pk).update(agency=world["phan_thiet"])
    Report.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=2))
    Report.objects.filter(pk=soon.pk).update(due_at=now + timedelta(minutes=30))
    Report.objects.filter(pk=fresh.pk).update(due_at=now + timedelta(days=30))
    triage = submit(category="noise", description="Karaoke ồn ào")
    return {"overdue": overdue, "soon": soon, "fresh": fresh, "triage": triage}


def test_queue_tabs_count_and_list_the_agency_reports(client, people, queue_world):
    client.force_login(people["staff"])

    mine = client.get("/reports/queue/")
    overdue = client.get("/reports/queue/?view=overdue")

    counts = {tab["key"]: tab["count"] for tab in mine.context["tabs"]}
    # "all": every open report the user may see, the published ones of others too
    assert counts == {"mine": 3, "due_soon": 1, "overdue": 1, "all": 4}
    assert [row["report"].tracking_code for row in overdue.context["rows"]] == [
        queue_world["overdue"].tracking_code
    ]
    text = mine.content.decode()
    assert 'data-deadline="overdue"' in text
    assert 'data-deadline="due_soon"' in text


def test_operators_have_the_triage_tab(client, people, queue_world):
    client.force_login(people["operator"])

    response = client.get("/reports/queue/?view=triage")

    counts = {tab["key"]: tab["count"] for tab in response.context["tabs"]}
    assert counts["triage"] == 1
    assert [row["report"].pk for row in response.context["rows"]] == [queue_world["triage"].pk]


def test_queue_filters_by_text_commune_category_and_status_as_an_htmx_fragment(
    client, people, queue_world
):
    client.force_login(people["staff"])

    by_text = client.get("/reports/queue/", {"q": "sắp"}, HTTP_HX_REQUEST="true")
    by_commune = client.get("/reports/queue/", {"commune": "22918"})
    by_status = client.get("/reports/queue/", {"status": "in_progress"})
    nonsense = client.get("/reports/queue/", {"view": "x", "status": "x", "category": "x"})

    assert "<html" not in by_text.content.decode()
    assert [r["report"].pk for r in by_text.context["rows"]] == [queue_world["soon"].pk]
    assert [r["report"].pk for r in by_commune.context["rows"]] == [queue_world["fresh"].pk]
    assert by_status.context["rows"] == []
    assert nonsense.status_code == 200
    assert len(nonsense.context["rows"]) == 3


def test_queue_reads_the_area_of_the_top_bar(client, people, queue_world):
    client.force_login(people["staff"])

    mui_ne = client.get("/reports/queue/", {"area": "commune:22918"})
    district = client.get("/reports/queue/", {"area": "district:593"})
    bad = client.get("/reports/queue/", {"area": "nowhere"})

    assert [r["report"].pk for r in mui_ne.context["rows"]] == [queue_world["fresh"].pk]
    assert len(district.context["rows"]) == 3
    assert bad.status_code == 200
    assert "area=commune%3A22918" in mui_ne.context["query_string"]


def test_queue_exports_the_filtered_list_as_csv_and_xlsx(client, people, queue_world):
    client.force_login(people["staff"])

    response = client.get("/reports/queue/", {"view": "overdue", "format": "csv"})
    xlsx = client.get("/reports/queue/", {"format": "xlsx"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0][0] == "Tracking code"
    assert [row[0] for row in rows[1:]] == [queue_world["overdue"].tracking_code]
    assert "dan@example.invalid" not in response.content.decode()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 4


def test_bulk_mark_in_progress_and_operators_bulk_assign(client, people, queue_world, world):
    client.force_login(people["staff"])
    ids = [queue_world["overdue"].pk, queue_world["soon"].pk]

    started = client.post("/reports/queue/bulk/", {"action": "start", "reports": ids}, follow=True)
    client.force_login(people["operator"])
    assigned = client.post(
        "/reports/queue/bulk/",
        {"action": "assign", "reports": [queue_world["triage"].pk], "agency": world["other"].pk},
        follow=True,
    )

    statuses = dict(Report.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["in_progress", "in_progress"]
    assert "2 report(s) updated" in _messages(started)[0]
    assert statuses[queue_world["triage"].pk] == "assigned"
    assert "1 report(s) updated" in _messages(assigned)[0]


def test_bulk_refusals_are_messages(client, people, queue_world):
    client.force_login(people["staff"])

    nothing = client.post("/reports/queue/bulk/", {"action": "start"}, follow=True)
    assign = client.post(
        "/reports/queue/bulk/",
        {"action": "assign", "reports": [queue_world["overdue"].pk]},
        follow=True,
    )
    client.post(
        "/reports/queue/bulk/",
        {"action": "start", "reports": [queue_world["soon"].pk]},
        follow=True,
    )
    again = client.post(
        "/reports/queue/bulk/",
        {"action": "start", "reports": [queue_world["soon"].pk]},
        follow=True,
    )

    assert nothing.status_code == 200
    assert _messages(nothing) == ["Tick at least one report."]
    assert _messages(assign) == ["Choose the agency."]
    assert "Cannot move from" in _messages(again)[0]


# -- detail and actions --------------------------------------------------------------------------


def test_detail_shows_personal_data_and_logs_the_view(client, people, submit):
    report = submit(reporter_name="Nguyễn Văn Dân", reporter_phone="0909000000")
    client.force_login(people["staff"])

    response = client.get(f"/reports/{report.pk}/")

    text = response.content.decode()
    assert "Nguyễn Văn Dân" in text
    assert "0909000000" in text
    viewed = TimelineEvent.objects.filter(object_id=str(report.pk), verb="personal_data_viewed")
    assert viewed.count() == 1
    assert viewed.get().actor == people["staff"]


def test_detail_offers_the_actions_of_the_status_and_role(client, people, submit):
    report = submit()

    client.force_login(people["staff"])
    staff_actions = client.get(f"/reports/{report.pk}/").context["actions"]
    client.force_login(people["leader"])
    leader = client.get(f"/reports/{report.pk}/")

    offered = {key for key, value in staff_actions.items() if value and key != "pending"}
    assert offered == {"transfer", "start", "answer", "resolve", "reject", "extend", "merge"}
    assert not leader.context["any_action"]
    assert 'data-testid="no-actions"' in leader.content.decode()


def test_staff_starts_answers_notes_and_resolves_with_a_proof_photo(client, people, submit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = submit()
    client.force_login(people["staff"])
    url = f"/reports/{report.pk}/act/"

    client.post(url + "start/")
    client.post(url + "answer/", {"answer-text": "Đã cử đội kiểm tra.", "answer-public": "public"})
    client.post(url + "answer/", {"answer-text": "Cần xe lu.", "answer-public": "internal"})
    response = client.post(
        url + "resolve/",
        {
            "resolve-answer": "Đã vá xong.",
            "resolve-proof_photos": [SimpleUploadedFile("fix.jpg", jpeg_bytes())],
        },
        follow=True,
    )

    report.refresh_from_db()
    assert report.status == "resolved"
    assert _messages(response)[-1] == "Resolved: the citizen is told and may rate the result."
    assert list(report.answers.values_list("is_public", "text")) == [
        (True, "Đã cử đội kiểm tra."),
        (False, "Cần xe lu."),
        (True, "Đã vá xong."),
    ]
    assert report.photos.filter(kind="proof").count() == 1
    public = client.get(f"/reports/track/{report.tracking_code}/").content.decode()
    assert "Cần xe lu." not in public


def test_answer_templates_of_the_category_are_offered(client, people, submit, world):
    from ioc.reports.models import AnswerTemplate

    AnswerTemplate.objects.create(
        category=world["pothole"], title="Đã vá", text="Đơn vị đã vá ổ gà."
    )
    AnswerTemplate.objects.create(category=world["streetlight"], title="Đèn", text="Đã thay.")
    report = submit()
    client.force_login(people["staff"])

    text = client.get(f"/reports/{report.pk}/").content.decode()

    assert 'data-text="Đơn vị đã vá ổ gà."' in text
    assert "Đã thay." not in text


def test_illegal_moves_and_bad_forms_come_back_as_messages(client, people, submit, world):
    report = submit()
    client.force_login(people["staff"])
    url = f"/reports/{report.pk}/act/"

    close = client.post(url + "close/", {"close-reason": "x"}, follow=True)
    reject = client.post(url + "reject/", {"reject-reason": "nonsense"}, follow=True)
    transfer = client.post(url + "transfer/", {"transfer-reason": ""}, follow=True)
    assign = client.post(url + "assign/", {"assign-agency": world["other"].pk}, follow=True)
    unknown = client.post(url + "explode/")

    assert close.status_code == 200
    assert "Cannot move from" in _messages(close)[0]
    assert "Select a valid choice" in _messages(reject)[0]
    assert "This field is required" in _messages(transfer)[0]
    assert "Only IOC operators assign" in _messages(assign)[0]
    assert unknown.status_code == 404
    report.refresh_from_db()
    assert report.status == "assigned"


def test_leaders_cannot_act_even_by_posting(client, people, submit):
    report = submit()
    client.force_login(people["leader"])

    response = client.post(f"/reports/{report.pk}/act/start/", follow=True)

    report.refresh_from_db()
    assert report.status == "assigned"
    assert "Leaders read reports" in _messages(response)[0]


def test_transfer_reject_reopen_and_extensions(client, people, submit, world):
    report = submit()
    other = submit()
    client.force_login(people["staff"])
    url = f"/reports/{report.pk}/act/"

    client.post(url + "extend/", {"extend-until": "2099-12-31", "extend-reason": "Chờ vật tư"})
    client.force_login(people["head"])
    extension = report.extensions.get()
    decided = client.post(
        url + "decide/",
        {"decide-extension": extension.pk, "decide-approve": "approve", "decide-note": "Đồng ý"},
        follow=True,
    )
    transfer = client.post(
        url + "transfer/",
        {"transfer-agency": world["transport"].pk, "transfer-reason": "Đường tỉnh"},
        follow=True,
    )
    other_url = f"/reports/{other.pk}/act/"
    client.post(other_url + "reject/", {"reject-reason": "duplicate", "reject-note": "Trùng"})
    client.post(other_url + "reopen/", {"reopen-reason": "Không trùng"})

    report.refresh_from_db()
    other.refresh_from_db()
    assert _messages(decided)[-1] == "Extension approved."
    assert timezone.localtime(report.due_at).date().isoformat() == "2099-12-31"
    assert _messages(transfer) == ["Transferred."]
    assert (report.status, report.agency.code) == ("assigned", "transport")
    assert other.status == "reopened"


# -- dashboard ------------------------------------------------------------------------------------


@pytest.fixture
def dashboard_world(submit, people):
    staff = people["staff"]
    done = submit(received_at=local(2026, 3, 2, 9))
    services.report_resolve(report=done, answer="Xong", actor=staff, at=local(2026, 3, 3, 9))
    services.report_rate(report=done, rating=4, at=local(2026, 3, 4, 9))
    late = submit(received_at=local(2026, 3, 9, 9))
    light = submit(received_at=local(2026, 3, 10, 9), category="streetlight", point=MUI_NE)
    services.report_resolve(report=light, answer="Xong", actor=None, at=local(2026, 3, 13, 9))
    return {"done": done, "late": late, "light": light}


def test_dashboard_figures_for_the_period_and_area(client, people, dashboard_world):
    client.force_login(people["operator"])

    response = client.get("/reports/dashboard/", {"period": "202603"})
    phan_thiet = client.get("/reports/dashboard/", {"period": "202603", "area": "commune:22945"})
    district = client.get("/reports/dashboard/", {"period": "202603", "area": "district:593"})

    tiles = {tile["key"]: tile["value"] for tile in response.context["tiles"]}
    assert (tiles["received"], tiles["completed"], tiles["in_progress"], tiles["overdue"]) == (
        3,
        2,
        1,
        1,
    )
    assert (tiles["satisfied_pct"], tiles["median_hours"]) == (100.0, 48.0)
    assert response.context["choropleth"]["22945"]["received"] == 2
    assert response.context["choropleth"]["22945"]["overdue"] == 1
    march = next(row for row in response.context["trend"]["months"] if row == "03/2026")
    assert march == "03/2026"
    assert response.context["trend"]["received"] == [3]
    agencies = {g.code: g.stats.overdue for g in response.context["by_agency"]}
    assert agencies == {"phan-thiet": 1, "power": 0}
    assert response.context["by_agency"][0].code == "phan-thiet"
    assert {t["key"]: t["value"] for t in phan_thiet.context["tiles"]}["received"] == 2
    assert {t["key"]: t["value"] for t in district.context["tiles"]}["received"] == 3


def test_dashboard_of_an_agency_head_counts_only_their_agencies(client, people, dashboard_world):
    client.force_login(people["head"])

    response = client.get("/reports/dashboard/", {"period": "202603"})

    tiles = {tile["key"]: tile["value"] for tile in response.context["tiles"]}
    assert tiles["received"] == 2
    assert [g.code for g in response.context["by_agency"]] == ["phan-thiet"]


def test_dashboard_counts_a_running_period_up_to_today(client, people, submit):
    report = submit()
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() + timedelta(days=3))
    client.force_login(people["operator"])

    response = client.get("/reports/dashboard/", {"period": str(timezone.localdate().year)})

    tiles = {tile["key"]: tile["value"] for tile in response.context["tiles"]}
    assert (tiles["received"], tiles["overdue"]) == (1, 0)
    assert response.context["end"] == timezone.localdate()


def test_dashboard_with_a_bad_filter_still_answers(client, people, dashboard_world):
    client.force_login(people["leader"])

    response = client.get("/reports/dashboard/", {"period": "2026Q9", "area": "nowhere"})

    assert response.status_code == 200
    assert response.context["filter_error"]


def test_dashboard_figures_match_the_public_stats(client, people, dashboard_world):
    from ioc.reports.selectors import report_stats

    client.force_login(people["operator"])
    response = client.get("/reports/dashboard/", {"from": "2026-03-01", "to": "2026-03-31"})

    public = report_stats(start=local(2026, 3, 1).date(), end=local(2026, 3, 31).date())
    assert response.context["stats"] == public
