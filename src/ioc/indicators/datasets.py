"""Data sets: the forms agencies report each period, and the life of one unit's report.

Reads (who may fill or approve what, deadlines, completeness and timeliness) and writes
(save as draft, submit, approve, unapprove). A report is DHIS2's completeDataSetRegistration
and its approval in one row (`DataSetReport`): submitting records who, when and whether it
was on time; approving makes its values approved and locks them (services._lock_conflicts
refuses every write to them); unapproving, with a reason, unlocks them. A data set's period
lock (locks.py) closes a period some days after its deadline; an approver unlocks it for a
unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ioc.core.access import restrict
from ioc.core.periods import Period, PeriodError, parse_period
from ioc.core.services import timeline_record
from ioc.indicators.choices import DataSetStatus, DataValueStatus
from ioc.indicators.hierarchy import Hierarchy, Unit
from ioc.indicators.locks import periods_closed
from ioc.indicators.models import (
    DataSet,
    DataSetReport,
    DataSetUnlock,
    DataValue,
    Indicator,
    OrgUnit,
    plain_decimal,
)
from ioc.indicators.services import DataValueError, ValueInput, _actor, data_values_set
from ioc.indicators.typed_numbers import typed_as_shown, typed_value


class DataSetError(ValueError):
    """A report that cannot be saved or moved; `errors` maps each field (`period`,
    `org_unit`, an indicator code, or `report`) to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {text}" for name, text in errors.items()))


# -- reads ------------------------------------------------------------------------------


def data_sets_list(*, user: Any, action: str = "view") -> QuerySet[DataSet]:
    """Active data sets a user may see (`view`), fill in (`add`) or approve (`change`)."""
    queryset = DataSet.objects.filter(is_active=True).select_related("agency")
    return restrict(queryset, user, action).order_by("code")


def data_set_may(*, user: Any, data_set: DataSet, action: str) -> bool:
    return data_sets_list(user=user, action=action).filter(pk=data_set.pk).exists()


def data_set_indicators(data_set: DataSet) -> list[Indicator]:
    """Its indicators (collected ones only), in the catalogue's order."""
    return list(
        data_set.indicators.filter(numerator="", is_active=True).order_by("sector__order", "pk")
    )


def data_set_units(data_set: DataSet, hierarchy: Hierarchy) -> list[Unit]:
    """Its assigned reporting units, by structure and code."""
    ids = data_set.org_units.values_list("pk", flat=True)
    units = [hierarchy.units[pk] for pk in ids if pk in hierarchy.units]
    return sorted(units, key=lambda u: (u.structure != "current", u.level, u.code))


def data_set_deadline(data_set: DataSet, period: Period) -> date:
    """The last day a report of the period is on time."""
    return period.end + timedelta(days=data_set.deadline_days)


def data_set_period(data_set: DataSet, text: str, *, today: date | None = None) -> Period:
    """The period `text` names, checked: of the data set's period type, not in the future."""
    today = today or timezone.localdate()
    try:
        period = parse_period(text.strip())
    except PeriodError as error:
        raise DataSetError({"period": str(error)}) from error
    if period.type != data_set.period_type:
        raise DataSetError(
            {
                "period": _("“%(period)s” is not a %(type)s period, as %(data_set)s is reported.")
                % {
                    "period": text,
                    "type": data_set.get_period_type_display().lower(),
                    "data_set": data_set.code,
                }
            }
        )
    if period.start > today:
        raise DataSetError(
            {"period": _("%(period)s has not begun yet.") % {"period": period.label()}}
        )
    return period


def data_set_report(data_set: DataSet, org_unit_id: int, period: Period) -> DataSetReport | None:
    return DataSetReport.objects.filter(
        data_set=data_set, org_unit_id=org_unit_id, period=period.id
    ).first()


@dataclass(frozen=True)
class UnitCompleteness:
    """One assigned unit's state for a period: its report, or why it is missing."""

    unit: Unit
    report: DataSetReport | None
    state: str  # "approved", "on_time", "late", "missing" or "overdue"
    values: int  # values entered (drafts included) of the data set's indicators


@dataclass(frozen=True)
class Completeness:
    data_set: DataSet
    period: Period
    deadline: date
    rows: list[UnitCompleteness]

    @property
    def assigned(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.report is not None)

    @property
    def on_time(self) -> int:
        return sum(1 for row in self.rows if row.report is not None and row.report.on_time)

    @property
    def missing(self) -> int:
        return self.assigned - self.submitted

    @property
    def completeness_pct(self) -> float:
        return round(100 * self.submitted / self.assigned, 1) if self.assigned else 0.0

    @property
    def timeliness_pct(self) -> float:
        """On-time reports as a share of the expected ones (DHIS2's "reporting rate on time")."""
        return round(100 * self.on_time / self.assigned, 1) if self.assigned else 0.0


