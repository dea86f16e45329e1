"""Reads of field reports: lists and details through restrict(), routing, deadlines,
figures as of the end of a period, and duplicate suggestions."""

import difflib
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from ioc.accounts.choices import Role
from ioc.accounts.models import Agency
from ioc.core.access import restrict
from ioc.core.calendar import add_working_hours
from ioc.core.models import TimelineEvent
from ioc.geo.models import AdminUnit
from ioc.geo.selectors import Location
from ioc.reports import figures
from ioc.reports.choices import DeadlineState, ReportStatus
from ioc.reports.models import Category, Report, RoutingRule

# "Due soon": due within this many working hours (one working day by default).
DUE_SOON_WORKING_HOURS = 7.5
# A rating of 4 or 5 stars counts as "satisfied".
DUPLICATE_RADIUS_M = 100
DUPLICATE_WINDOW_DAYS = 30
DUPLICATE_MIN_SIMILARITY = 0.3
EARTH_RADIUS_M = 6_371_000


# -- categories and routing -------------------------------------------------------------


def category_list(*, user: Any = None, include_internal: bool = False) -> QuerySet[Category]:
    """Active categories the user may see; `include_internal` adds internal ones for staff."""
    queryset = restrict(Category.objects.all(), user, "view").filter(is_active=True)
    if not include_internal:
        queryset = queryset.filter(is_public=True)
    return queryset.prefetch_related("attributes").order_by("order", "name")


def category_by_code(code: str, *, public_only: bool = True) -> Category | None:
    queryset = Category.objects.filter(code=code, is_active=True)
    if public_only:
        queryset = queryset.filter(is_public=True)
    return queryset.prefetch_related("attributes").first()


def answer_templates(*, category: Category | None = None) -> QuerySet:
    """Active answer templates for a category, and those for every category."""
    from ioc.reports.models import AnswerTemplate

    queryset = AnswerTemplate.objects.filter(is_active=True)
    condition = Q(category__isnull=True)
    if category is not None:
        condition |= Q(category=category)
    return queryset.filter(condition).order_by("order", "title")


def routing_resolve(*, category: Category | None, location: Location | None) -> Agency | None:
    """The agency the most specific active rule names; None sends the report to triage.
    (Intake uses the same ranking on its cached rules: reference.routing_agency.)"""
    province_id = None
    if location is not None:
        province_id = (
            AdminUnit.objects.filter(pk=location.commune.id).values_list("parent_id", flat=True)
        ).first()
    unit_rank = location_ranks(location, province_id)
    category_q = Q(category__isnull=True)
    if category is not None:
        category_q |= Q(category=category)
    rules = RoutingRule.objects.filter(
        category_q,
        Q(unit__isnull=True) | Q(unit_id__in=list(unit_rank)),
        is_active=True,
        agency__is_active=True,
    ).select_related("agency")
    best = most_specific_rule(rules, category=category, unit_rank=unit_rank)
    return best.agency if best else None


def location_ranks(location: Location | None, province_id: int | None) -> dict[int, int]:
    """{unit id: rank} of the units a point lies in: commune 3, legacy district 2,
    province 1."""
    if location is None:
        return {}
    ranks = {location.commune.id: 3}
    if location.legacy_district is not None:
        ranks[location.legacy_district.id] = 2
    if province_id:
        ranks[province_id] = 1
    return ranks


def most_specific_rule(
    rules: Iterable[RoutingRule], *, category: Category | None, unit_rank: dict[int, int]
) -> RoutingRule | None:
    """Among active rules, the one that applies and is the most specific: a rule naming
    the category beats one for any category; then a rule for the commune beats one for
    the legacy district, which beats one for the province, which beats one for anywhere."""
    category_id = category.pk if category is not None else None
    best, best_rank = None, (-1, -1)
    for rule in rules:
        if rule.category_id is not None and rule.category_id != category_id:
            continue
        if rule.unit_id is not None and rule.unit_id not in unit_rank:
            continue
        rank = (1 if rule.category_id else 0, unit_rank.get(rule.unit_id, 0) if rule.unit_id else 0)
        if rank > best_rank:
            best, best_rank = rule, rank
    return best


