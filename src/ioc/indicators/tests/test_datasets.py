"""Data sets: entry by form, submission and timeliness, completeness, approval and locking."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.tests.factories import AgencyFactory, UserFactory, api_key
from ioc.core.models import TimelineEvent
from ioc.core.periods import parse_period
from ioc.core.selectors import timeline_for
from ioc.indicators.analytics import analytics_value
from ioc.indicators.datasets import (
    DataSetError,
    data_set_approve,
    data_set_completeness,
    data_set_define,
    data_set_period,
    data_set_period_closed,
    data_set_save,
    data_set_unapprove,
    data_set_unlock,
)
from ioc.indicators.hierarchy import Hierarchy
from ioc.indicators.models import DataSet, DataSetReport, DataValue, OrgUnit, Sector
from ioc.indicators.selectors import reporting_status
from ioc.indicators.services import DataValueError, ImportRow, data_value_set, data_values_import

OCTOBER = parse_period("202410")


@pytest.fixture
def world(loaded_geo, make_indicator):
    """The health department's monthly form: examinations and beds, reported by three
    wards (22918, 22924, 22933); a late deadline (10 days) and a generous one."""
    health_department = AgencyFactory(code="soyte")
    other_agency = AgencyFactory(code="thongke")
    health = Sector.objects.get(code="health")
    visits = make_indicator("VISITS", sector=health, source_agency=health_department)
    beds = make_indicator(
        "BEDS", sector=health, source_agency=health_department, time_aggregation="LAST"
    )
    hierarchy = Hierarchy.load()
    wards = [
        OrgUnit.objects.get(pk=hierarchy.resolve(code).org_unit_id)
        for code in ("22918", "22924", "22933")
    ]
    data_set = data_set_define(
        code="YT-THANG",
        name="Báo cáo y tế tháng",
        name_en="Monthly health report",
        agency=health_department,
        period_type="MONTHLY",
        deadline_days=10,
        indicators=[visits, beds],
        org_units=wards,
    )
    return {
        "data_set": data_set,
        "visits": visits,
        "beds": beds,
        "wards": wards,
        "hierarchy": hierarchy,
        "agency": health_department,
        "staff": UserFactory(role=Role.AGENCY_STAFF, agency=health_department),
        "head": UserFactory(role=Role.AGENCY_HEAD, agency=health_department),
        "other_staff": UserFactory(role=Role.AGENCY_STAFF, agency=other_agency),
        "other_head": UserFactory(role=Role.AGENCY_HEAD, agency=other_agency),
        "operator": UserFactory(role=Role.OPERATOR),
        "leader": UserFactory(role=Role.LEADER),
        "admin": UserFactory(role=Role.ADMIN),
    }


def _submit(world, unit_index=0, values=None, actor="staff", period=OCTOBER):
    return data_set_save(
        data_set=world["data_set"],
        org_unit=world["wards"][unit_index],
        period=period,
        values=values if values is not None else {"VISITS": "120", "BEDS": "30"},
        submit=True,
        actor=world[actor],
    )


def _value(world, code, unit_index=0, period="202410"):
    return DataValue.objects.get(
        indicator=world[code.lower()], org_unit=world["wards"][unit_index], period=period
    )


# -- save as draft, submit ------------------------------------------------------------------


def test_a_draft_does_not_count_and_submitting_registers_the_report_late(world):
    # given: a draft of October 2024 (the deadline, 10/11/2024, has long passed)
    draft = data_set_save(
        data_set=world["data_set"],
        org_unit=world["wards"][0],
        period=OCTOBER,
        values={"VISITS": "120,5", "BEDS": ""},
        submit=False,
        actor=world["staff"],
        language="vi",
    )
    ward = world["wards"][0]
    assert draft is None
    assert _value(world, "VISITS").status == "draft"
    assert analytics_value(indicator=world["visits"], period="202410", unit=ward) is None
    assert not DataSetReport.objects.exists()

    # when
    report = _submit(world, values={"BEDS": "30"})

    # then: the draft value is submitted unchanged, and both count
    assert (_value(world, "VISITS").status, _value(world, "VISITS").value) == (
        "submitted",
        Decimal("120.5"),
    )
    assert analytics_value(indicator=world["visits"], period="202410", unit=ward) == Decimal(
        "120.5"
    )
    assert analytics_value(indicator=world["beds"], period="202410", unit=ward) == Decimal(30)
    assert (report.status, report.deadline, report.on_time) == (
        "submitted",
        date(2024, 11, 10),
        False,
    )
    assert report.submitted_by == world["staff"].username
    events = TimelineEvent.objects.filter(object_id=str(report.pk), verb="data_set_submitted")
    assert events.get().data == {"on_time": False, "deadline": "2024-11-10"}


def test_a_report_within_its_deadline_is_on_time(world):
    world["data_set"].deadline_days = 5000
    world["data_set"].save()

    report = _submit(world)

    assert (report.deadline, report.on_time) == (date(2038, 7, 10), True)


def test_bad_values_save_nothing_and_name_each_cell(world):
    with pytest.raises(DataSetError) as caught:
        _submit(world, values={"VISITS": "12", "BEDS": "many"})

    assert caught.value.errors == {"BEDS": "“many” is not a number."}
    assert not DataValue.objects.exists()
    assert not DataSetReport.objects.exists()


def test_a_submitted_report_takes_corrections_only_as_a_submission(world):
    _submit(world)

    with pytest.raises(DataSetError) as caught:
        data_set_save(
            data_set=world["data_set"],
            org_unit=world["wards"][0],
            period=OCTOBER,
            values={"VISITS": "1"},
            submit=False,
            actor=world["staff"],
        )
    again = _submit(world, values={"VISITS": "125"})

    assert caught.value.errors == {
        "report": "This report is already submitted: save changes with “Submit”."
    }
    assert _value(world, "VISITS").value == Decimal(125)
    assert again.on_time is False
    assert DataSetReport.objects.count() == 1
    assert TimelineEvent.objects.filter(verb="data_set_resubmitted").count() == 1


def test_a_unit_not_assigned_to_the_data_set_cannot_report_it(world):
    hierarchy = world["hierarchy"]
    elsewhere = OrgUnit.objects.get(pk=hierarchy.resolve("22963").org_unit_id)

    with pytest.raises(DataSetError) as caught:
        data_set_save(
            data_set=world["data_set"],
            org_unit=elsewhere,
            period=OCTOBER,
            values={"VISITS": "1"},
            submit=True,
            actor=world["staff"],
        )

    assert list(caught.value.errors) == ["org_unit"]
    assert "does not report YT-THANG" in caught.value.errors["org_unit"]


# -- one batch per form -----------------------------------------------------------------------


def test_every_bad_cell_is_named_and_a_good_one_is_not_written(world):
    with pytest.raises(DataSetError) as caught:
        _submit(world, values={"VISITS": "1,2,3", "BEDS": "many"})
    data_set_approve(report=_submit(world, unit_index=1), actor=world["head"])
    other = data_set_define(
        code="YT-KHAC",
        name="Báo cáo khác",
        agency=world["agency"],
        period_type="MONTHLY",
        deadline_days=10,
        indicators=[world["beds"]],
        org_units=[world["wards"][1]],
    )
    with pytest.raises(DataSetError) as locked:
        data_set_save(
            data_set=other,
            org_unit=world["wards"][1],
            period=OCTOBER,
            values={"BEDS": "31"},
            submit=True,
            actor=world["staff"],
        )

    assert caught.value.errors == {
        "VISITS": "“1,2,3” is not a number as this page writes them: thousands are grouped "
        "with “,” and decimals follow “.”, as in 1,250.5.",
        "BEDS": "“many” is not a number.",
    }
    # BEDS of ward 22924 is held by the approved report of another data set
    assert locked.value.errors == {
        "BEDS": "BEDS/202410/current:22924 is locked: the report “Báo cáo y tế tháng” of this "
        "unit and period is approved. Ask its approver to unapprove it first."
    }
    assert not DataValue.objects.filter(org_unit=world["wards"][0]).exists()
    assert _value(world, "BEDS", unit_index=1).value == Decimal(30)


def test_a_form_save_leaves_one_timeline_event_per_value_changed(world):
    # given: a draft, then its submission with BEDS cleared and VISITS corrected
    data_set_save(
        data_set=world["data_set"],
        org_unit=world["wards"][0],
        period=OCTOBER,
        values={"VISITS": "120", "BEDS": "30"},
        submit=False,
        actor=world["staff"],
    )

    # when
    _submit(world, values={"VISITS": "125", "BEDS": ""})

    # then
    events = TimelineEvent.objects.filter(verb__startswith="data_value").order_by("pk")
    visits, beds = _value(world, "VISITS"), _value(world, "BEDS")
    assert [(e.object_id, e.verb, e.from_state, e.to_state, e.data, e.actor) for e in events] == [
        (
            str(visits.pk),
            "data_value_set",
            "",
            "draft",
            {"before": None, "after": "120.000000"},
            world["staff"],
        ),
        (
            str(beds.pk),
            "data_value_set",
            "",
            "draft",
            {"before": None, "after": "30.000000"},
            world["staff"],
        ),
        (
            str(visits.pk),
            "data_value_set",
            "draft",
            "submitted",
            {"before": "120.000000", "after": "125.000000"},
            world["staff"],
        ),
        (
            str(beds.pk),
            "data_value_deleted",
            "draft",
            "",
            {"before": "30.000000", "after": None},
            world["staff"],
        ),
    ]
    assert beds.deleted_at is not None
    assert analytics_value(
        indicator=world["visits"], period="202410", unit=world["wards"][0]
    ) == Decimal(125)


def _form(world, make_indicator, fields):
    """A data set of `fields` indicators, half of them stocks (last value) like BEDS, for
    the first ward."""
    indicators = [
        make_indicator(
            f"F{fields}X{n}",
            sector=Sector.objects.get(code="health"),
            source_agency=world["agency"],
            time_aggregation="LAST" if n % 2 else "SUM",
        )
        for n in range(fields)
    ]
    return data_set_define(
        code=f"FORM-{fields}",
        name=f"{fields} fields",
        agency=world["agency"],
        period_type="MONTHLY",
        deadline_days=10,
        indicators=indicators,
        org_units=[world["wards"][0]],
    )


def _queries_of_a_save(world, data_set, figure, *, submit):
    codes = [indicator.code for indicator in data_set.indicators.all()]
    # Each save as a new request: the user's areas and the content types looked up afresh.
    actor = type(world["staff"]).objects.get(pk=world["staff"].pk)
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as captured:
        data_set_save(
            data_set=data_set,
            org_unit=world["wards"][0],
            period=OCTOBER,
            values={code: str(figure) for code in codes},
            submit=submit,
            actor=actor,
        )
    return len(captured)


def test_the_queries_of_a_form_save_do_not_grow_with_its_fields(world, make_indicator):
    small, large = _form(world, make_indicator, 2), _form(world, make_indicator, 8)

    counts = {
        data_set.code: [
            _queries_of_a_save(world, data_set, 1, submit=False),
            _queries_of_a_save(world, data_set, 2, submit=True),
            _queries_of_a_save(world, data_set, 3, submit=True),
        ]
        for data_set in (small, large)
    }

    # a draft, the first submission (registers the report), a correction (resubmitted)
    assert counts == {"FORM-2": [26, 36, 32], "FORM-8": [26, 36, 32]}
    assert DataValue.objects.filter(value=3, status="submitted").count() == 10
    assert TimelineEvent.objects.filter(verb="data_value_set").count() == 30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2024", "“2024” is not a monthly period, as YT-THANG is reported."),
        ("202413", "“202413” is not a period: there is no month 13."),
        ("209901", "January 2099 has not begun yet."),
    ],
)
def test_the_period_must_be_of_the_data_sets_type_and_not_in_the_future(world, text, message):
    with pytest.raises(DataSetError) as caught:
        data_set_period(world["data_set"], text, today=date(2026, 11, 25))

    assert caught.value.errors == {"period": message}


def test_a_data_set_holds_only_collected_indicators_of_its_period_type(world, make_indicator):
    yearly = make_indicator("DOCTORS", period_type="YEARLY", time_aggregation="LAST")
    computed = make_indicator("RATIO", numerator="#{VISITS}", denominator="#{BEDS}")

    with pytest.raises(ValidationError) as wrong_type:
        data_set_define(
            code="X", name="X", agency=world["agency"], indicators=[yearly], org_units=[]
        )
    with pytest.raises(ValidationError) as formula:
        data_set_define(
            code="Y", name="Y", agency=world["agency"], indicators=[computed], org_units=[]
        )

    assert wrong_type.value.message_dict == {
        "indicators": ["Not collected by the data set's period type: DOCTORS."]
    }
    assert formula.value.message_dict == {
        "indicators": ["Computed indicators are not entered: RATIO."]
    }


# -- the role matrix --------------------------------------------------------------------------

ROLES = ["staff", "head", "other_staff", "other_head", "operator", "leader", "admin"]


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("staff", True),
        ("head", True),
        ("other_staff", False),
        ("other_head", False),
        ("operator", True),
        ("leader", False),
        ("admin", True),
    ],
)
def test_who_may_submit(world, actor, allowed):
    if allowed:
        assert _submit(world, actor=actor).status == "submitted"
    else:
        with pytest.raises(DataSetError) as caught:
            _submit(world, actor=actor)
        assert caught.value.errors == {"report": "You may not fill in YT-THANG."}
        assert not DataValue.objects.exists()


@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("staff", False),
        ("head", True),
        ("other_staff", False),
        ("other_head", False),
        ("operator", False),
        ("leader", False),
        ("admin", True),
    ],
)
def test_who_may_approve_and_unapprove(world, actor, allowed):
    report = _submit(world)
    if not allowed:
        with pytest.raises(DataSetError) as caught:
            data_set_approve(report=report, actor=world[actor])
        assert caught.value.errors["report"].startswith("Only the head of")
        data_set_approve(report=report, actor=world["head"])
        with pytest.raises(DataSetError):
            data_set_unapprove(report=report, actor=world[actor], reason="sai số")
        assert DataSetReport.objects.get().status == "approved"
        return
    approved = data_set_approve(report=report, actor=world[actor])
    assert (approved.status, approved.approved_by) == ("approved", world[actor].username)
    unapproved = data_set_unapprove(report=report, actor=world[actor], reason="sai số")
    assert (unapproved.status, unapproved.approved_at) == ("submitted", None)


def test_the_head_of_a_parent_agency_may_approve(world):
    parent_head = UserFactory(role=Role.AGENCY_HEAD, agency=AgencyFactory(code="ubnd"))
    world["agency"].parent = parent_head.agency
    world["agency"].save()

    approved = data_set_approve(report=_submit(world), actor=parent_head)

    assert approved.status == "approved"


def test_a_data_set_without_approval_cannot_be_approved(world):
    world["data_set"].approval_required = False
    world["data_set"].save()

    with pytest.raises(DataSetError) as caught:
        data_set_approve(report=_submit(world), actor=world["admin"])

    assert caught.value.errors == {"report": "YT-THANG needs no approval."}


def test_only_a_submitted_report_is_approved_once(world):
    report = data_set_approve(report=_submit(world), actor=world["head"])

    with pytest.raises(DataSetError) as caught:
        data_set_approve(report=report, actor=world["head"])

    assert caught.value.errors == {
        "report": "The report is approved and locked: it cannot be moved that way."
    }


# -- approval locks every write path ---------------------------------------------------------


@pytest.fixture
def approved(world):
    report = data_set_approve(report=_submit(world), actor=world["head"])
    return report


LOCKED = (
    "VISITS/202410/current:22918 is locked: the report “Báo cáo y tế tháng” of this unit and "
    "period is approved. Ask its approver to unapprove it first."
)


def test_approving_makes_the_values_approved_and_records_it(world, approved):
    assert {v.indicator.code: v.status for v in DataValue.objects.select_related("indicator")} == {
        "VISITS": "approved",
        "BEDS": "approved",
    }
    event = TimelineEvent.objects.get(verb="data_set_approved")
    assert (event.from_state, event.to_state, event.data) == (
        "submitted",
        "approved",
        {"values": 2},
    )
    ward = world["wards"][0]
    assert analytics_value(indicator=world["visits"], period="202410", unit=ward) == Decimal(120)


def test_a_locked_value_is_refused_by_data_value_set(world, approved):
    with pytest.raises(DataValueError) as caught:
        data_value_set(
            indicator=world["visits"], org_unit=world["wards"][0], period="202410", value="1"
        )

    assert caught.value.errors == {"value": LOCKED}


def test_the_lock_covers_a_cell_left_empty(world):
    data_set_approve(report=_submit(world, values={"VISITS": "120"}), actor=world["head"])

    with pytest.raises(DataValueError) as caught:
        data_value_set(
            indicator=world["beds"], org_unit=world["wards"][0], period="202410", value="9"
        )

    assert caught.value.errors["value"].startswith("BEDS/202410/current:22918 is locked")
    # another unit and another month are not locked
    data_value_set(indicator=world["beds"], org_unit=world["wards"][1], period="202410", value=9)
    data_value_set(indicator=world["beds"], org_unit=world["wards"][0], period="202411", value=9)


def test_a_locked_value_is_a_conflict_of_the_import_naming_its_row(world, approved):
    rows = [
        ImportRow("BEDS", "202410", "22924", "7", row=2, columns={"value": "value"}),
        ImportRow("VISITS", "202410", "22918", "1", row=3, columns={"value": "value"}),
    ]

    summary = data_values_import(rows=rows)

    assert summary.status == "ERROR"
    assert [(c.object, c.row, c.column, c.value) for c in summary.conflicts] == [
        ("VISITS/202410/current:22918", 3, "value", f"Row 3, column value: {LOCKED}")
    ]
    assert not DataValue.objects.filter(org_unit=world["wards"][1]).exists()


def test_a_locked_value_is_refused_by_the_api(world, approved, client):
    _key, raw = api_key(scopes=[ApiScope.INDICATORS])
    body = "dataelement,period,orgunit,coc,aoc,value\nVISITS,202410,22918,,,1\n"

    response = client.post(
        "/api/v1/indicators/dataValueSets",
        body,
        content_type="text/csv",
        headers={"X-API-Key": raw},
    )

    assert response.status_code == 409
    answer = response.json()
    assert answer["conflicts"] == [
        {
            "object": "VISITS/202410/current:22918",
            "value": f"Row 2, column value: {LOCKED}",
            "row": 2,
            "column": "value",
        }
    ]
    assert _value(world, "VISITS").value == Decimal(120)


def test_the_entry_form_shows_a_locked_report_read_only_and_refuses_a_post(world, approved, client):
    client.force_login(world["staff"])
    url = "/indicators/entry/?dataset=YT-THANG&period=202410&unit=current:22918"

    page = client.get(url)
    posted = client.post(
        "/indicators/entry/",
        {
            "dataset": "YT-THANG",
            "period": "202410",
            "unit": "current:22918",
            "value-VISITS": "1",
            "value-BEDS": "30",
            "action": "submit",
        },
    )

    assert page.context["locked"] is True
    assert [row["locked"] for row in page.context["rows"]] == [True, True]
    html = page.content.decode()
    assert 'id="value-VISITS" name="value-VISITS" value="120" inputmode="decimal" ' in html
    assert html.count(' readonly aria-readonly="true"') == 2
    assert 'data-testid="submit-report"' not in html
    assert posted.status_code == 200
    assert posted.context["rows"][0]["text"] == "1"
    assert [str(m) for m in posted.context["messages"]] == [
        "This report is approved: its values are locked. Ask its approver to unapprove it."
    ]
    assert _value(world, "VISITS").value == Decimal(120)


def test_unapproving_needs_a_reason_then_unlocks(world, approved):
    with pytest.raises(DataSetError) as caught:
        data_set_unapprove(report=approved, actor=world["head"], reason="  ")

    data_set_unapprove(report=approved, actor=world["head"], reason="Sai số giường")
    data_value_set(indicator=world["beds"], org_unit=world["wards"][0], period="202410", value=31)

    assert caught.value.errors == {"reason": "Say why the report is unapproved."}
    assert _value(world, "BEDS").value == Decimal(31)
    assert _value(world, "VISITS").status == "submitted"
    event = TimelineEvent.objects.get(verb="data_set_unapproved")
    assert (event.reason, event.actor, event.data) == (
        "Sai số giường",
        world["head"],
        {"values": 2},
    )


# -- completeness and timeliness ---------------------------------------------------------------


def test_completeness_and_timeliness_of_a_period(world):
    # given: 22918 on time (a generous deadline then), 22924 late, 22933 nothing
    world["data_set"].deadline_days = 5000
    world["data_set"].save()
    _submit(world, unit_index=0)
    world["data_set"].deadline_days = 10
    world["data_set"].save()
    _submit(world, unit_index=1, values={"VISITS": "5"})

    # when
    result = data_set_completeness(
        data_set=world["data_set"],
        period=OCTOBER,
        hierarchy=world["hierarchy"],
        today=date(2026, 11, 25),
    )

    # then
    assert [(row.unit.code, row.state, row.values) for row in result.rows] == [
        ("22933", "overdue", 0),
        ("22924", "late", 1),
        ("22918", "on_time", 2),
    ]
    assert (result.assigned, result.submitted, result.on_time, result.missing) == (3, 2, 1, 1)
    assert (result.completeness_pct, result.timeliness_pct) == (66.7, 33.3)
    assert result.deadline == date(2024, 11, 10)


def test_a_missing_report_is_not_overdue_before_the_deadline(world):
    result = data_set_completeness(
        data_set=world["data_set"],
        period=OCTOBER,
        hierarchy=world["hierarchy"],
        today=date(2024, 11, 10),
    )

    assert {row.state for row in result.rows} == {"missing"}
    assert (result.completeness_pct, result.timeliness_pct) == (0.0, 0.0)


def test_reporting_status_expects_the_assigned_units(world, make_indicator):
    # given: one value for 22918; an indicator in no data set reported last month by 22963
    _submit(world, values={"VISITS": "1"})
    loose = make_indicator("LOOSE")
    hierarchy = world["hierarchy"]
    other = OrgUnit.objects.get(pk=hierarchy.resolve("22963").org_unit_id)
    data_value_set(indicator=loose, org_unit=other, period="202409", value=3)

    status = reporting_status(indicators=[world["visits"], world["beds"], loose], period=OCTOBER)

    wards = world["wards"]
    assert status == {
        wards[0].pk: (1, 2),
        wards[1].pk: (0, 2),
        wards[2].pk: (0, 2),
        other.pk: (0, 1),
    }


def test_the_completeness_page_links_a_missing_unit_to_its_form(world, client):
    _submit(world, unit_index=1)
    client.force_login(world["staff"])

    response = client.get("/indicators/entry/completeness/?dataset=YT-THANG&period=202410")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["row"].unit.code, r["row"].state) for r in rows] == [
        ("22918", "overdue"),
        ("22933", "overdue"),
        ("22924", "late"),
    ]
    assert rows[0]["entry_url"] == (
        "/indicators/entry/?dataset=YT-THANG&period=202410&unit=current%3A22918"
    )
    assert response.context["result"].completeness_pct == 33.3


def test_a_leader_sees_completeness_without_entry_links(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/entry/completeness/?dataset=YT-THANG&period=202410")

    assert [r["entry_url"] for r in response.context["rows"]] == ["", "", ""]


# -- the pages --------------------------------------------------------------------------------


def test_the_entry_page_opens_the_first_data_set_at_the_last_period(world, client):
    client.force_login(world["staff"])

    response = client.get("/indicators/entry/")

    assert response.context["data_set"].code == "YT-THANG"
    assert [row["indicator"].code for row in response.context["rows"]] == ["VISITS", "BEDS"]
    assert response.context["unit"].code == "22918"


def test_draft_then_submit_through_the_entry_page(world, client):
    client.force_login(world["staff"])
    form = {"dataset": "YT-THANG", "period": "202410", "unit": "current:22924"}

    drafted = client.post("/indicators/entry/", {**form, "value-VISITS": "7", "action": "draft"})
    bad = client.post("/indicators/entry/", {**form, "value-VISITS": "x", "action": "submit"})
    submitted = client.post(
        "/indicators/entry/", {**form, "value-VISITS": "8", "value-BEDS": "", "action": "submit"}
    )

    assert drafted.status_code == 302
    assert bad.status_code == 200
    assert [row["error"] for row in bad.context["rows"]] == ["“x” is not a number.", ""]
    assert submitted.status_code == 302
    assert _value(world, "VISITS", unit_index=1).value == Decimal(8)
    assert DataSetReport.objects.get().org_unit == world["wards"][1]


def test_a_bad_data_set_period_or_unit_is_an_error_not_a_crash(world, client):
    client.force_login(world["staff"])

    unknown = client.get("/indicators/entry/?dataset=NOPE")
    wrong = client.get("/indicators/entry/?dataset=YT-THANG&period=2024Q1&unit=current:22963")

    assert unknown.status_code == 404
    assert wrong.status_code == 200
    assert wrong.context["period_error"] == (
        "“2024Q1” is not a monthly period, as YT-THANG is reported."
    )
    assert wrong.context["unit_error"] == "“current:22963” does not report YT-THANG."


def test_another_agency_does_not_see_the_data_set_in_its_entry(world, client):
    client.force_login(world["other_staff"])

    assert client.get("/indicators/entry/?dataset=YT-THANG").status_code == 404
    assert client.get("/indicators/entry/").context["mode"] == "sector"


def test_indicators_of_a_data_set_leave_the_sector_grid(world, client, make_indicator):
    make_indicator("LOOSE", sector=Sector.objects.get(code="health"), source_agency=world["agency"])
    client.force_login(world["staff"])

    response = client.get("/indicators/entry/?sector=health&period=202410&unit=current:22918")
    first_sector = client.get("/indicators/entry/?sector=")

    assert [row["indicator"].code for row in response.context["rows"]] == ["LOOSE"]
    assert (first_sector.context["mode"], first_sector.context["sector_code"]) == (
        "sector",
        "socio-economic",
    )


def test_approve_and_unapprove_through_the_pages(world, client):
    report = _submit(world)
    client.force_login(world["head"])

    approved = client.post(f"/indicators/entry/reports/{report.pk}/approve/")
    refused = client.post(f"/indicators/entry/reports/{report.pk}/unapprove/", {"reason": ""})
    unapproved = client.post(
        f"/indicators/entry/reports/{report.pk}/unapprove/", {"reason": "Nhầm số"}
    )

    assert approved.status_code == 302
    assert approved["Location"] == (
        "/indicators/entry/?dataset=YT-THANG&period=202410&unit=current%3A22918"
    )
    assert refused.status_code == 302
    assert DataSetReport.objects.get().status == "submitted"
    assert unapproved.status_code == 302
    assert list(timeline_for(target=report).values_list("verb", flat=True).order_by("pk")) == [
        "data_set_submitted",
        "data_set_approved",
        "data_set_unapproved",
    ]


def test_staff_cannot_approve_through_the_page(world, client):
    report = _submit(world)
    client.force_login(world["staff"])

    response = client.post(f"/indicators/entry/reports/{report.pk}/approve/", follow=True)

    assert DataSetReport.objects.get().status == "submitted"
    assert [str(m) for m in response.context["messages"]][-1].startswith("Only the head of")


def test_the_data_sets_page_lists_what_the_user_may_see(world, client):
    client.force_login(world["leader"])

    response = client.get("/indicators/entry/data-sets/")

    assert [
        (r["data_set"].code, r["indicators"], r["units"], r["may_enter"])
        for r in response.context["rows"]
    ] == [("YT-THANG", 2, 3, False)]


# -- the demo ---------------------------------------------------------------------------------


def test_the_demo_defines_data_sets_and_registers_recent_reports(loaded_geo):
    from ioc.accounts.demo import load_demo_agencies
    from ioc.indicators.demo import DemoRange, load_demo_indicators

    load_demo_agencies()
    lines = load_demo_indicators(DemoRange((2025, 5), (2025, 8)))
    again = load_demo_indicators(DemoRange((2025, 5), (2025, 8)))

    health = DataSet.objects.get(code="YT-DICH-TE-THANG")
    assert (health.agency.code, health.org_units.count(), health.indicators.count()) == (
        "so-y-te",
        45,
        3,
    )
    august = data_set_completeness(
        data_set=health,
        period=parse_period("202508"),
        hierarchy=Hierarchy.load(),
        today=date(2025, 11, 25),
    )
    assert (august.assigned, august.submitted, august.on_time) == (45, 41, 33)
    assert lines[-1] == "7 data sets (7 new), 157 reports registered"
    assert again[-1] == "7 data sets (0 new), 0 reports registered"


# -- the admin --------------------------------------------------------------------------------


def test_the_admin_refuses_an_indicator_of_another_period_type(world, client, make_indicator):
    client.force_login(world["admin"])
    yearly = make_indicator("DOCTORS", period_type="YEARLY", time_aggregation="LAST")
    form = {
        "code": "YT-QUY",
        "name": "Báo cáo quý",
        "name_en": "",
        "agency": world["agency"].pk,
        "period_type": "MONTHLY",
        "deadline_days": "20",
        "approval_required": "on",
        "is_active": "on",
        "indicators": [world["visits"].pk, yearly.pk],
        "org_units": [world["wards"][0].pk],
    }

    refused = client.post("/admin/indicators/dataset/add/", form)
    saved = client.post(
        "/admin/indicators/dataset/add/", {**form, "indicators": [world["visits"].pk]}
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors == {
        "indicators": ["Not collected by the data set's period type: DOCTORS."]
    }
    assert saved.status_code == 302
    data_set = DataSet.objects.get(code="YT-QUY")
    assert [i.code for i in data_set.indicators.all()] == ["VISITS"]
    event = timeline_for(target=data_set).get()
    assert (event.verb, event.data["indicators"]) == ("data_set_created", ["VISITS"])
    assert client.get("/admin/indicators/dataset/").status_code == 200
    assert client.get("/admin/indicators/datasetreport/").status_code == 200


# -- the period lock ---------------------------------------------------------------------------

CLOSED = (
    "VISITS/202410/current:22918 is locked: the period of “Báo cáo y tế tháng” closed on "
    "10/12/2024. Ask its approver to unlock it for this unit."
)


@pytest.fixture
def closing(world):
    """October 2024 closes 30 days after its deadline (10/11/2024): on 10/12/2024."""
    world["data_set"].lock_days = 30
    world["data_set"].save()
    return world


def test_a_closed_period_refuses_values_of_its_assigned_units(closing):
    world = closing
    with pytest.raises(DataValueError) as caught:
        data_value_set(
            indicator=world["visits"], org_unit=world["wards"][0], period="202410", value="1"
        )
    summary = data_values_import(
        rows=[ImportRow("VISITS", "202410", "22918", "1", row=2, columns={"value": "value"})]
    )
    elsewhere = OrgUnit.objects.get(pk=world["hierarchy"].resolve("22963").org_unit_id)

    assert caught.value.errors == {"value": CLOSED}
    assert [c.value for c in summary.conflicts] == [f"Row 2, column value: {CLOSED}"]
    # a unit that does not report the data set is not held by its lock
    data_value_set(indicator=world["visits"], org_unit=elsewhere, period="202410", value=1)


def test_the_period_lock_waits_for_its_day(closing):
    world = closing
    period = parse_period("202410")
    ward = world["wards"][0].pk

    elsewhere = world["hierarchy"].resolve("22963").org_unit_id
    after = date(2024, 12, 11)

    assert data_set_period_closed(world["data_set"], ward, period, today=date(2024, 12, 10)) is None
    assert data_set_period_closed(world["data_set"], ward, period, today=after) == (
        date(2024, 12, 10)
    )
    # as for values (locks.values_locked): a unit that does not report it is not held
    assert data_set_period_closed(world["data_set"], elsewhere, period, today=after) is None


def test_a_closed_period_cannot_be_submitted_until_an_approver_unlocks_it(closing):
    world = closing
    with pytest.raises(DataSetError) as refused:
        _submit(world)
    with pytest.raises(DataSetError) as staff:
        data_set_unlock(
            data_set=world["data_set"],
            org_unit=world["wards"][0],
            period=OCTOBER,
            actor=world["staff"],
            reason="Bổ sung",
        )
    with pytest.raises(DataSetError) as no_reason:
        data_set_unlock(
            data_set=world["data_set"],
            org_unit=world["wards"][0],
            period=OCTOBER,
            actor=world["head"],
            reason="",
        )

    unlock = data_set_unlock(
        data_set=world["data_set"],
        org_unit=world["wards"][0],
        period=OCTOBER,
        actor=world["head"],
        reason="Bổ sung số liệu bệnh viện",
    )
    report = _submit(world)

    assert refused.value.errors == {
        "report": "The period closed on 10/12/2024: its values are locked. Ask an approver "
        "to unlock it for this unit."
    }
    assert staff.value.errors == {
        "report": f"Only the head of {world['agency']} or an administrator may unlock it."
    }
    assert no_reason.value.errors == {"reason": "Say why the period is unlocked."}
    assert (report.status, report.on_time) == ("submitted", False)
    event = timeline_for(target=unlock).get()
    assert (event.verb, event.reason, event.data) == (
        "data_set_unlocked",
        "Bổ sung số liệu bệnh viện",
        {"data_set": "YT-THANG", "period": "202410", "closed_on": "2024-12-10"},
    )
    # the other wards stay closed
    with pytest.raises(DataSetError):
        _submit(world, unit_index=1)


def test_an_open_period_needs_no_unlock(world):
    with pytest.raises(DataSetError) as caught:
        data_set_unlock(
            data_set=world["data_set"],
            org_unit=world["wards"][0],
            period=OCTOBER,
            actor=world["admin"],
            reason="?",
        )

    assert caught.value.errors == {"report": "This period is not locked for this unit."}


def test_the_entry_page_shows_a_closed_period_and_unlocks_it(closing, client):
    world = closing
    client.force_login(world["head"])
    url = "/indicators/entry/?dataset=YT-THANG&period=202410&unit=current%3A22918"

    closed = client.get(url)
    unlocked = client.post(
        "/indicators/entry/unlock/",
        {"dataset": "YT-THANG", "period": "202410", "unit": "current:22918", "reason": "Bổ sung"},
    )
    opened = client.get(url)

    assert (closed.context["closed_on"], closed.context["locked"]) == (date(2024, 12, 10), True)
    assert closed.context["may_unlock"] is True
    assert unlocked.status_code == 302
    assert unlocked["Location"] == url
    assert (opened.context["closed_on"], opened.context["locked"]) == (None, False)


def test_an_unlock_without_reason_goes_back_to_the_form_with_the_error(closing, client):
    client.force_login(closing["head"])

    response = client.post(
        "/indicators/entry/unlock/",
        {"dataset": "YT-THANG", "period": "202410", "unit": "current:22918", "reason": " "},
        follow=True,
    )

    assert response.redirect_chain == [
        ("/indicators/entry/?dataset=YT-THANG&period=202410&unit=current%3A22918", 302)
    ]
    assert [str(m) for m in response.context["messages"]] == ["Say why the period is unlocked."]
    assert response.context["locked"] is True


def test_review_and_unlock_answer_only_posts(world, client):
    report = _submit(world)
    client.force_login(world["head"])

    assert client.get(f"/indicators/entry/reports/{report.pk}/approve/").status_code == 405
    assert client.get("/indicators/entry/unlock/").status_code == 405
    assert client.post("/indicators/entry/reports/999999/approve/").status_code == 404