def data_set_completeness(
    *, data_set: DataSet, period: Period, hierarchy: Hierarchy, today: date | None = None
) -> Completeness:
    """Who of the assigned units has reported the period, when, on time or late, and who
    has not (overdue once the deadline has passed). Missing and overdue units come first."""
    today = today or timezone.localdate()
    deadline = data_set_deadline(data_set, period)
    reports = {
        report.org_unit_id: report
        for report in DataSetReport.objects.filter(data_set=data_set, period=period.id)
    }
    counts: dict[int, int] = {}
    for org_unit_id in DataValue.objects.filter(
        indicator__in=data_set.indicators.all(), period=period.id, deleted_at__isnull=True
    ).values_list("org_unit_id", flat=True):
        counts[org_unit_id] = counts.get(org_unit_id, 0) + 1
    rows = []
    for unit in data_set_units(data_set, hierarchy):
        report = reports.get(unit.org_unit_id)
        if report is None:
            state = "overdue" if today > deadline else "missing"
        elif report.is_locked:
            state = "approved"
        else:
            state = "on_time" if report.on_time else "late"
        rows.append(UnitCompleteness(unit, report, state, counts.get(unit.org_unit_id, 0)))
    order = {"overdue": 0, "missing": 1, "late": 2, "on_time": 3, "approved": 4}
    rows.sort(key=lambda row: (order[row.state], row.unit.code))
    return Completeness(data_set, period, deadline, rows)


# -- writes -----------------------------------------------------------------------------


def data_set_indicators_check(period_type: str, indicators: list[Indicator]) -> None:
    """ValidationError on `indicators` unless every one is collected (not computed) and
    of the data set's period type."""
    computed = [i.code for i in indicators if i.is_computed]
    if computed:
        raise ValidationError(
            {
                "indicators": _("Computed indicators are not entered: %(codes)s.")
                % {"codes": ", ".join(computed)}
            }
        )
    other = [i.code for i in indicators if i.period_type != period_type]
    if other:
        raise ValidationError(
            {
                "indicators": _("Not collected by the data set's period type: %(codes)s.")
                % {"codes": ", ".join(other)}
            }
        )


@transaction.atomic
def data_set_define(
    *,
    code: str,
    indicators: list[Indicator],
    org_units: list[OrgUnit],
    actor: Any = None,
    **fields: Any,
) -> DataSet:
    """Create or update a data set (by code) with its indicators and assigned units."""
    data_set = DataSet.objects.filter(code=code).first() or DataSet(code=code)
    for name, value in fields.items():
        setattr(data_set, name, value)
    data_set.full_clean()
    data_set_indicators_check(data_set.period_type, indicators)
    created = data_set.pk is None
    data_set.save()
    data_set.indicators.set(indicators)
    data_set.org_units.set(org_units)
    user, label = _actor(actor)
    timeline_record(
        target=data_set,
        actor=user,
        actor_label=label,
        verb="data_set_created" if created else "data_set_changed",
        data={
            "indicators": sorted(i.code for i in indicators),
            "org_units": len(org_units),
        },
    )
    return data_set


def _locked_message() -> str:
    return _("This report is approved: its values are locked. Ask its approver to unapprove it.")


def _closed_message(closed_on: date) -> str:
    return _(
        "The period closed on %(day)s: its values are locked. Ask an approver to unlock it "
        "for this unit."
    ) % {"day": f"{closed_on:%d/%m/%Y}"}


def data_set_period_closed(
    data_set: DataSet, org_unit_id: int, period: Period, *, today: date | None = None
) -> date | None:
    """The day the data set's period lock closed this unit's period, or None when its values
    may still change (no period lock, not closed yet, unlocked, or a unit that does not
    report the data set): the rule of locks.values_locked, for one unit and period."""
    closing = periods_closed([data_set], {org_unit_id}, {period.id}, today=today)
    return closing.closed_on(data_set.pk, org_unit_id, period.id)


def _check_unit(data_set: DataSet, org_unit: OrgUnit) -> None:
    if not data_set.org_units.filter(pk=org_unit.pk).exists():
        raise DataSetError(
            {
                "org_unit": _("%(unit)s does not report %(data_set)s.")
                % {"unit": org_unit, "data_set": data_set.code}
            }
        )