def locate_address(text: str) -> tuple[float, float] | None:
    """An approximate point for an address naming exactly one current commune ("12 Trần
    Hưng Đạo, phường Phan Thiết", "P. Mũi Né"): the commune's centroid. None when no
    commune or several are named. Used by Open311 clients that send only address_string.
    """
    from ioc.geo.names import bare_name, fold
    from ioc.geo.selectors import locate

    folded = " " + " ".join(re.findall(r"[\w.]+", fold(text))) + " "
    abbreviations = {"phuong": ("p.", "p"), "xa": ("x.", "x"), "dac khu": ("dk",)}
    found: dict[str, tuple[float, float]] = {}
    communes = AdminUnit.objects.filter(
        structure="current", level="commune", centroid_lat__isnull=False
    ).values_list("code", "name", "division_type", "centroid_lat", "centroid_lon")
    for code, name, division_type, lat, lon in communes:
        bare = fold(bare_name(name))
        kind = fold(division_type or "")
        prefixes = (kind, *abbreviations.get(kind, ()))
        if (
            lat is not None
            and lon is not None
            and any(f" {prefix} {bare} " in folded for prefix in prefixes if prefix)
        ):
            found[code] = (lat, lon)
    if len(found) != 1:
        return None
    ((code, (lat, lon)),) = found.items()
    location = locate(lat=lat, lon=lon)
    return (lat, lon) if location and location.commune.code == code else None


# -- lists and details --------------------------------------------------------------------


def report_list(
    *,
    user: Any,
    status: str | list[str] | None = None,
    agency: Agency | int | None = None,
    category: Category | int | None = None,
    commune_code: str | None = None,
    legacy_district_code: str | None = None,
    deadline: str | None = None,
    mine: bool = False,
    search: str = "",
    received_from: date | None = None,
    received_to: date | None = None,
    now: datetime | None = None,
) -> QuerySet[Report]:
    """Reports the user may see, newest first, with the filters of the work queue.

    `deadline`: "due_soon" or "overdue" (open reports only). `mine`: the user's agency
    (and a head's sub-agencies) for staff, the user's own reports for citizens.
    """
    queryset = restrict(Report.objects.all(), user, "view")
    if status:
        queryset = queryset.filter(status__in=[status] if isinstance(status, str) else status)
    if agency is not None:
        queryset = queryset.filter(agency=agency)
    if category is not None:
        queryset = queryset.filter(category=category)
    if commune_code:
        queryset = queryset.filter(commune__code=commune_code)
    if legacy_district_code:
        queryset = queryset.filter(legacy_district__code=legacy_district_code)
    if deadline:
        queryset = queryset.filter(deadline_q(deadline, now=now))
    if mine:
        queryset = queryset.filter(_mine_q(user))
    if search:
        queryset = queryset.filter(
            Q(tracking_code__iexact=search.strip())
            | Q(description__icontains=search)
            | Q(address__icontains=search)
        )
    if received_from:
        queryset = queryset.filter(received_at__gte=figures.start_of(received_from))
    if received_to:
        queryset = queryset.filter(
            received_at__lt=figures.start_of(received_to + timedelta(days=1))
        )
    return queryset.select_related("category", "agency", "commune", "legacy_district")


def report_public_list(
    *,
    status: str | list[str] | None = None,
    category: Category | None = None,
    commune_code: str | None = None,
    legacy_district_code: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
) -> QuerySet[Report]:
    """Published reports, as an anonymous visitor sees them (the public map and list);
    `bbox` is (min_lon, min_lat, max_lon, max_lat)."""
    queryset = report_list(
        user=None,
        status=status,
        category=category,
        commune_code=commune_code,
        legacy_district_code=legacy_district_code,
        received_from=received_from,
        received_to=received_to,
    )
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        queryset = queryset.filter(lat__range=(min_lat, max_lat), lon__range=(min_lon, max_lon))
    return queryset


