"""A report's submission: checked, located, routed, given its deadline and
timeline, then written by intake.submit."""

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from ioc.accounts.models import ApiKey, User
from ioc.core.services import timeline_event
from ioc.geo.selectors import locate
from ioc.reports import figures, intake, reference
from ioc.reports.choices import REPORT_WORKFLOW, ReportSource, ReportStatus
from ioc.reports.images import pending_save
from ioc.reports.models import Category, Report
from ioc.reports.services.common import (
    MAX_DESCRIPTION,
    Actor,
    _actor_label,
    _actor_user,
    _check_photos,
    _check_rate,
    _clean_attributes,
    _deadline,
    _resolve_category,
    clean_text,
)
from ioc.reports.services.workflow import _verb_for


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
