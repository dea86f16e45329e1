"""A report's submission: checked, located, routed, given its deadline and
timeline, then written by intake.submit."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.accounts.models import ApiKey, User
from ioc.core.services import timeline_record, timeline_values
from ioc.geo.selectors import locate
from ioc.reports import intake, reference
from ioc.reports.choices import REPORT_WORKFLOW, AttributeDatatype, ReportSource, ReportStatus
from ioc.reports.images import (
    CleanPhoto,
    pending_delete,
    pending_read,
    pending_save,
    photo_reencode,
)
from ioc.reports.models import Category, CategoryAttribute, Report, ReportPhoto
from ioc.reports.services.common import (
    MAX_DESCRIPTION,
    Actor,
    _actor_label,
    _actor_user,
    _check_photos,
    _deadline,
    _save_photo,
    clean_text,
)
from ioc.reports.services.workflow import _verb_for


class RateLimited(Exception):
    """Too many anonymous submissions from one address or device; retry later."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


def report_submit(
    *,
    category: Category | str | None,
    description: str,
    lat: float,
    lon: float,
    address: str = "",
    photos: Sequence[IO[bytes] | bytes] = (),
    attributes: dict[str, Any] | None = None,
    reporter: User | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    is_anonymous: bool = False,
    source: str = ReportSource.WEB,
    ip: str | None = None,
    device_id: str = "",
    actor: Actor = None,
    received_at: datetime | None = None,
    suggested_category: Category | None = None,
    suggestion_confidence: float | None = None,
    media_url: str = "",
) -> Report:
    """Check, store and route a citizen's report; returns it committed.

    `category` None means "I do not know" (triage sets it). Staff (an authenticated staff
    user or an API key) may use internal categories and are not rate-limited. Raises
    ValidationError (a dict naming the field), RateLimited.
    """
    now = timezone.now()
    replayed_at = received_at
    received_at = received_at or now
    staff = isinstance(actor, ApiKey) or (reporter is not None and reporter.is_staff_role)
    found = _resolve_category(category, allow_internal=staff)
    description = clean_text(description)
    if not description:
        raise ValidationError({"description": _("Describe the problem.")})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "description": _("The description is %(length)s characters long; at most %(max)s.")
                % {"length": len(description), "max": MAX_DESCRIPTION}
            }
        )
    location = _locate(lat, lon)
    if source not in ReportSource.values():
        raise ValidationError({"source": _("Unknown channel “%(source)s”.") % {"source": source}})
    if source in ReportSource.PHOTO_REQUIRED and not photos:
        raise ValidationError({"photos": _("Add at least one photo of the problem.")})
    answers = _clean_attributes(found, attributes or {})
    if reporter is None and not isinstance(actor, ApiKey):
        # Before decoding the photos: a flood must not cost their CPU.
        _check_rate(ip, device_id, now)
    checked_photos = _check_photos(photos, "photos")
    media_url = media_url.strip()
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ValidationError({"media_url": _("Enter a valid http(s) URL.")}) from None
    reporter_email = reporter_email.strip()
    if reporter_email:
        try:
            validate_email(reporter_email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    # Routing is part of the submission: the report is stored already assigned (or in
    # triage), and the timeline shows both steps, as report_transition would record them.
    agency = reference.routing_agency(category=found, location=location)
    routed_status = ReportStatus.ASSIGNED if agency else ReportStatus.TRIAGE
    REPORT_WORKFLOW.check(ReportStatus.NEW, routed_status)
    due_at = _deadline(found, received_at)
    fields = {
        "category_id": found.pk if found else None,
        "description": description,
        "address": clean_text(address)[:500],
        "lat": lat,
        "lon": lon,
        "commune_id": location.commune.id,
        "legacy_district_id": location.legacy_district.id if location.legacy_district else None,
        "attributes": answers,
        "media_url": media_url[:500],
        "status": routed_status,
        "agency_id": agency.pk if agency else None,
        "reporter_id": reporter.pk if reporter else None,
        "reporter_name": clean_text(reporter_name)[:150],
        "reporter_phone": clean_text(reporter_phone)[:30],
        "reporter_email": reporter_email[:254],
        "is_anonymous": is_anonymous,
        "source": source,
        "submitted_ip": ip,
        "device_id": device_id[:100],
        "published": found.is_public if found else True,
        "received_at": received_at,
        "suggested_category_id": suggested_category.pk if suggested_category else None,
        "suggestion_confidence": suggestion_confidence,
        "due_at": due_at,
        "expected_at": due_at,
    }
    actor_user = _actor_user(actor) or reporter
    submitted = timeline_values(
        actor=actor_user,
        actor_label="" if reporter or isinstance(actor, User) else _actor_label(actor),
        verb="submitted",
        to_state=ReportStatus.NEW,
        data={"source": source, "photos": len(checked_photos)},
    )
    routed = timeline_values(
        verb=_verb_for(ReportStatus.NEW, routed_status),
        from_state=ReportStatus.NEW,
        to_state=routed_status,
        data={"agency": agency.code} if agency else {},
    )
    # Built where it is written (intake.Submission): in the writer process, when one runs.
    return intake.submit(
        intake.Submission(
            fields=fields,
            event_values=[submitted, routed],
            # Kept privately until the worker re-encodes them (images.py).
            photo_names=[pending_save(photo.content) for photo in checked_photos],
            photo_user_id=reporter.pk if reporter else None,
            replayed_at=replayed_at,
            reporter=reporter,
        )
    )


def _locate(lat: float, lon: float):
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise ValidationError({"lat": _("Latitude and longitude must be numbers.")}) from None
    if not -90 <= lat <= 90:
        raise ValidationError({"lat": _("Latitude must be between -90 and 90.")})
    if not -180 <= lon <= 180:
        raise ValidationError({"long": _("Longitude must be between -180 and 180.")})
    location = locate(lat=lat, lon=lon)
    if location is None:
        raise ValidationError(
            {
                "lat": _("The point (%(lat)s, %(lon)s) is outside the area this service covers.")
                % {"lat": lat, "lon": lon}
            }
        )
    return location
