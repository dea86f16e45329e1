"""The two filters every dashboard shares, read the same way and kept in the URL.

`area`: "" (the whole deployment), "commune:<code>" (a current commune) or
"district:<code>" (a legacy district, to compare with years before July 2025).
`period`: a DHIS2 period id (`2024`, `2024Q3`, `202411`...), or `from`/`to` dates for a
custom range.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.core.periods import DateRange, Period, PeriodError, parse_period, period_for

AREA_KINDS = ("commune", "district")


class FilterError(ValueError):
    """A filter value in the URL that cannot be understood; the message names it."""


@dataclass(frozen=True)
class Area:
    kind: str = ""  # "", "commune" (current structure) or "district" (legacy structure)
    code: str = ""

    @property
    def is_whole_deployment(self) -> bool:
        return not self.kind

    @property
    def param(self) -> str:
        return f"{self.kind}:{self.code}" if self.kind else ""


@dataclass(frozen=True)
class DashboardFilters:
    area: Area
    period: Period | DateRange

    @property
    def start(self) -> date:
        return self.period.start

    @property
    def end(self) -> date:
        return self.period.end


def parse_area(value: str) -> Area:
    value = value.strip()
    if not value:
        return Area()
    kind, _sep, code = value.partition(":")
    if kind not in AREA_KINDS or not code.isdigit():
        raise FilterError(
            _("Unknown area “%(value)s”: use commune:<code> or district:<code>.") % {"value": value}
        )
    return Area(kind=kind, code=code)


def parse_filters(params, *, today: date | None = None) -> DashboardFilters:
    """Read `area`, `period`, `from` and `to` from a QueryDict; the default is this month."""
    today = today or timezone.localdate()
    area = parse_area(params.get("area", ""))
    start_text, end_text = params.get("from", ""), params.get("to", "")
    if start_text or end_text:
        try:
            period: Period | DateRange = DateRange(
                date.fromisoformat(start_text), date.fromisoformat(end_text)
            )
        except ValueError as error:
            raise FilterError(
                _("Invalid date range: %(error)s (use from=YYYY-MM-DD&to=YYYY-MM-DD).")
                % {"error": error}
            ) from error
    elif params.get("period"):
        try:
            period = parse_period(params["period"])
        except PeriodError as error:
            raise FilterError(str(error)) from error
    else:
        period = period_for("MONTHLY", today)
    return DashboardFilters(area=area, period=period)


def period_choices(*, today: date | None = None, language: str = "vi") -> list[tuple[str, str]]:
    """The periods offered in the top bar: recent months, quarters and years."""
    today = today or timezone.localdate()
    choices = []
    for period_type, count in (("MONTHLY", 3), ("QUARTERLY", 2), ("YEARLY", 3)):
        current = period_for(period_type, today)
        for step in range(count):
            period = current.shift(-step)
            choices.append((period.id, period.label(language)))
    return choices
