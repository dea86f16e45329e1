"""The staff's duplicate flow: suggestions on the report page and the "merge" action."""

import pytest

from ioc.reports import services
from ioc.reports.models import Report
from ioc.reports.tests.conftest import MUI_NE

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _merge(client, duplicate: Report, code: str):
    return client.post(f"/reports/{duplicate.pk}/act/merge/", {"merge-into": code}, follow=True)


@pytest.mark.parametrize(
    ("role", "merged", "message"),
    [
        ("staff", True, "Merged into {main}: the reporters are told when it is resolved."),
        ("head", True, "Merged into {main}: the reporters are told when it is resolved."),
        ("operator", True, "Merged into {main}: the reporters are told when it is resolved."),
        ("admin", True, "Merged into {main}: the reporters are told when it is resolved."),
        (
            "sub_staff",
            False,
            "You may not act on report {main}: it belongs to another agency.",
        ),
        (
            "other_staff",
            False,
            "You may not act on report {main}: it belongs to another agency.",
        ),
        ("leader", False, "Leaders read reports; they do not act on them."),
    ],
)
def test_who_may_merge_a_duplicate(client, people, submit, role, merged, message):
    main = submit()
    duplicate = submit()
    client.force_login(people[role])

    response = _merge(client, duplicate, main.tracking_code.lower())

    duplicate.refresh_from_db()
    assert response.status_code == 200
    assert (duplicate.merged_into_id == main.pk) is merged
    assert duplicate.status == ("rejected" if merged else "assigned")
    assert _messages(response) == [
        message.format(main=main.tracking_code, duplicate=duplicate.tracking_code)
    ]


def test_citizens_cannot_merge(client, people, submit):
    main = submit()
    duplicate = submit()
    client.force_login(people["citizen"])

    assert _merge(client, duplicate, main.tracking_code).redirect_chain == [("/", 302)]
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("self", "A report cannot be merged into itself."),
        ("closed", "Report {code} is no longer open."),
        ("unknown", "No report has the tracking code PA-0000-NOPE."),
        ("", "Tracking code of the main report: This field is required."),
    ],
)
def test_refused_merges_come_back_as_messages(client, people, submit, into, message):
    duplicate = submit()
    other = submit()
    services.report_reject(report=other, reason="out_of_scope", actor=people["staff"])
    code = {
        "self": duplicate.tracking_code,
        "closed": other.tracking_code,
        "unknown": "PA-0000-NOPE",
        "": "",
    }[into]
    client.force_login(people["operator"])

    response = _merge(client, duplicate, code)

    duplicate.refresh_from_db()
    assert duplicate.status == "assigned"
    assert duplicate.merged_into_id is None
    assert _messages(response) == [message.format(code=code)]


def test_the_service_allows_a_merge_across_categories(client, people, submit):
    # A citizen may have chosen the wrong category: the operator decides.
    main = submit()
    duplicate = submit(category="noise")
    client.force_login(people["operator"])

    _merge(client, duplicate, main.tracking_code)

    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == main.pk


def test_a_merged_report_cannot_be_merged_again(client, people, submit):
    main = submit()
    duplicate = submit()
    services.report_merge(report=duplicate, into=main, actor=people["operator"])
    client.force_login(people["operator"])

    page = client.get(f"/reports/{duplicate.pk}/")
    again = _merge(client, submit(), duplicate.tracking_code)

    assert page.context["actions"]["merge"] is False
    assert b'data-testid="duplicates"' not in page.content
    assert _messages(again) == [f"Report {duplicate.tracking_code} is itself merged."]


def test_the_report_page_suggests_duplicates_and_lists_merged_reports(client, people, submit):
    main = submit()
    duplicate = submit(description="Ổ gà lớn trên đường Trần Hưng Đạo, xe máy dễ ngã!")
    submit(point=MUI_NE)  # too far
    submit(description="Cây đổ chắn ngang lối đi bộ công viên.")  # another problem
    client.force_login(people["staff"])

    page = client.get(f"/reports/{duplicate.pk}/")
    suggested = [row["report"].tracking_code for row in page.context["duplicates"]]
    _merge(client, duplicate, main.tracking_code)
    main_page = client.get(f"/reports/{main.pk}/")

    assert suggested == [main.tracking_code]
    assert f'data-code="{main.tracking_code}"' in page.content.decode()
    assert [r.tracking_code for r in main_page.context["merged_reports"]] == [
        duplicate.tracking_code
    ]
    assert main_page.content.decode().count('data-testid="merged-report"') == 1


def test_leaders_and_other_agencies_get_no_suggestions(client, people, submit):
    submit()
    duplicate = submit()

    for role in ("leader", "other_staff"):
        client.force_login(people[role])
        page = client.get(f"/reports/{duplicate.pk}/")
        assert page.context["duplicates"] == []
        assert b'data-testid="duplicates"' not in page.content
