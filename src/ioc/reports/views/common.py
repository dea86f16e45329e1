"""What the field-reports pages share: colours, labels, the map, timeline rows and photos."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy

from ioc.reports import selectors
from ioc.reports.choices import (
    PhotoKind,
    ReportStatus,
)
from ioc.reports.models import Report

# Bootstrap's contextual colours as hex, for map markers (the palette of the choices).
COLOUR_HEX = {
    "primary": "#0d6efd",
    "secondary": "#6c757d",
    "success": "#198754",
    "danger": "#dc3545",
    "warning": "#e0a800",
    "info": "#0aa2c0",
    "light": "#adb5bd",
    "dark": "#212529",
}
PUBLIC_PAGE_SIZE = 30
QUEUE_PAGE_SIZE = 50
EXPORT_LIMIT = 20_000
# Timeline verbs as the citizen and the staff read them.
VERB_LABELS = {
    "submitted": gettext_lazy("Report received"),
    "routed": gettext_lazy("Sent to the responsible agency"),
    "assigned": gettext_lazy("Assigned to an agency"),
    "transferred": gettext_lazy("Transferred"),
    "started": gettext_lazy("Work started"),
    "triage": gettext_lazy("Waiting for the operators to choose the agency"),
    "resolved": gettext_lazy("Resolved"),
    "closed": gettext_lazy("Closed"),
    "closed_by_rating": gettext_lazy("Closed after the citizen's rating"),
    "closed_unrated": gettext_lazy("Closed (not rated in time)"),
    "rejected": gettext_lazy("Rejected"),
    "merged": gettext_lazy("Merged into another report"),
    "reopened": gettext_lazy("Reopened"),
    "reopened_by_rating": gettext_lazy("Sent back for review after a low rating"),
    "rated": gettext_lazy("Rated by the citizen"),
    "answered": gettext_lazy("Public answer"),
    "noted": gettext_lazy("Internal note"),
    "escalated": gettext_lazy("Overdue: escalated to the agency head and the operators"),
    "extension_requested": gettext_lazy("More time requested"),
    "extension_approved": gettext_lazy("Extension approved"),
    "extension_refused": gettext_lazy("Extension refused"),
    "personal_data_viewed": gettext_lazy("Reporter's contact details viewed"),
    "updated": gettext_lazy("Details changed"),
    "duplicate_merged": gettext_lazy("A duplicate was merged into this report"),
    "photo_refused": gettext_lazy("A photo could not be read and was left out"),
}
PUBLIC_REASON_VERBS = frozenset({"rejected", "reopened", "reopened_by_rating", "merged"})


def _language() -> str:
    return "en" if (get_language() or "").startswith("en") else "vi"


def _map_settings() -> dict:
    return {
        "map_tile_url": settings.IOC_MAP_TILE_URL,
        "map_tile_attribution": settings.IOC_MAP_TILE_ATTRIBUTION,
    }


def _timeline_rows(report: Report, *, public: bool) -> list[dict]:
    rows = []
    for event in selectors.report_timeline(report=report, public=public):
        label = VERB_LABELS.get(event.verb)
        if label is None:
            label = ReportStatus.label(event.to_state) if event.to_state else event.verb
        show_reason = not public or event.verb in PUBLIC_REASON_VERBS
        rows.append(
            {
                "at": event.created_at,
                "verb": event.verb,
                "label": label,
                "to_status": event.to_state,
                "colour": ReportStatus.colour(event.to_state) if event.to_state else "secondary",
                "reason": event.reason if show_reason else "",
                "actor": "" if public else (event.actor or event.actor_label or ""),
            }
        )
    return rows


def _photos(report: Report, *, code: str = "") -> list[dict]:
    suffix = f"?code={code}" if code else ""
    return [
        {
            "url": reverse("reports:photo", args=[photo.pk]) + suffix,
            "kind": photo.kind,
            "proof": photo.kind == PhotoKind.PROOF,
        }
        for photo in report.photos.all()
    ]


def _status_legend() -> list[dict]:
    return [
        {"value": value, "label": label, "colour": colour, "hex": COLOUR_HEX[colour]}
        for value, label, colour in ReportStatus.CHOICES
        if value != ReportStatus.NEW
    ]


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(" ".join(m) for m in error.message_dict.values())
        return " ".join(error.messages)
    return str(error)