@transaction.atomic
def data_set_save(
    *,
    data_set: DataSet,
    org_unit: OrgUnit,
    period: Period,
    values: dict[str, str | None],
    submit: bool,
    actor: Any,
    hierarchy: Hierarchy | None = None,
    language: str | None = None,
) -> DataSetReport | None:
    """Save a unit's form for a period, all or nothing: as drafts (not counted yet) or
    submitted (counted, and the report registered with its timeliness). `values` maps
    indicator codes to the text typed ("" or None deletes), read as the page's `language`
    writes numbers (the active one by default: typed_numbers); codes not given keep their
    value. DataSetError names each field that cannot be saved; nothing is then written.
    Returns the report (None for a draft). A page that loaded the `hierarchy` passes it."""
    if not data_set_may(user=actor, data_set=data_set, action="add"):
        raise DataSetError(
            {"report": _("You may not fill in %(data_set)s.") % {"data_set": data_set.code}}
        )
    _check_unit(data_set, org_unit)
    report = (
        DataSetReport.objects.select_for_update()
        .filter(data_set=data_set, org_unit=org_unit, period=period.id)
        .first()
    )
    if report is not None and report.is_locked:
        raise DataSetError({"report": _locked_message()})
    closed_on = data_set_period_closed(data_set, org_unit.pk, period)
    if closed_on is not None:
        raise DataSetError({"report": _closed_message(closed_on)})
    if report is not None and not submit:
        raise DataSetError(
            {"report": _("This report is already submitted: save changes with “Submit”.")}
        )
    status = DataValueStatus.SUBMITTED if submit else DataValueStatus.DRAFT
    current = {
        value.indicator_id: value
        for value in DataValue.objects.filter(
            indicator__in=data_set.indicators.all(),
            org_unit=org_unit,
            period=period.id,
            deleted_at__isnull=True,
        )
    }
    changed: list[ValueInput] = []
    typed_errors: dict[str, str] = {}
    language = language or get_language()
    for indicator in data_set_indicators(data_set):
        stored = current.get(indicator.pk)
        stored_text = "" if stored is None else plain_decimal(stored.value)
        if typed_as_shown(values.get(indicator.code), stored.value if stored else None, language):
            text = stored_text
        elif indicator.code in values:
            try:
                text = typed_value(values[indicator.code] or "", indicator.value_type, language)
            except ValueError as error:
                typed_errors[indicator.code] = str(error)
                continue
            if text:
                text = plain_decimal(Decimal(text))
        elif stored is not None:
            text = stored_text
        else:
            continue
        if text == stored_text and (stored is None or stored.status == status):
            continue
        changed.append(ValueInput(indicator, org_unit, period.id, text or None))
    if typed_errors:
        raise DataSetError(typed_errors)
    try:
        # One batch: one lock check, one aggregate update, the rules once.
        data_values_set(values=changed, status=status, actor=actor, hierarchy=hierarchy)
    except DataValueError as error:
        raise DataSetError(
            {
                changed[row - 1].indicator.code: "; ".join(fields.values())
                for row, fields in error.by_row.items()
            }
        ) from error
    if not submit:
        return None
    if report is None:
        return data_set_register(data_set=data_set, org_unit=org_unit, period=period, actor=actor)
    # Timeliness is the first submission's; a correction is in the timeline.
    user, label = _actor(actor)
    timeline_record(
        target=report,
        actor=user,
        actor_label=label,
        verb="data_set_resubmitted",
        to_state=DataSetStatus.SUBMITTED,
        data={"on_time": report.on_time, "deadline": report.deadline.isoformat()},
    )
    return report


@transaction.atomic
def data_set_register(
    *,
    data_set: DataSet,
    org_unit: OrgUnit,
    period: Period,
    actor: Any = None,
    submitted_at: datetime | None = None,
    submitted_by: str = "",
) -> DataSetReport:
    """Register a unit's report of a period as submitted (DHIS2's completeDataSetRegistration):
    now, or at `submitted_at` when registrations are carried over from another system (the
    demo does). Its timeliness is measured against the deadline."""
    _check_unit(data_set, org_unit)
    user, label = _actor(actor)
    when = submitted_at or timezone.now()
    deadline = data_set_deadline(data_set, period)
    report = DataSetReport.objects.create(
        data_set=data_set,
        org_unit=org_unit,
        period=period.id,
        deadline=deadline,
        submitted_at=when,
        submitted_by=submitted_by or label,
        on_time=timezone.localdate(when) <= deadline,
    )
    timeline_record(
        target=report,
        actor=user,
        actor_label=submitted_by or label,
        verb="data_set_submitted",
        to_state=DataSetStatus.SUBMITTED,
        data={"on_time": report.on_time, "deadline": deadline.isoformat()},
    )
    return report