def _mine_q(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.agency_id:
        return Q(agency_id__in=user._agency_ids())
    return Q(reporter_id=user.pk)


def report_work_queue(*, user: Any, view: str = "mine", now: datetime | None = None, **filters):
    """The agency work queue: "mine" (open reports of my agency), "due_soon", "overdue",
    "triage" (the operators' queue) or "all" open reports; most urgent first. "due_soon"
    and "overdue" are of my agency's reports for its staff, of every report they see for
    those who watch the whole deployment (operators, leaders, administrators)."""
    queryset = report_list(user=user, status=sorted(ReportStatus.OPEN), now=now, **filters)
    whole = getattr(user, "role", None) in Role.WHOLE_DEPLOYMENT or user.is_superuser
    own_agency = view == "mine" or (view in ("due_soon", "overdue") and not whole)
    if own_agency and getattr(user, "agency_id", None):
        queryset = queryset.filter(_mine_q(user))
    if view in ("due_soon", "overdue"):
        queryset = queryset.filter(deadline_q(view, now=now))
    if view == "triage":
        queryset = queryset.filter(status__in=[ReportStatus.NEW, ReportStatus.TRIAGE])
    return queryset.order_by("due_at", "received_at")


def report_get(*, user: Any, pk: int) -> Report | None:
    """One report, if the user may see it."""
    return (
        restrict(Report.objects.all(), user, "view")
        .select_related("category", "agency", "commune", "legacy_district", "merged_into")
        .filter(pk=pk)
        .first()
    )


def report_can_act(*, user: Any, report: Report) -> bool:
    """Whether the user may act on the report (its agency's staff, heads above, operators)."""
    return restrict(Report.objects.filter(pk=report.pk), user, "change").exists()


def report_by_tracking_code(code: str) -> Report | None:
    """The report with this tracking code. The code is the guest's key to the public view
    of their own report, which holds no personal data; restrict() does not apply."""
    normalized = code.strip().upper()
    return (
        Report.objects.select_related("category", "agency", "commune", "merged_into")
        .filter(tracking_code=normalized)
        .first()
    )


def report_public_answers(report: Report) -> QuerySet:
    return report.answers.filter(is_public=True).select_related("agency")


def report_timeline(*, report: Report, public: bool) -> QuerySet[TimelineEvent]:
    """The report's timeline; the public one holds status changes only (no notes)."""
    events = TimelineEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Report), object_id=str(report.pk)
    )
    if public:
        events = events.exclude(to_state="")
    return events.select_related("actor")


# -- deadlines -------------------------------------------------------------------------


def due_soon_threshold(now: datetime | None = None) -> datetime:
    now = now or timezone.now()
    hours = getattr(settings, "IOC_REPORTS_DUE_SOON_WORKING_HOURS", DUE_SOON_WORKING_HOURS)
    return add_working_hours(now, hours)


def deadline_q(state: str, *, now: datetime | None = None) -> Q:
    """Open reports in a deadline state ("due_soon" or "overdue") at `now`."""
    now = now or timezone.now()
    open_q = Q(status__in=sorted(ReportStatus.OPEN), due_at__isnull=False)
    if state == DeadlineState.OVERDUE:
        return open_q & Q(due_at__lt=now)
    if state == DeadlineState.DUE_SOON:
        return open_q & Q(due_at__gte=now, due_at__lte=due_soon_threshold(now))
    if state == DeadlineState.ON_TRACK:
        return open_q & Q(due_at__gt=due_soon_threshold(now))
    raise ValueError(f"Unknown deadline state {state!r}; expected one of {DeadlineState.values()}")


def deadline_state(report: Report, *, now: datetime | None = None) -> str | None:
    """on_track, due_soon or overdue for an open report with a deadline; None otherwise."""
    if report.status not in ReportStatus.OPEN or report.due_at is None:
        return None
    now = now or timezone.now()
    if report.due_at < now:
        return DeadlineState.OVERDUE
    if report.due_at <= due_soon_threshold(now):
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TRACK


def reports_to_escalate(*, now: datetime | None = None) -> QuerySet[Report]:
    """Overdue open reports not yet escalated."""
    return Report.objects.filter(deadline_q(DeadlineState.OVERDUE, now=now), escalated_at=None)


