"""Staff edits of a report and the log of who saw its reporter's contact details; the
reference data: categories, their questions, routing rules."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ioc.accounts.models import Agency
from ioc.core.services import timeline_record
from ioc.reports import figures
from ioc.reports.choices import Priority
from ioc.reports.models import Category, CategoryAttribute, Report, RoutingRule
from ioc.reports.services.common import Actor, _actor_label, _actor_user, _check_can_act, _deadline


def report_personal_data_viewed(*, report: Report, actor: Actor) -> None:
    """Log that a staff member or client saw the reporter's contact details (Decree
    13/2023): a timeline entry that the public timeline leaves out."""
    timeline_record(
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="personal_data_viewed",
    )


@transaction.atomic
def report_update(
    *,
    report: Report,
    actor: Actor,
    category: Category | None = None,
    priority: str | None = None,
    published: bool | None = None,
) -> Report:
    """Triage edits: the category (the deadline follows it if the report is still open),
    the priority, publication."""
    _check_can_act(report, actor)
    changed: dict[str, list[Any]] = {}
    if category is not None and category.pk != report.category_id:
        changed["category"] = [report.category.code if report.category else None, category.code]
        report.category = category
        if report.is_open:
            report.due_at = _deadline(category, report.received_at)
            report.expected_at = report.due_at
    if priority is not None and priority != report.priority:
        if priority not in Priority.values():
            raise ValidationError({"priority": _("Unknown priority.")})
        changed["priority"] = [report.priority, priority]
        report.priority = priority
    if published is not None and published != report.published:
        changed["published"] = [report.published, published]
        report.published = published
    if changed:
        figures.refresh_flags(report)
        report.save()
        figures.report_written(report)
        timeline_record(
            target=report,
            actor=_actor_user(actor),
            actor_label=_actor_label(actor),
            verb="updated",
            data=changed,
        )
    return report


# -- categories and routing rules -----------------------------------------------------------------


@transaction.atomic
def category_create(*, code: str, name: str, actor: Actor = None, **fields: Any) -> Category:
    category = Category(code=code, name=name, **fields)
    category.full_clean()
    category.save()
    timeline_record(
        target=category, actor=_actor_user(actor), actor_label=_actor_label(actor), verb="created"
    )
    return category


@transaction.atomic
def category_attribute_create(
    *, category: Category, code: str, description: str, **fields: Any
) -> CategoryAttribute:
    attribute = CategoryAttribute(category=category, code=code, description=description, **fields)
    attribute.full_clean()
    attribute.save()
    return attribute


@transaction.atomic
def routing_rule_create(
    *,
    agency: Agency,
    category: Category | None = None,
    unit: Any = None,
    note: str = "",
    actor: Actor = None,
) -> RoutingRule:
    """A rule category x area -> agency; replaces (deactivates) the active rule for the
    same category and area, so there is always one."""
    RoutingRule.objects.filter(category=category, unit=unit, is_active=True).update(is_active=False)
    rule = RoutingRule.objects.create(agency=agency, category=category, unit=unit, note=note)
    timeline_record(
        target=rule,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="created",
        data={
            "agency": agency.code,
            "category": category.code if category else None,
            "unit": unit.code if unit else None,
        },
    )
    return rule
