"""Shared by the report services: the actor, the checks of who may act, the
timeline, clean text, photos, the rate limit of anonymous submissions, categories'
questions and the deadline."""

import html
import re
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.models import ApiKey, User
from ioc.core.calendar import add_working_days, add_working_hours
from ioc.core.models import TimelineEvent
from ioc.core.services import timeline_record
from ioc.reports import reference
from ioc.reports.choices import AttributeDatatype, DeadlineUnit
from ioc.reports.images import (
    CheckedPhoto,
    CleanPhoto,
    pending_delete,
    pending_read,
    photo_check,
    photo_clean,
    photo_reencode,
)
from ioc.reports.models import Category, CategoryAttribute, Report, ReportPhoto
from ioc.reports.selectors import report_can_act

Actor = User | ApiKey | None

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 5
# Without a category the deadline is the default one (and triage may set a category).
DEFAULT_DEADLINE_DAYS = 5
LOW_RATING_MAX = 2


class RateLimited(Exception):
    """Too many anonymous submissions from one address or device; retry later."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- helpers -----------------------------------------------------------------------------


def clean_text(value: str) -> str:
    """Plain text: tags removed (a script's body with them), entities decoded, trimmed.
    Templates escape it again on output; the API returns it as data."""
    if not value:
        return ""
    if "<" in value:
        value = strip_tags(re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", value))
    value = html.unescape(value)
    value = value.replace("\x00", "")
    return re.sub(r"[ \t]+", " ", value).strip()


def _record(at: datetime | None = None, **fields: Any) -> None:
    """timeline_record, dated `at` when a history is replayed (imports, demo data)."""
    event = timeline_record(**fields)
    if at is not None:
        TimelineEvent.objects.filter(pk=event.pk).update(created_at=at)


def _actor_user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _actor_label(actor: Actor) -> str:
    if isinstance(actor, ApiKey):
        return f"api:{actor.name}"[:150]
    if isinstance(actor, User):
        return actor.get_username()
    return "system"


def _check_can_act(report: Report, actor: Actor) -> None:
    """Only the responsible agency's staff (heads: also of sub-agencies), operators and
    administrators act on a report; an API key acts for its agency, or everywhere."""
    if actor is None:
        return
    if isinstance(actor, ApiKey):
        if actor.agency_id is None or actor.agency_id == report.agency_id:
            return
    elif report_can_act(user=actor, report=report):
        return
    raise PermissionDenied(
        _("You may not act on report %(code)s: it belongs to another agency.")
        % {"code": report.tracking_code}
    )


def _check_operator(actor: Actor) -> None:
    """Triage (assigning a report nobody holds) is the operators' work."""
    if actor is None or (isinstance(actor, ApiKey) and actor.agency_id is None):
        return
    if isinstance(actor, User) and (actor.is_admin_role or actor.role == Role.OPERATOR):
        return
    raise PermissionDenied(_("Only IOC operators assign reports from the triage queue."))


def _deadline(category: Category | None, start: datetime) -> datetime:
    if category is None:
        return add_working_days(start, DEFAULT_DEADLINE_DAYS)
    if category.deadline_unit == DeadlineUnit.WORKING_HOURS:
        return add_working_hours(start, category.deadline_amount)
    return add_working_days(start, category.deadline_amount)


def _save_photos(
    report: Report, photos: Sequence[CleanPhoto], kind: str, user: User | None
) -> list[ReportPhoto]:
    # A random name: the original file name may hold personal data.
    return [_save_photo(report, photo, kind, user, f"{uuid.uuid4().hex}.jpg") for photo in photos]


def _save_photo(
    report: Report, photo: CleanPhoto, kind: str, user: User | None, file_name: str
) -> ReportPhoto:
    record = ReportPhoto(
        report=report,
        kind=kind,
        uploaded_by=user,
        size=len(photo.content),
        width=photo.width,
        height=photo.height,
    )
    record.image.save(file_name, ContentFile(photo.content), save=False)
    record.save()
    return record


def _clean_photos(photos: Sequence[IO[bytes] | bytes], field: str) -> list[CleanPhoto]:
    _check_photo_count(photos, field)
    return [photo_clean(photo, field=field, index=index) for index, photo in enumerate(photos)]


def _check_photos(photos: Sequence[IO[bytes] | bytes], field: str) -> list[CheckedPhoto]:
    _check_photo_count(photos, field)
    return [photo_check(photo, field=field, index=index) for index, photo in enumerate(photos)]


def _check_photo_count(photos: Sequence[IO[bytes] | bytes], field: str) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {field: _("At most %(count)s photos may be sent.") % {"count": MAX_PHOTOS}}
        )