# -- figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportStats:
    received: int
    completed: int
    in_progress: int
    overdue: int
    ratings: int
    satisfied: int
    satisfied_pct: float | None
    on_time_pct: float | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def report_stats(
    *,
    start: date,
    end: date,
    commune: AdminUnit | str | None = None,
    legacy_district: AdminUnit | str | None = None,
    category: Category | str | None = None,
    agency: Agency | str | None = None,
) -> ReportStats:
    """Figures of the reports received from `start` to `end` (whole days, local time),
    each counted as it stood at the end of `end`:

    - received: reports received in the period;
    - completed: of those, the ones first resolved or rejected by the end;
    - in_progress: received - completed (still open at the end);
    - overdue: of the in-progress ones, those whose deadline had passed at the end;
    - ratings, satisfied: ratings given by the end, and those of 4 or 5 stars;
    - satisfied_pct = satisfied / ratings x 100; on_time_pct = completed by their deadline
      / completed x 100 (None when there is nothing to divide by), one decimal.

    Codes may be given instead of objects (commune and legacy district codes, category
    and agency codes).
    """
    chosen = _dimension_filters(
        commune=commune, legacy_district=legacy_district, category=category, agency=agency
    )
    the_plan = figures.plan(start=start, end=end, filters=chosen)
    return _stats_of(figures.figure_total(the_plan))


def _ids(model: Any, value: Any) -> list[int]:
    if isinstance(value, str):
        return list(model.objects.filter(code=value).values_list("id", flat=True))
    return [value.pk]


def _dimension_filters(
    *,
    commune: Any = None,
    legacy_district: Any = None,
    category: Any = None,
    agency: Any = None,
    agency_ids: set[int] | frozenset[int] | None = None,
) -> dict[str, list[int]]:
    """Filters by codes or objects as lists of ids of the figures' dimensions."""
    chosen: dict[str, list[int]] = {}
    for field, model, value in (
        ("commune_id", AdminUnit, commune),
        ("legacy_district_id", AdminUnit, legacy_district),
        ("category_id", Category, category),
        ("agency_id", Agency, agency),
    ):
        if value is not None and value != "":
            chosen[field] = _ids(model, value)
    if agency_ids is not None:
        chosen["agency_id"] = sorted(set(agency_ids) & set(chosen.get("agency_id", agency_ids)))
    return chosen


def _stats_of(counts: list[int]) -> ReportStats:
    return _stats_from(dict(zip(figures.COUNTS, counts, strict=True)))


def _total(groups: dict[Any, list[int]]) -> ReportStats:
    totals = [0] * len(figures.COUNTS)
    for counts in groups.values():
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    return _stats_of(totals)


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# -- duplicates ------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateSuggestion:
    report: Report
    distance_m: float
    similarity: float


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = math.radians(lat2 - lat1), math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def _folded_words(text: str) -> list[str]:
    """Lower-case words without diacritics (đ -> d), so "Đèn hỏng" matches "den hong"."""
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(char for char in text if unicodedata.category(char) != "Mn")
    return re.findall(r"\w+", text)


def text_similarity(a: str, b: str) -> float:
    """0..1: the better of word-trigram Jaccard and difflib's ratio on the folded words."""
    words_a, words_b = _folded_words(a), _folded_words(b)
    if not words_a or not words_b:
        return 0.0
    grams_a = {tuple(words_a[i : i + 3]) for i in range(max(1, len(words_a) - 2))}
    grams_b = {tuple(words_b[i : i + 3]) for i in range(max(1, len(words_b) - 2))}
    jaccard = len(grams_a & grams_b) / len(grams_a | grams_b)
    ratio = difflib.SequenceMatcher(None, words_a, words_b).ratio()
    return round(max(jaccard, ratio), 3)


def report_duplicates(
    *,
    lat: float,
    lon: float,
    category: Category | None = None,
    text: str = "",
    radius_m: float = DUPLICATE_RADIUS_M,
    days: int = DUPLICATE_WINDOW_DAYS,
    exclude: Report | None = None,
    now: datetime | None = None,
    min_similarity: float = DUPLICATE_MIN_SIMILARITY,
    limit: int = 5,
) -> list[DuplicateSuggestion]:
    """Open reports of the same category within `radius_m` and the last `days`, whose text
    is similar (when a text is given); nearest and most similar first.

    A bounding box on lat/lon (indexed) narrows the candidates before the exact
    haversine distance; no geometry extension is needed.
    """
    now = now or timezone.now()
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    d_lon = d_lat / max(math.cos(math.radians(lat)), 1e-6)
    queryset = Report.objects.filter(
        status__in=sorted(ReportStatus.OPEN),
        lat__range=(lat - d_lat, lat + d_lat),
        lon__range=(lon - d_lon, lon + d_lon),
        received_at__gte=now - timedelta(days=days),
        merged_into=None,
    )
    if category is not None:
        queryset = queryset.filter(category=category)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    suggestions = []
    for report in queryset.select_related("category")[:500]:
        distance = haversine_m(lat, lon, report.lat, report.lon)
        if distance > radius_m:
            continue
        similarity = text_similarity(text, report.description) if text else 0.0
        if text and similarity < min_similarity:
            continue
        suggestions.append(DuplicateSuggestion(report, round(distance, 1), similarity))
    suggestions.sort(key=lambda s: (-s.similarity, s.distance_m))
    return suggestions[:limit]


