"""Writes of field reports: submission, the workflow's moves, answers, ratings, merges,
extensions, escalation; categories and routing rules.

Every function is keyword-only, runs in one transaction, records the timeline and sends
e-mails and webhooks only after the commit. `actor` is a User, an ApiKey (a machine
client acting for its agency, or for the whole deployment when it has none) or None (the
system itself: routing, escalation).
"""

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
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.models import Agency, ApiKey, User
from ioc.core.calendar import add_working_days, add_working_hours
from ioc.core.models import TimelineEvent
from ioc.core.services import timeline_event, timeline_record
from ioc.core.workflow import IllegalTransition
from ioc.geo.selectors import locate
from ioc.reports import figures, intake, notifications, reference
from ioc.reports.choices import (
    EXTENSION_WORKFLOW,
    REPORT_WORKFLOW,
    AttributeDatatype,
    DeadlineUnit,
    ExtensionStatus,
    PhotoKind,
    Priority,
    RejectReason,
    ReportSource,
    ReportStatus,
    WebhookEvent,
)
from ioc.reports.images import (
    CheckedPhoto,
    CleanPhoto,
    pending_delete,
    pending_read,
    pending_save,
    photo_check,
    photo_clean,
    photo_reencode,
)
from ioc.reports.models import (
    Category,
    CategoryAttribute,
    ExtensionRequest,
    Report,
    ReportAnswer,
    ReportPhoto,
    RoutingRule,
)
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


