"""The reference data every submission reads, cached per process: categories with their
active questions, the active routing rules, the province of each commune, the active
webhook subscriptions.

Reading them on every report cost five queries, with their ORM work. A
save or delete of one of these rows (services, admin, shell) clears this process's copy
at once and again when its transaction commits; other processes (`ioc serve --workers`,
the worker) rebuild theirs at most IOC_REPORTS_REFERENCE_SECONDS (10 s) later. The
cached rows are shared between requests: read them, never change and save them.
"""

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from ioc.accounts.models import Agency
from ioc.core.caches import forget_now_and_at_commit
from ioc.geo.models import AdminUnit
from ioc.reports.models import (
    Category,
    CategoryAttribute,
    Report,
    RoutingRule,
    WebhookSubscription,
)
from ioc.reports.selectors import location_ranks, most_specific_rule

if TYPE_CHECKING:
    from ioc.geo.selectors import Location

DEFAULT_MAX_AGE_SECONDS = 10.0


@dataclass(frozen=True)
class Reference:
    categories: dict[str, Category]  # by code; every category, active or not
    questions: dict[int, list[CategoryAttribute]]  # by category id: the active ones, in order
    rules: list[RoutingRule]  # active, of active agencies, with their agency
    province_of: dict[int, int]  # commune id -> its parent's id
    subscriptions: list[WebhookSubscription]  # active
    categories_by_id: dict[int, Category]
    agencies_by_id: dict[int, Agency]  # the agencies of the active rules


_lock = threading.Lock()
# One entry, (reference, built at), replaced whole: a reader never sees half of it.
_cache: dict[str, tuple[Reference, float]] = {}
_clock = time.monotonic  # replaced in tests


def _build() -> Reference:
    categories = {category.code: category for category in Category.objects.all()}
    questions: dict[int, list[CategoryAttribute]] = {}
    for attribute in CategoryAttribute.objects.filter(is_active=True).order_by("order", "code"):
        questions.setdefault(attribute.category_id, []).append(attribute)
    rules = list(
        RoutingRule.objects.filter(is_active=True, agency__is_active=True).select_related("agency")
    )
    province_of = dict(
        AdminUnit.objects.filter(parent__isnull=False).values_list("id", "parent_id")
    )
    subscriptions = list(WebhookSubscription.objects.filter(is_active=True))
    return Reference(
        categories,
        questions,
        rules,
        province_of,
        subscriptions,
        categories_by_id={category.pk: category for category in categories.values()},
        agencies_by_id={rule.agency.pk: rule.agency for rule in rules},
    )


def reference() -> Reference:
    """This process's copy, rebuilt when cleared or older than the allowed age."""
    max_age = getattr(settings, "IOC_REPORTS_REFERENCE_SECONDS", DEFAULT_MAX_AGE_SECONDS)
    now = _clock()
    entry = _cache.get("entry")
    if entry is not None and now - entry[1] < max_age:
        return entry[0]
    with _lock:
        # Another thread may have rebuilt it while this one waited for the lock.
        entry = _cache.get("entry")
        if entry is not None and _clock() - entry[1] < max_age:
            return entry[0]
        built = _build()
        _cache["entry"] = (built, now)
    return built


def reference_clear() -> None:
    """Forget this process's copy (on every change of the rows, and between tests)."""
    _cache.clear()


def category_by_code(code: str) -> Category | None:
    return reference().categories.get(code)


def category_questions(category: Category) -> list[CategoryAttribute]:
    return reference().questions.get(category.pk, [])


def active_subscriptions() -> list[WebhookSubscription]:
    return reference().subscriptions


def routing_agency(*, category: Category | None, location: "Location | None") -> Agency | None:
    """selectors.routing_resolve on the cached rules (the same ranking, no query)."""
    data = reference()
    province_id = data.province_of.get(location.commune.id) if location is not None else None
    unit_rank = location_ranks(location, province_id)
    best = most_specific_rule(data.rules, category=category, unit_rank=unit_rank)
    return best.agency if best else None


def attach_cached_rows(report: Report) -> None:
    """Give a report rebuilt from its values (the intake's writer process) its category,
    suggested category and agency from this process's copy, as loaded rows: instead of a
    query for each when its notices name them. One not in the copy is loaded when read."""
    data = reference()
    for name, rows in (
        ("category", data.categories_by_id),
        ("suggested_category", data.categories_by_id),
        ("agency", data.agencies_by_id),
    ):
        row = rows.get(getattr(report, f"{name}_id"))
        if row is not None:
            report._state.fields_cache[name] = row


def _changed(**_kwargs: object) -> None:
    forget_now_and_at_commit(reference_clear)


for _model in (Category, CategoryAttribute, RoutingRule, WebhookSubscription, Agency, AdminUnit):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"reports.reference.{_model.__name__}")
    post_delete.connect(
        _changed, sender=_model, dispatch_uid=f"reports.reference.delete.{_model.__name__}"
    )
