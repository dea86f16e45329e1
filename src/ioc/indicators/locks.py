"""Which values may no longer change, and why: a data set's approved report locks its
indicators' values for that unit and period; a data set with a period lock (`lock_days`)
closes its periods that many days after the deadline, for its assigned units, unless an
approver unlocked the unit's period (`DataSetUnlock`). Every write path asks here
(services._lock_conflicts), with a few queries whatever the number of values; the data-set
form asks `periods_closed` too (datasets.data_set_period_closed): one rule for both.
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


@dataclass(frozen=True)
class ClosedPeriods:
    """Where data sets' period locks hold values: the closed (data set, period) pairs with
    the day each closed, the units that report those data sets, and the unit periods an
    approver unlocked."""

    closed: dict[tuple[int, str], date]
    assigned: set[tuple[int, int]]  # data set id, org unit id
    unlocked: set[Key]  # data set id, org unit id, period id

    @property
    def units(self) -> set[int]:
        return {org_unit_id for _pk, org_unit_id in self.assigned}

    def closed_on(self, data_set_id: int, org_unit_id: int, period_id: str) -> date | None:
        """The day the data set's period lock closed this unit's period, or None."""
        day = self.closed.get((data_set_id, period_id))
        if day is None or (data_set_id, org_unit_id) not in self.assigned:
            return None
        return None if (data_set_id, org_unit_id, period_id) in self.unlocked else day


def periods_closed(
    data_sets: Iterable[DataSet],
    units: set[int],
    periods: set[str],
    *,
    today: date | None = None,
) -> ClosedPeriods:
    """The period lock's rule, in one place: a data set's period closes `lock_days` after
    its deadline for the units that report the data set, unless an approver unlocked the
    unit's period. No query while every period is open; two once one has closed."""
    today = today or timezone.localdate()
    parsed = {period_id: parse_period(period_id) for period_id in periods}
    closed: dict[tuple[int, str], date] = {}
    for data_set in data_sets:
        if data_set.lock_days is None:
            continue
        for period_id, period in parsed.items():
            if period.type != data_set.period_type:
                continue
            closes = period_closes_on(data_set, period)
            if closes is not None and today > closes:
                closed[data_set.pk, period_id] = closes
    if not closed:
        return ClosedPeriods({}, set(), set())
    closing = {pk for pk, _period in closed}
    assigned = set(
        DataSet.org_units.through.objects.filter(
            dataset_id__in=closing, orgunit_id__in=units
        ).values_list("dataset_id", "orgunit_id")
    )
    if not assigned:
        return ClosedPeriods(closed, assigned, set())
    unlocked = set(
        DataSetUnlock.objects.filter(
            data_set_id__in=closing,
            org_unit_id__in=units,
            period__in={period_id for _pk, period_id in closed},
        ).values_list("data_set_id", "org_unit_id", "period")
    )
    return ClosedPeriods(closed, assigned, unlocked)


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
    closing = periods_closed(data_sets.values(), units, periods, today=today)
    # Only units with an approved report or a closed period can hold a locked value: the
    # other keys (most of a big import) are passed over at once.
    held = {unit for _pk, unit, _period in approved} | closing.units
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
            closed_on = closing.closed_on(pk, org_unit_id, period_id)
            if closed_on is not None:
                found[key] = Lock("closed", data_set.name, closed_on)
                break
    return found