# -- submission ----------------------------------------------------------------------------


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
    report = Report(
        category=found,
        description=description,
        address=clean_text(address)[:500],
        lat=lat,
        lon=lon,
        commune_id=location.commune.id,
        legacy_district_id=location.legacy_district.id if location.legacy_district else None,
        attributes=answers,
        media_url=media_url[:500],
        status=routed_status,
        agency=agency,
        reporter=reporter,
        reporter_name=clean_text(reporter_name)[:150],
        reporter_phone=clean_text(reporter_phone)[:30],
        reporter_email=reporter_email[:254],
        is_anonymous=is_anonymous,
        source=source,
        submitted_ip=ip,
        device_id=device_id[:100],
        published=found.is_public if found else True,
        received_at=received_at,
        suggested_category=suggested_category,
        suggestion_confidence=suggestion_confidence,
    )
    report.due_at = _deadline(found, received_at)
    report.expected_at = report.due_at
    figures.refresh_flags(report)
    actor_user = _actor_user(actor) or reporter
    submitted = timeline_event(
        target=report,
        actor=actor_user,
        actor_label="" if reporter or isinstance(actor, User) else _actor_label(actor),
        verb="submitted",
        to_state=ReportStatus.NEW,
        data={"source": report.source, "photos": len(checked_photos)},
    )
    routed = timeline_event(
        target=report,
        verb=_verb_for(ReportStatus.NEW, report.status),
        from_state=ReportStatus.NEW,
        to_state=report.status,
        data={"agency": agency.code} if agency else {},
    )
    return intake.submit(
        intake.Submission(
            report=report,
            events=[submitted, routed],
            # Kept privately until the worker re-encodes them (images.py).
            photo_names=[pending_save(photo.content) for photo in checked_photos],
            photo_user_id=reporter.pk if reporter else None,
            replayed_at=replayed_at,
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


# -- the workflow ----------------------------------------------------------------------------


@transaction.atomic
def report_transition(
    *,
    report: Report,
    to_status: str,
    actor: Actor,
    reason: str = "",
    agency: Agency | None = None,
    reject_reason: str = "",
    verb: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Report:
    """Move the report to `to_status` if the workflow table allows it and the actor may
    act on it; record who, when, from, to and why on the timeline.

    `agency`: the responsible agency after a move to assigned (assignment or transfer).
    `at`: when it happened, to replay a history (imports, demo data); default now.
    Raises IllegalTransition, PermissionDenied, ValidationError.
    """
    report = Report.objects.select_for_update().get(pk=report.pk)
    from_status = report.status
    _check_can_act(report, actor)
    REPORT_WORKFLOW.check(from_status, to_status)
    now = at or timezone.now()
    details = dict(data or {})
    if to_status == ReportStatus.ASSIGNED:
        if agency is None:
            raise ValidationError({"agency": _("Name the agency responsible.")})
        if from_status == ReportStatus.ASSIGNED and agency.pk == report.agency_id:
            raise ValidationError({"agency": _("The report is already with this agency.")})
        details["agency"] = agency.code
        if report.agency is not None:
            details["from_agency"] = report.agency.code
        report.agency = agency
    elif to_status == ReportStatus.TRIAGE:
        if report.agency is not None:
            details["from_agency"] = report.agency.code
        report.agency = None
    elif to_status == ReportStatus.REJECTED:
        if reject_reason not in RejectReason.values():
            raise ValidationError(
                {
                    "reason": _("Give a reason: one of %(reasons)s.")
                    % {"reasons": ", ".join(RejectReason.values())}
                }
            )
        report.reject_reason = reject_reason
        details["reject_reason"] = reject_reason
        if reject_reason == RejectReason.SPAM:
            report.published = False
    if to_status == ReportStatus.RESOLVED:
        report.resolved_at = now
    if to_status == ReportStatus.CLOSED:
        report.closed_at = now
    if to_status in (ReportStatus.RESOLVED, ReportStatus.REJECTED) and report.completed_at is None:
        report.completed_at = now
        report.completed_on_time = report.due_at is None or now <= report.due_at
    if to_status == ReportStatus.REOPENED:
        if report.merged_into is not None:
            # Reopening a merged duplicate undoes the merge: it is handled on its own again.
            details["unmerged_from"] = report.merged_into.tracking_code
            report.merged_into = None
        report.reject_reason = ""
        report.closed_at = None
        report.escalated_at = None
        report.due_at = _deadline(report.category, now)
        report.expected_at = report.due_at
        details["due_at"] = report.due_at.isoformat()
    report.status = to_status
    figures.refresh_flags(report)
    report.save()
    figures.report_written(report)
    _record(
        at,
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb=verb or _verb_for(from_status, to_status),
        from_state=from_status,
        to_state=to_status,
        reason=reason,
        data=details,
    )
    notifications.schedule(
        report=report, event=WebhookEvent.STATUS_CHANGED, from_status=from_status
    )
    return report


def _verb_for(from_status: str, to_status: str) -> str:
    match (from_status, to_status):
        case (ReportStatus.NEW, ReportStatus.ASSIGNED):
            return "routed"
        case (ReportStatus.TRIAGE, ReportStatus.ASSIGNED):
            return "assigned"
        case (_, ReportStatus.ASSIGNED) | (_, ReportStatus.TRIAGE) if from_status != "new":
            return "transferred"
        case (_, ReportStatus.IN_PROGRESS):
            return "started"
        case _:
            return to_status


def report_assign(
    *, report: Report, agency: Agency, actor: Actor, reason: str = "", at: datetime | None = None
) -> Report:
    """An operator gives a report of the triage queue to an agency."""
    _check_operator(actor)
    return report_transition(
        report=report,
        to_status=ReportStatus.ASSIGNED,
        actor=actor,
        agency=agency,
        reason=reason,
        at=at,
    )


def report_transfer(
    *,
    report: Report,
    agency: Agency | None,
    reason: str,
    actor: Actor,
    at: datetime | None = None,
) -> Report:
    """The responsible agency (or an operator) hands the report to another agency, or back
    to the operators' triage queue (`agency=None`), saying why."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the report is transferred.")})
    if agency is None:
        return report_transition(
            report=report, to_status=ReportStatus.TRIAGE, actor=actor, reason=reason, at=at
        )
    return report_transition(
        report=report,
        to_status=ReportStatus.ASSIGNED,
        actor=actor,
        agency=agency,
        reason=reason,
        at=at,
    )


def report_start(*, report: Report, actor: Actor, at: datetime | None = None) -> Report:
    return report_transition(report=report, to_status=ReportStatus.IN_PROGRESS, actor=actor, at=at)


@transaction.atomic
def report_answer(
    *,
    report: Report,
    text: str,
    actor: Actor,
    public: bool = True,
    at: datetime | None = None,
) -> ReportAnswer:
    """A public answer to the citizen, or (public=False) an internal note."""
    _check_can_act(report, actor)
    text = clean_text(text)
    if not text:
        raise ValidationError({"text": _("Write the answer.")})
    if len(text) > MAX_DESCRIPTION:
        raise ValidationError(
            {"text": _("The text is too long (at most %(max)s).") % {"max": MAX_DESCRIPTION}}
        )
    user = _actor_user(actor)
    answer = ReportAnswer.objects.create(
        report=report,
        is_public=public,
        text=text,
        author=user,
        author_label=_actor_label(actor),
        agency=(user.agency if user else getattr(actor, "agency", None)) or report.agency,
    )
    if at is not None:
        ReportAnswer.objects.filter(pk=answer.pk).update(created_at=at)
        answer.created_at = at
    _record(
        at,
        target=report,
        actor=user,
        actor_label=_actor_label(actor),
        verb="answered" if public else "noted",
        data={"answer": answer.pk},
    )
    if public:
        notifications.schedule(report=report, event=WebhookEvent.ANSWERED, answer=answer)
    return answer


@transaction.atomic
def report_resolve(
    *,
    report: Report,
    answer: str,
    actor: Actor,
    proof_photos: Sequence[IO[bytes] | bytes] = (),
    at: datetime | None = None,
) -> Report:
    """Mark the report resolved with a public answer and optional proof-of-fix photos."""
    clean = _clean_photos(proof_photos, "proof_photos")
    if not clean_text(answer):
        raise ValidationError({"answer": _("Tell the citizen what was done.")})
    report = report_transition(report=report, to_status=ReportStatus.RESOLVED, actor=actor, at=at)
    _save_photos(report, clean, PhotoKind.PROOF, _actor_user(actor))
    report_answer(report=report, text=answer, actor=actor, public=True, at=at)
    return report


def report_reject(
    *, report: Report, reason: str, note: str = "", actor: Actor, at: datetime | None = None
) -> Report:
    """Reject with a reason of RejectReason (duplicate, out of scope, ...)."""
    return report_transition(
        report=report,
        to_status=ReportStatus.REJECTED,
        actor=actor,
        reject_reason=reason,
        reason=clean_text(note),
        at=at,
    )


def report_reopen(
    *, report: Report, reason: str, actor: Actor, at: datetime | None = None
) -> Report:
    """Send a resolved, closed or rejected report back to its agency (or to triage)."""
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why the report is reopened.")})
    return report_transition(
        report=report, to_status=ReportStatus.REOPENED, actor=actor, reason=reason, at=at
    )


def report_close(
    *, report: Report, actor: Actor, reason: str = "", at: datetime | None = None
) -> Report:
    return report_transition(
        report=report, to_status=ReportStatus.CLOSED, actor=actor, reason=reason, at=at
    )


@transaction.atomic
def report_rate(
    *,
    report: Report,
    rating: int,
    comment: str = "",
    actor: Actor = None,
    at: datetime | None = None,
) -> Report:
    """The citizen rates the result of a resolved report: 3-5 stars close it; 1-2 send it
    back for review (reopened) instead of closing it silently."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.RESOLVED:
        raise IllegalTransition(
            _("Only a resolved report can be rated; this one is “%(status)s”.")
            % {"status": ReportStatus.label(report.status)}
        )
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Give a rating from 1 to 5 stars.")})
    comment = clean_text(comment)
    if len(comment) > MAX_DESCRIPTION:
        raise ValidationError({"comment": _("The comment is too long.")})
    report.rating, report.rating_comment = rating, comment
    report.rated_at = at or timezone.now()
    figures.refresh_flags(report)
    fields = ["rating", "rating_comment", "rated_at", "updated_at", *figures.FLAG_FIELDS]
    report.save(update_fields=fields)
    figures.report_written(report)
    _record(
        at,
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor) if actor else "citizen",
        verb="rated",
        data={"rating": rating},
    )
    notifications.schedule(report=report, event=WebhookEvent.RATED)
    if rating <= LOW_RATING_MAX:
        return report_transition(
            report=report,
            to_status=ReportStatus.REOPENED,
            actor=None,
            reason=_("The citizen rated the result %(rating)s/5: %(comment)s")
            % {"rating": rating, "comment": comment or "—"},
            verb="reopened_by_rating",
            at=at,
        )
    return report_transition(
        report=report, to_status=ReportStatus.CLOSED, actor=None, verb="closed_by_rating", at=at
    )


@transaction.atomic
def report_merge(*, report: Report, into: Report, actor: Actor) -> Report:
    """Merge a duplicate into another report: the duplicate is rejected as such and keeps
    its reporter, who is told (with every other) when the main report is resolved."""
    if report.pk == into.pk:
        raise ValidationError({"into": _("A report cannot be merged into itself.")})
    if into.merged_into_id:
        raise ValidationError(
            {"into": _("Report %(code)s is itself merged.") % {"code": into.tracking_code}}
        )
    if into.status not in ReportStatus.OPEN | {ReportStatus.RESOLVED}:
        raise ValidationError(
            {"into": _("Report %(code)s is no longer open.") % {"code": into.tracking_code}}
        )
    _check_can_act(into, actor)
    report = report_transition(
        report=report,
        to_status=ReportStatus.REJECTED,
        actor=actor,
        reject_reason=RejectReason.DUPLICATE,
        reason=into.tracking_code,
        verb="merged",
        data={"into": into.tracking_code},
    )
    report.merged_into = into
    report.save(update_fields=["merged_into", "updated_at"])
    # Reports merged earlier into the duplicate follow it to the main report.
    Report.objects.filter(merged_into=report).update(merged_into=into)
    timeline_record(
        target=into,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="duplicate_merged",
        data={"duplicate": report.tracking_code},
    )
    return report


# -- deadline extensions -----------------------------------------------------------------------


@transaction.atomic
def report_request_extension(
    *, report: Report, until: datetime, reason: str, actor: Actor
) -> ExtensionRequest:
    """The responsible agency asks for a later deadline; its head or an operator decides."""
    _check_can_act(report, actor)
    if report.status not in ReportStatus.WORKING:
        raise IllegalTransition(
            _("An extension can only be asked while the report is being handled.")
        )
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": _("Say why more time is needed.")})
    if timezone.is_naive(until):
        raise ValidationError({"until": _("Give the date with its time zone.")})
    if report.due_at and until <= report.due_at:
        raise ValidationError({"until": _("The new deadline must be later than the current one.")})
    if report.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError({"until": _("An extension request is already waiting.")})
    extension = ExtensionRequest.objects.create(
        report=report,
        reason=reason,
        previous_due_at=report.due_at,
        requested_due_at=until,
        requested_by=_actor_user(actor),
    )
    timeline_record(
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="extension_requested",
        to_state="",
        reason=reason,
        data={"extension": extension.pk, "until": until.isoformat()},
    )
    return extension


def _check_can_decide(extension: ExtensionRequest, actor: Actor) -> None:
    """The head of the responsible agency (or above), an operator or an administrator."""
    if actor is None or (isinstance(actor, ApiKey) and actor.agency_id is None):
        return
    if isinstance(actor, User) and (
        actor.is_admin_role
        or actor.role == Role.OPERATOR
        or (actor.role == Role.AGENCY_HEAD and extension.report.agency_id in actor._agency_ids())
    ):
        return
    raise PermissionDenied(_("Only the agency's head or an operator decides on extensions."))


@transaction.atomic
def report_decide_extension(
    *, extension: ExtensionRequest, approve: bool, actor: Actor, note: str = ""
) -> ExtensionRequest:
    extension = (
        ExtensionRequest.objects.select_for_update().select_related("report").get(pk=extension.pk)
    )
    target = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    EXTENSION_WORKFLOW.check(extension.status, target)
    _check_can_decide(extension, actor)
    extension.status = target
    extension.decided_by = _actor_user(actor)
    extension.decided_at = timezone.now()
    extension.decision_note = clean_text(note)
    extension.save()
    report = extension.report
    if approve:
        report.due_at = extension.requested_due_at
        report.expected_at = extension.requested_due_at
        report.escalated_at = None
        figures.refresh_flags(report)
        fields = ["due_at", "expected_at", "escalated_at", "updated_at", *figures.FLAG_FIELDS]
        report.save(update_fields=fields)
        figures.report_written(report)
    timeline_record(
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb=f"extension_{target}",
        reason=extension.decision_note,
        data={
            "extension": extension.pk,
            "due_at": report.due_at.isoformat() if report.due_at else None,
        },
    )
    notifications.schedule_extension_decided(extension)
    return extension


# -- escalation ---------------------------------------------------------------------------------


def report_escalate(*, report: Report, now: datetime | None = None) -> bool:
    """Mark an overdue report escalated and tell the agency's heads and the operators;
    once per report (until a new deadline). Returns whether it escalated now."""
    now = now or timezone.now()
    with transaction.atomic():
        updated = Report.objects.filter(
            pk=report.pk,
            escalated_at=None,
            status__in=sorted(ReportStatus.OPEN),
            due_at__lt=now,
        ).update(escalated_at=now, updated_at=now)
        if not updated:
            return False
        report.refresh_from_db()
        timeline_record(
            target=report,
            verb="escalated",
            data={"due_at": report.due_at.isoformat() if report.due_at else None},
        )
        notifications.schedule(report=report, event=WebhookEvent.ESCALATED)
    return True


def reports_escalate_overdue(*, now: datetime | None = None) -> int:
    """Escalate every overdue report not yet escalated; returns how many."""
    from ioc.reports.selectors import reports_to_escalate

    return sum(report_escalate(report=report, now=now) for report in reports_to_escalate(now=now))


def reports_close_unrated(*, days: int = 7, now: datetime | None = None) -> int:
    """Close resolved reports the citizen has not rated within `days` days; returns how
    many. (A later rating of a closed report is no longer possible.)"""
    now = now or timezone.now()
    stale = Report.objects.filter(
        status=ReportStatus.RESOLVED, resolved_at__lt=now - timedelta(days=days)
    )
    count = 0
    for report in stale:
        report_transition(
            report=report,
            to_status=ReportStatus.CLOSED,
            actor=None,
            verb="closed_unrated",
            reason=_("Not rated within %(days)s days.") % {"days": days},
        )
        count += 1
    return count


def report_personal_data_viewed(*, report: Report, actor: Actor) -> None:
    """Log that a staff member or client saw the reporter's contact details (Decree
    13/2023): a timeline entry that the public timeline leaves out."""
    timeline_record(
        target=report,
        actor=_actor_user(actor),
        actor_label=_actor_label(actor),
        verb="personal_data_viewed",
    )


# -- staff edits --------------------------------------------------------------------------------


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