# -- reads of the web pages (queue, dashboard, public figures and map) ------------------


def _received_in(
    *,
    start: date,
    end: date,
    commune: str | None = None,
    legacy_district: str | None = None,
    category: str | None = None,
    agency_ids: set[int] | frozenset[int] | None = None,
) -> QuerySet[Report]:
    """Reports received from `start` to `end` (whole local days), filtered by codes; an
    agency head's view passes the ids of the head's agency and its sub-agencies."""
    queryset = Report.objects.filter(
        received_at__gte=figures.start_of(start),
        received_at__lt=figures.start_of(end + timedelta(days=1)),
    )
    if commune:
        queryset = queryset.filter(commune__code=commune)
    if legacy_district:
        queryset = queryset.filter(legacy_district__code=legacy_district)
    if category:
        queryset = queryset.filter(category__code=category)
    if agency_ids is not None:
        queryset = queryset.filter(agency_id__in=agency_ids)
    return queryset


def _stats_from(figures: dict[str, Any]) -> ReportStats:
    received, completed = figures["received"], figures["completed"]
    return ReportStats(
        received=received,
        completed=completed,
        in_progress=received - completed,
        overdue=figures["overdue"],
        ratings=figures["ratings"],
        satisfied=figures["satisfied"],
        satisfied_pct=_pct(figures["satisfied"], figures["ratings"]),
        on_time_pct=_pct(figures["completed_on_time"], completed),
    )


def _plan(start: date, end: date, filters: dict[str, Any]) -> figures.Plan:
    return figures.plan(start=start, end=end, filters=_dimension_filters(**filters))


def report_figures(*, start: date, end: date, **filters: Any) -> ReportStats:
    """report_stats with an agency head's set of agencies (`agency_ids`) as a filter."""
    return _stats_of(figures.figure_total(_plan(start, end, filters)))


STATS_GROUPS: dict[str, tuple[str, Any]] = {
    "commune": ("commune_id", AdminUnit),
    "legacy_district": ("legacy_district_id", AdminUnit),
    "category": ("category_id", Category),
    "agency": ("agency_id", Agency),
}