def report_photos_publish(
    *, report: Report, names: Sequence[str], kind: str, user: User | None
) -> list[ReportPhoto]:
    """Re-encode a report's queued uploads (EXIF removed) into public photos, in order;
    returns them. Safe to run again: a photo keeps its upload's name and is made once. A
    photo whose pixels turn out damaged is dropped, with a timeline event saying so.

    The decoding runs before the transaction, so that the database is not held for it."""
    file_names = {name: f"{name}.jpg" for name in names}
    done = {Path(photo.image.name or "").name for photo in report.photos.all()}
    results: list[tuple[str, CleanPhoto | ValidationError]] = []
    for index, name in enumerate(names):
        content = None if file_names[name] in done else pending_read(name)
        if content is None:
            continue
        try:
            results.append((name, photo_reencode(content, "photos", index)))
        except ValidationError as error:
            results.append((name, error))
    with transaction.atomic():
        for name, result in results:
            if isinstance(result, ValidationError):
                timeline_record(
                    target=report, verb="photo_refused", reason=" ".join(result.messages)[:500]
                )
            else:
                _save_photo(report, result, kind, user, file_names[name])
    for name in names:
        pending_delete(name)
    wanted = set(file_names.values())
    return [p for p in report.photos.all() if Path(p.image.name or "").name in wanted]


def _check_rate(ip: str | None, device_id: str, now: datetime) -> None:
    """Anonymous submissions an hour per address and per device (settings), counted in the
    database, so that every process agrees: one query for both."""
    limits = {}  # {name: (condition, limit, message)}
    if ip:
        limits["ip"] = (
            Q(submitted_ip=ip),
            settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_IP,
            _("Too many reports from your network in the last hour (at most %(count)s)."),
        )
    if device_id:
        limits["device"] = (
            Q(device_id=device_id),
            settings.IOC_REPORTS_ANONYMOUS_PER_HOUR_PER_DEVICE,
            _("Too many reports from this device in the last hour (at most %(count)s)."),
        )
    if not limits:
        return
    either = Q()
    for condition, _limit, _message in limits.values():
        either |= condition
    counts = (
        Report.objects.filter(either, received_at__gte=now - timedelta(hours=1), reporter=None)
        .order_by()
        .aggregate(**{name: Count("pk", filter=spec[0]) for name, spec in limits.items()})
    )
    for name, (_condition, limit, message) in limits.items():
        if counts[name] >= limit:
            raise RateLimited(message % {"count": limit})


def _clean_attributes(category: Category | None, given: dict[str, Any]) -> dict[str, Any]:
    """Check the answers to the category's questions (Open311 attributes)."""
    if category is None:
        return {}
    cleaned: dict[str, Any] = {}
    questions: list[CategoryAttribute] = reference.category_questions(category)
    for attribute in questions:
        if not attribute.variable:
            continue
        field = f"attribute[{attribute.code}]"
        value = given.get(attribute.code)
        if value in (None, "", []):
            if attribute.required:
                raise ValidationError({field: _("This question must be answered.")})
            continue
        if attribute.datatype == AttributeDatatype.MULTIVALUELIST:
            values = [str(v) for v in (value if isinstance(value, list) else [value])]
            unknown = sorted(set(values) - set(attribute.value_keys))
            if unknown:
                raise ValidationError(
                    {field: _("Unknown value(s): %(values)s.") % {"values": ", ".join(unknown)}}
                )
            cleaned[attribute.code] = values
            continue
        if isinstance(value, list):
            value = value[0] if len(value) == 1 else value
            if isinstance(value, list):
                raise ValidationError({field: _("Give one value only.")})
        value = str(value)
        if attribute.datatype == AttributeDatatype.SINGLEVALUELIST:
            if value not in attribute.value_keys:
                raise ValidationError({field: _("Unknown value: %(value)s.") % {"value": value}})
        elif attribute.datatype == AttributeDatatype.NUMBER:
            try:
                float(value)
            except ValueError:
                raise ValidationError({field: _("Give a number.")}) from None
        elif attribute.datatype == AttributeDatatype.DATETIME:
            try:
                datetime.fromisoformat(value)
            except ValueError:
                raise ValidationError(
                    {field: _("Give a date and time like 2026-11-25T08:30:00+07:00.")}
                ) from None
        else:
            value = clean_text(value)[:4000]
        cleaned[attribute.code] = value
    return cleaned


def _resolve_category(category: Category | str | None, *, allow_internal: bool) -> Category | None:
    if category is None or category == "":
        return None
    if isinstance(category, Category):
        found: Category | None = category
    else:
        found = reference.category_by_code(category)
    if found is None or not found.is_active or (not found.is_public and not allow_internal):
        code = category.code if isinstance(category, Category) else category
        raise ValidationError(
            {"category": _("Unknown category “%(code)s”.") % {"code": str(code)[:60]}}
        )
    return found


def category_suggestion(description: str) -> tuple[Category | None, float | None]:
    """The classifier's best suggestion among the active public categories and its
    confidence, or (None, None). Never raises nor waits for the model's training (the
    first call in a process starts it): a suggestion must not block a citizen."""
    try:
        from ioc.reports.classifier import suggest_category

        suggestions = suggest_category(description, wait=False)
    except Exception:  # a missing or broken model must not stop a report
        return None, None
    for code, confidence in suggestions:
        category = reference.category_by_code(code)
        if category is not None and category.is_active and category.is_public:
            return category, confidence
    return None, None
