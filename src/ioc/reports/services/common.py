"""Shared by the report services: the actor, the checks of who may act, the
timeline, clean text, photos and the deadline."""

import html
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.models import ApiKey, User
from ioc.core.calendar import add_working_days, add_working_hours
from ioc.core.models import TimelineEvent
from ioc.core.services import timeline_record
from ioc.reports.choices import DeadlineUnit
from ioc.reports.images import (
    CheckedPhoto,
    CleanPhoto,
    photo_check,
    photo_clean,
)
from ioc.reports.models import Category, Report, ReportPhoto
from ioc.reports.selectors import report_can_act

Actor = User | ApiKey | None

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 5
# Without a category the deadline is the default one (and triage may set a category).
DEFAULT_DEADLINE_DAYS = 5
LOW_RATING_MAX = 2


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