@dataclass(frozen=True)
class GroupFigures:
    code: str | None
    name: str
    name_en: str
    stats: ReportStats

    def label(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name


def _groups(sums: dict[int | None, list[int]], group: str) -> list[GroupFigures]:
    model = STATS_GROUPS[group][1]
    names = {
        pk: (code, name or "", name_en or "")
        for pk, code, name, name_en in model.objects.filter(
            pk__in=[pk for pk in sums if pk]
        ).values_list("pk", "code", "name", "name_en")
    }
    result = [
        GroupFigures(*names.get(pk, (None, "", "")), stats=_stats_of(counts))  # type: ignore[arg-type]
        for pk, counts in sums.items()
    ]
    return sorted(result, key=lambda item: (-item.stats.received, item.name))


def _grouped(
    the_plan: figures.Plan, group: str
) -> tuple[dict[int | None, list[int]], list[GroupFigures]]:
    sums = figures.figure_groups(the_plan, STATS_GROUPS[group][0])
    return sums, _groups(sums, group)


def report_stats_by(*, group: str, start: date, end: date, **filters: Any) -> list[GroupFigures]:
    """The figures of report_stats for each commune, legacy district, agency or category;
    most received first. The rows add up to report_stats."""
    return _grouped(_plan(start, end, filters), group)[1]


def report_stats_with_groups(
    *, group: str, start: date, end: date, **filters: Any
) -> tuple[ReportStats, list[GroupFigures]]:
    """report_stats and report_stats_by from one reading of the period (a page shows both)."""
    the_plan = _plan(start, end, filters)
    return _stats_of(figures.figure_total(the_plan)), _grouped(the_plan, group)[1]


# Below this many completed reports the median is the exact one, from the rows.
EXACT_MEDIAN_MAX = 500


def _median(
    the_plan: figures.Plan, start: date, end: date, filters: dict[str, Any]
) -> float | None:
    histogram = figures.hours_histogram(the_plan)
    if sum(histogram) > EXACT_MEDIAN_MAX:
        return figures.median_from_histogram(histogram)
    period_end = figures.start_of(end + timedelta(days=1))
    pairs = (
        _received_in(start=start, end=end, **filters)
        .filter(completed_at__lt=period_end)
        .values_list("received_at", "completed_at")
    )
    hours = sorted(
        (completed - received).total_seconds() / 3600
        for received, completed in pairs
        if completed is not None
    )
    if not hours:
        return None
    middle = len(hours) // 2
    value = hours[middle] if len(hours) % 2 else (hours[middle - 1] + hours[middle]) / 2
    return round(value, 1)


def report_median_hours_to_complete(*, start: date, end: date, **filters: Any) -> float | None:
    """Median time from receipt to first completion (hours, one decimal) of the reports
    received in the period and completed by its end; None when none is completed. Exact
    up to EXACT_MEDIAN_MAX completed reports; above, interpolated in the bucket of the
    histogram of hours (figures.HOUR_EDGES) that holds it."""
    return _median(_plan(start, end, filters), start, end, filters)


def _trend_rows(the_plan: figures.Plan, start: date, end: date) -> list[dict[str, Any]]:
    return [
        {"month": f"{month:%m/%Y}", "received": received, "completed": completed}
        for month, (received, completed) in figures.monthly(the_plan, start=start, end=end).items()
    ]


def report_monthly_trend(*, start: date, end: date, **filters: Any) -> list[dict[str, Any]]:
    """Per month of the period: reports received, and of them those completed in that
    month (by the month of their first completion)."""
    return _trend_rows(_plan(start, end, filters), start, end)


@dataclass(frozen=True)
class DashboardFigures:
    stats: ReportStats
    median_hours: float | None
    by_commune: list[GroupFigures]
    by_agency: list[GroupFigures]
    by_category: list[GroupFigures]
    trend: list[dict[str, Any]]


def report_dashboard_figures(*, start: date, end: date, **filters: Any) -> DashboardFigures:
    """Everything the dashboard shows for a period, from one reading of the figures."""
    the_plan = _plan(start, end, filters)
    median = _median(the_plan, start, end, filters)
    groupings = figures.figure_groupings(the_plan, ("commune_id", "agency_id", "category_id"))
    return DashboardFigures(
        stats=_total(groupings["commune_id"]),
        median_hours=median,
        by_commune=_groups(groupings["commune_id"], "commune"),
        by_agency=_groups(groupings["agency_id"], "agency"),
        by_category=_groups(groupings["category_id"], "category"),
        trend=_trend_rows(the_plan, start, end),
    )


def report_work_queue_counts(*, user: Any, views: list[str], **filters: Any) -> dict[str, int]:
    """How many reports each tab of the work queue holds, with the same filters."""
    return {view: report_work_queue(user=user, view=view, **filters).count() for view in views}


def report_map_points(queryset: QuerySet[Report], *, limit: int = 2000) -> list[dict[str, Any]]:
    """Points for a map (no personal data): code, position, status and category code."""
    rows = queryset.order_by("-received_at").values_list(
        "tracking_code", "lat", "lon", "status", "category__code"
    )[:limit]
    return [
        {"code": code, "lat": lat, "lon": lon, "status": status, "category": category or ""}
        for code, lat, lon, status, category in rows
    ]


def reports_of_reporter(user: Any) -> QuerySet[Report]:
    """The reports a user sent from her account: those waiting for her rating (resolved, not
    rated; `waits_for_rating`) first, then newest first; with their category for the list."""
    waiting = Case(
        When(status=ReportStatus.RESOLVED, rating__isnull=True, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        Report.objects.filter(reporter=user)
        .select_related("category")
        .annotate(waits_for_rating=waiting)
        .order_by("-waits_for_rating", "-received_at", "-id")
    )
