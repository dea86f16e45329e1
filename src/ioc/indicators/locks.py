"""Which values may no longer change, and why: a data set's approved report locks its
indicators' values for that unit and period; a data set with a period lock (`lock_days`)
closes its periods that many days after the deadline, for its assigned units, unless an
approver unlocked the unit's period (`DataSetUnlock`). Every write path asks here
(services._lock_conflicts), with a few queries whatever the number of values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.core.periods import Period, parse_period
from ioc.indicators.choices import DataSetStatus
from ioc.indicators.models import DataSet, DataSetReport, DataSetUnlock

Key = tuple[int, int, str]  # indicator id, org unit id, period id


@dataclass(frozen=True)
class Lock:
    """Why a value is locked: `approved` (its report) or `closed` (the period lock)."""

    kind: str
    data_set: str  # the data set's name
    closed_on: date | None = None

    def message(self, value: str) -> str:
        if self.kind == "approved":
            return _(
                "%(value)s is locked: the report “%(data_set)s” of this unit and period is "
                "approved. Ask its approver to unapprove it first."
            ) % {"value": value, "data_set": self.data_set}
        return _(
            "%(value)s is locked: the period of “%(data_set)s” closed on %(day)s. Ask its "
            "approver to unlock it for this unit."
        ) % {"value": value, "data_set": self.data_set, "day": f"{self.closed_on:%d/%m/%Y}"}


def period_closes_on(data_set: DataSet, period: Period) -> date | None:
    """The last day a period's values may change (None: the data set has no period lock)."""
    if data_set.lock_days is None:
        return None
    return period.end + timedelta(days=data_set.deadline_days + data_set.lock_days)


def values_locked(keys: Iterable[Key], *, today: date | None = None) -> dict[Key, Lock]:
    """The locked ones among `keys`, with why; keys absent from the answer may change."""
    keys = list(keys)
    data_sets: dict[int, DataSet] = {}
    data_sets_of: dict[int, list[int]] = defaultdict(list)
    memberships = DataSet.indicators.through.objects.filter(
        indicator_id__in={key[0] for key in keys}, dataset__is_active=True
    ).select_related("dataset")
    for membership in memberships:
        data_sets[membership.dataset_id] = membership.dataset
        data_sets_of[membership.indicator_id].append(membership.dataset_id)
    if not data_sets:
        return {}
    units = {key[1] for key in keys}
    periods = {key[2] for key in keys}
    approved = set(
        DataSetReport.objects.filter(
            data_set_id__in=data_sets,
            status=DataSetStatus.APPROVED,
            org_unit_id__in=units,
            period__in=periods,
        ).values_list("data_set_id", "org_unit_id", "period")
    )
    closing = [pk for pk, data_set in data_sets.items() if data_set.lock_days is not None]
    assigned: set[tuple[int, int]] = set()
    unlocked: set[Key] = set()
    if closing:
        assigned = set(
            DataSet.org_units.through.objects.filter(
                dataset_id__in=closing, orgunit_id__in=units
            ).values_list("dataset_id", "orgunit_id")
        )
        unlocked = set(
            DataSetUnlock.objects.filter(
                data_set_id__in=closing, org_unit_id__in=units, period__in=periods
            ).values_list("data_set_id", "org_unit_id", "period")
        )
    # Only units with an approved report or a period lock can hold a locked value: the
    # other keys (most of a big import) are passed over at once.
    held = {unit for _pk, unit, _period in approved} | {unit for _pk, unit in assigned}
    today = today or timezone.localdate()
    closes: dict[tuple[int, str], date | None] = {}
    found: dict[Key, Lock] = {}
    for key in keys:
        indicator_id, org_unit_id, period_id = key
        if org_unit_id not in held:
            continue
        for pk in sorted(data_sets_of.get(indicator_id, ())):
            data_set = data_sets[pk]
            if (pk, org_unit_id, period_id) in approved:
                found[key] = Lock("approved", data_set.name)
                break
            if (pk, org_unit_id) not in assigned or (pk, org_unit_id, period_id) in unlocked:
                continue
            if (pk, period_id) not in closes:
                closes[pk, period_id] = period_closes_on(data_set, parse_period(period_id))
            closed_on = closes[pk, period_id]
            if closed_on is not None and today > closed_on:
                found[key] = Lock("closed", data_set.name, closed_on)
                break
    return found
