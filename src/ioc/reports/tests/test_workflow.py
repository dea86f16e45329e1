"""The report workflow table, move by move, and the actions built on it."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ioc.core.workflow import IllegalTransition
from ioc.reports import services
from ioc.reports.choices import REPORT_WORKFLOW, ExtensionStatus, RejectReason, ReportStatus
from ioc.reports.models import Report
from ioc.reports.selectors import report_timeline

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("new", "triage"),
    ("new", "assigned"),
    ("new", "rejected"),
    ("triage", "assigned"),
    ("triage", "rejected"),
    ("assigned", "assigned"),
    ("assigned", "triage"),
    ("assigned", "in_progress"),
    ("assigned", "resolved"),
    ("assigned", "rejected"),
    ("in_progress", "assigned"),
    ("in_progress", "triage"),
    ("in_progress", "resolved"),
    ("in_progress", "rejected"),
    ("reopened", "assigned"),
    ("reopened", "triage"),
    ("reopened", "in_progress"),
    ("reopened", "resolved"),
    ("reopened", "rejected"),
    ("resolved", "closed"),
    ("resolved", "reopened"),
    ("closed", "reopened"),
    ("rejected", "reopened"),
}
PAIRS = [(a, b) for a in ReportStatus.values() for b in ReportStatus.values()]


def test_workflow_table_is_the_documented_one():
    table = {(a, b) for a in ReportStatus.values() for b in REPORT_WORKFLOW.allowed(a)}

    assert table == ALLOWED


def _move_kwargs(world, to_status):
    if to_status == ReportStatus.ASSIGNED:
        return {"agency": world["other"]}
    if to_status == ReportStatus.REJECTED:
        return {"reject_reason": RejectReason.OUT_OF_SCOPE}
    return {}


@pytest.mark.parametrize(("source", "target"), PAIRS)
def test_every_move_of_the_table_is_allowed_and_every_other_refused(
    submit, world, people, source, target
):
    # given: a report of "phan-thiet" in the source state
    report = submit()
    Report.objects.filter(pk=report.pk).update(status=source)

    # when / then
    if (source, target) in ALLOWED:
        moved = services.report_transition(
            report=report,
            to_status=target,
            actor=people["operator"],
            reason="kiểm tra",
            **_move_kwargs(world, target),
        )
        assert moved.status == target
        event = report_timeline(report=report, public=False).last()
        assert (event.actor, event.from_state, event.to_state, event.reason) == (
            people["operator"],
            source,
            target,
            "kiểm tra",
        )
    else:
        with pytest.raises(IllegalTransition) as caught:
            services.report_transition(
                report=report,
                to_status=target,
                actor=people["operator"],
                **_move_kwargs(world, target),
            )
        assert str(caught.value) == f"Cannot move from “{source}” to “{target}”."
        assert Report.objects.get(pk=report.pk).status == source


def test_staff_of_another_agency_may_not_act(submit, people):
    report = submit()

    with pytest.raises(PermissionDenied):
        services.report_start(report=report, actor=people["other_staff"])
    with pytest.raises(PermissionDenied):
        services.report_start(report=report, actor=people["leader"])
    with pytest.raises(PermissionDenied):
        services.report_start(report=report, actor=people["citizen"])
    assert Report.objects.get(pk=report.pk).status == ReportStatus.ASSIGNED


@pytest.mark.parametrize("who", ["staff", "head", "operator", "admin"])
def test_responsible_staff_heads_and_operators_may_act(submit, people, who):
    report = submit()

    assert services.report_start(report=report, actor=people[who]).status == "in_progress"


def test_head_acts_on_reports_of_a_sub_agency(submit, people, world):
    report = submit()
    services.report_transfer(
        report=report, agency=world["sub"], reason="Đội công trình xử lý", actor=people["staff"]
    )

    moved = services.report_start(report=report, actor=people["head"])

    assert moved.status == ReportStatus.IN_PROGRESS
    with pytest.raises(PermissionDenied):
        services.report_start(report=moved, actor=people["staff"])


def test_only_operators_assign_from_triage(submit, people, world):
    report = submit(category="noise", point=(10.95, 108.0))

    with pytest.raises(PermissionDenied):
        services.report_assign(report=report, agency=world["other"], actor=people["staff"])
    assigned = services.report_assign(
        report=report, agency=world["other"], actor=people["operator"]
    )

    assert (assigned.status, assigned.agency) == (ReportStatus.ASSIGNED, world["other"])


def test_transfer_needs_a_reason_and_records_both_agencies(submit, people, world):
    report = submit()

    with pytest.raises(ValidationError) as caught:
        services.report_transfer(
            report=report, agency=world["other"], reason=" ", actor=people["staff"]
        )
    assert caught.value.message_dict == {"reason": ["Say why the report is transferred."]}

    moved = services.report_transfer(
        report=report, agency=world["other"], reason="Không thuộc địa bàn", actor=people["staff"]
    )

    event = report_timeline(report=report, public=False).last()
    assert (moved.agency, event.verb, event.reason) == (
        world["other"],
        "transferred",
        "Không thuộc địa bàn",
    )
    assert event.data == {"agency": "other", "from_agency": "phan-thiet"}


def test_transfer_back_to_triage_clears_the_agency(submit, people):
    report = submit()

    moved = services.report_transfer(
        report=report, agency=None, reason="Không rõ", actor=people["staff"]
    )

    assert (moved.status, moved.agency) == (ReportStatus.TRIAGE, None)


def test_reject_needs_a_known_reason(submit, people):
    report = submit()

    with pytest.raises(ValidationError) as caught:
        services.report_reject(report=report, reason="bored", actor=people["staff"])

    assert caught.value.message_dict == {
        "reason": ["Give a reason: one of duplicate, out_of_scope, not_enough_information, spam."]
    }


def test_spam_rejection_unpublishes_the_report(submit, people):
    report = submit()

    rejected = services.report_reject(
        report=report, reason=RejectReason.SPAM, actor=people["staff"]
    )

    assert (rejected.status, rejected.reject_reason, rejected.published) == (
        "rejected",
        "spam",
        False,
    )


def test_resolve_records_answer_proof_photos_and_first_completion(submit, people):
    from ioc.reports.tests.conftest import jpeg_bytes

    report = submit()

    resolved = services.report_resolve(
        report=report, answer="Đã vá ổ gà.", proof_photos=[jpeg_bytes()], actor=people["staff"]
    )

    assert resolved.status == ReportStatus.RESOLVED
    assert resolved.completed_at == resolved.resolved_at
    assert resolved.completed_on_time is True
    assert list(resolved.photos.values_list("kind", flat=True)) == ["citizen", "proof"]
    assert list(resolved.answers.values_list("text", "is_public")) == [("Đã vá ổ gà.", True)]


def test_high_rating_closes_the_report(submit, people):
    report = services.report_resolve(report=submit(), answer="Đã xử lý.", actor=people["staff"])

    rated = services.report_rate(report=report, rating=4, comment="Tốt")

    assert (rated.status, rated.rating, rated.rating_comment) == ("closed", 4, "Tốt")
    assert report_timeline(report=report, public=False).last().verb == "closed_by_rating"


@pytest.mark.parametrize("rating", [1, 2])
def test_low_rating_sends_the_report_back_for_review(submit, people, rating):
    report = services.report_resolve(report=submit(), answer="Đã xử lý.", actor=people["staff"])
    first_completion = report.completed_at

    rated = services.report_rate(report=report, rating=rating, comment="Chưa sửa")

    assert (rated.status, rated.rating, rated.agency) == ("reopened", rating, report.agency)
    assert rated.completed_at == first_completion
    event = report_timeline(report=report, public=False).last()
    assert (event.verb, event.from_state, event.to_state) == (
        "reopened_by_rating",
        "resolved",
        "reopened",
    )
    assert event.reason == f"The citizen rated the result {rating}/5: Chưa sửa"


def test_only_a_resolved_report_can_be_rated(submit):
    report = submit()

    with pytest.raises(IllegalTransition):
        services.report_rate(report=report, rating=5)


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_must_be_one_to_five(submit, people, rating):
    report = services.report_resolve(report=submit(), answer="Xong.", actor=people["staff"])

    with pytest.raises(ValidationError) as caught:
        services.report_rate(report=report, rating=rating)

    assert caught.value.message_dict == {"rating": ["Give a rating from 1 to 5 stars."]}


def test_internal_note_is_kept_apart_from_public_answers(submit, people):
    report = submit()

    services.report_answer(report=report, text="Gọi đội 2", public=False, actor=people["staff"])
    services.report_answer(report=report, text="Sẽ xử lý trong tuần", actor=people["staff"])

    assert list(report.answers.values_list("text", "is_public")) == [
        ("Gọi đội 2", False),
        ("Sẽ xử lý trong tuần", True),
    ]


def test_merge_keeps_every_reporter_and_rejects_the_duplicate(submit, people):
    main = submit(reporter_email="a@example.invalid")
    duplicate = submit(reporter_email="b@example.invalid")

    merged = services.report_merge(report=duplicate, into=main, actor=people["staff"])

    assert (merged.status, merged.reject_reason, merged.merged_into) == (
        "rejected",
        "duplicate",
        main,
    )
    assert list(main.merged_reports.all()) == [merged]


def test_extension_approved_by_head_moves_the_deadline(submit, people):
    report = submit()
    later = report.due_at + timedelta(days=7)

    extension = services.report_request_extension(
        report=report, until=later, reason="Chờ vật tư", actor=people["staff"]
    )
    with pytest.raises(PermissionDenied):
        services.report_decide_extension(extension=extension, approve=True, actor=people["staff"])
    decided = services.report_decide_extension(
        extension=extension, approve=True, actor=people["head"], note="Đồng ý"
    )

    report.refresh_from_db()
    assert decided.status == ExtensionStatus.APPROVED
    assert (report.due_at, report.expected_at) == (later, later)
    assert decided.previous_due_at < later


def test_refused_extension_keeps_the_deadline_and_cannot_be_decided_twice(submit, people):
    report = submit()
    due = report.due_at
    extension = services.report_request_extension(
        report=report, until=due + timedelta(days=2), reason="Thiếu người", actor=people["staff"]
    )

    refused = services.report_decide_extension(
        extension=extension, approve=False, actor=people["operator"]
    )
    with pytest.raises(IllegalTransition):
        services.report_decide_extension(extension=refused, approve=True, actor=people["operator"])

    report.refresh_from_db()
    assert (refused.status, report.due_at) == ("refused", due)


def test_extension_must_be_later_and_only_one_at_a_time(submit, people):
    report = submit()

    with pytest.raises(ValidationError) as caught:
        services.report_request_extension(
            report=report, until=report.due_at, reason="x", actor=people["staff"]
        )
    assert caught.value.message_dict == {
        "until": ["The new deadline must be later than the current one."]
    }
    services.report_request_extension(
        report=report, until=report.due_at + timedelta(days=1), reason="x", actor=people["staff"]
    )
    with pytest.raises(ValidationError):
        services.report_request_extension(
            report=report,
            until=report.due_at + timedelta(days=2),
            reason="y",
            actor=people["staff"],
        )


def test_overdue_report_is_escalated_once(submit, people):
    report = submit()
    later = report.due_at + timedelta(minutes=1)

    first = services.reports_escalate_overdue(now=later)
    second = services.reports_escalate_overdue(now=later + timedelta(hours=1))

    report.refresh_from_db()
    assert (first, second) == (1, 0)
    assert report.escalated_at == later
    assert [e.verb for e in report_timeline(report=report, public=False)].count("escalated") == 1


def test_report_not_yet_due_is_not_escalated(submit):
    submit()

    assert services.reports_escalate_overdue(now=timezone.now()) == 0


def test_resolved_report_nobody_rated_is_closed_after_a_week(submit, people):
    report = services.report_resolve(report=submit(), answer="Xong", actor=people["staff"])

    early = services.reports_close_unrated(days=7, now=report.resolved_at + timedelta(days=6))
    late = services.reports_close_unrated(days=7, now=report.resolved_at + timedelta(days=8))

    report.refresh_from_db()
    assert (early, late, report.status) == (0, 1, "closed")
    assert report_timeline(report=report, public=False).last().verb == "closed_unrated"


def test_triage_category_change_moves_the_deadline(submit, people, world):
    from ioc.reports.tests.conftest import local

    report = submit(category=None, received_at=local(2026, 11, 23, 8, 0))
    assert report.due_at == local(2026, 11, 30, 17, 0)  # the default 5 working days

    updated = services.report_update(
        report=report, category=world["pothole"], priority="high", actor=people["operator"]
    )

    assert (updated.due_at, updated.priority) == (local(2026, 11, 26, 17, 0), "high")
    assert report_timeline(report=report, public=False).last().data == {
        "category": [None, "pothole"],
        "priority": ["normal", "high"],
    }


def test_transfer_to_the_same_agency_is_refused(submit, people, world):
    report = submit()

    with pytest.raises(ValidationError) as caught:
        services.report_transfer(
            report=report, agency=world["phan_thiet"], reason="x", actor=people["staff"]
        )

    assert caught.value.message_dict == {"agency": ["The report is already with this agency."]}


def test_reopening_a_merged_duplicate_undoes_the_merge(submit, people):
    main = submit()
    duplicate = services.report_merge(report=submit(), into=main, actor=people["staff"])

    reopened = services.report_reopen(report=duplicate, reason="Không trùng", actor=people["staff"])

    assert (reopened.status, reopened.merged_into, reopened.reject_reason) == ("reopened", None, "")
    assert report_timeline(report=duplicate, public=False).last().data["unmerged_from"] == (
        main.tracking_code
    )