def _locked_report(report: DataSetReport, actor: Any, status: str) -> DataSetReport:
    if not data_set_may(user=actor, data_set=report.data_set, action="change"):
        raise DataSetError(
            {
                "report": _(
                    "Only the head of %(agency)s or an administrator may approve or "
                    "unapprove this report."
                )
                % {"agency": report.data_set.agency}
            }
        )
    fresh = DataSetReport.objects.select_for_update().get(pk=report.pk)
    if fresh.status != status:
        raise DataSetError(
            {
                "report": _("The report is %(state)s: it cannot be moved that way.")
                % {"state": fresh.get_status_display().lower()}
            }
        )
    return fresh


def _report_values(report: DataSetReport) -> QuerySet[DataValue]:
    return DataValue.objects.filter(
        indicator__in=report.data_set.indicators.all(),
        org_unit_id=report.org_unit_id,
        period=report.period,
        deleted_at__isnull=True,
    )


@transaction.atomic
def data_set_approve(*, report: DataSetReport, actor: Any) -> DataSetReport:
    """Approve a submitted report: its values become approved and locked. The agency's
    head (or one above it) or an administrator; refused when the data set needs none."""
    fresh = _locked_report(report, actor, DataSetStatus.SUBMITTED)
    if not fresh.data_set.approval_required:
        raise DataSetError(
            {"report": _("%(data_set)s needs no approval.") % {"data_set": fresh.data_set.code}}
        )
    user, label = _actor(actor)
    fresh.status = DataSetStatus.APPROVED
    fresh.approved_at = timezone.now()
    fresh.approved_by = label
    fresh.save(update_fields=["status", "approved_at", "approved_by"])
    # Submitted and approved values both count: the aggregates do not change.
    approved = (
        _report_values(fresh)
        .filter(status=DataValueStatus.SUBMITTED)
        .update(status=DataValueStatus.APPROVED, updated_at=fresh.approved_at)
    )
    timeline_record(
        target=fresh,
        actor=user,
        actor_label=label,
        verb="data_set_approved",
        from_state=DataSetStatus.SUBMITTED,
        to_state=DataSetStatus.APPROVED,
        data={"values": approved},
    )
    return fresh


@transaction.atomic
def data_set_unapprove(*, report: DataSetReport, actor: Any, reason: str) -> DataSetReport:
    """Unlock an approved report (a reason is required): it is submitted again and its
    values can be corrected, then approved anew."""
    if not reason.strip():
        raise DataSetError({"reason": _("Say why the report is unapproved.")})
    fresh = _locked_report(report, actor, DataSetStatus.APPROVED)
    user, label = _actor(actor)
    fresh.status = DataSetStatus.SUBMITTED
    fresh.approved_at = None
    fresh.approved_by = ""
    fresh.save(update_fields=["status", "approved_at", "approved_by"])
    reopened = (
        _report_values(fresh)
        .filter(status=DataValueStatus.APPROVED)
        .update(status=DataValueStatus.SUBMITTED, updated_at=timezone.now())
    )
    timeline_record(
        target=fresh,
        actor=user,
        actor_label=label,
        verb="data_set_unapproved",
        from_state=DataSetStatus.APPROVED,
        to_state=DataSetStatus.SUBMITTED,
        reason=reason.strip(),
        data={"values": reopened},
    )
    return fresh


@transaction.atomic
def data_set_unlock(
    *, data_set: DataSet, org_unit: OrgUnit, period: Period, actor: Any, reason: str
) -> DataSetUnlock:
    """Reopen a period the data set's period lock has closed, for one unit (a reason is
    required): its values may change and its report be submitted, late."""
    if not reason.strip():
        raise DataSetError({"reason": _("Say why the period is unlocked.")})
    if not data_set_may(user=actor, data_set=data_set, action="change"):
        raise DataSetError(
            {
                "report": _("Only the head of %(agency)s or an administrator may unlock it.")
                % {"agency": data_set.agency}
            }
        )
    _check_unit(data_set, org_unit)
    closed_on = data_set_period_closed(data_set, org_unit.pk, period)
    if closed_on is None:
        raise DataSetError({"report": _("This period is not locked for this unit.")})
    user, label = _actor(actor)
    unlock = DataSetUnlock.objects.create(
        data_set=data_set,
        org_unit=org_unit,
        period=period.id,
        reason=reason.strip(),
        unlocked_by=label,
    )
    timeline_record(
        target=unlock,
        actor=user,
        actor_label=label,
        verb="data_set_unlocked",
        reason=reason.strip(),
        data={"data_set": data_set.code, "period": period.id, "closed_on": closed_on.isoformat()},
    )
    return unlock
