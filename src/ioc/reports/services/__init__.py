"""Writes of field reports: submission, the workflow's moves, answers, ratings, merges,
extensions, escalation; categories and routing rules.

Every function is keyword-only, runs in one transaction, records the timeline and sends
e-mails and webhooks only after the commit. `actor` is a User, an ApiKey (a machine
client acting for its agency, or for the whole deployment when it has none) or None (the
system itself: routing, escalation).

The package's modules: `common.py` (who may act, the timeline, clean text, photos,
deadlines), `submission.py` (with the rate limit, the category's questions and suggestion,
the publication of the uploads), `workflow.py`, `deadlines.py` (extensions,
escalation, closing unrated reports), `edits.py` (staff edits and views of personal data,
categories, routing rules).
Import from the package: `from ioc.reports import services`.
"""

from ioc.reports.services.common import (
    DEFAULT_DEADLINE_DAYS,
    LOW_RATING_MAX,
    MAX_DESCRIPTION,
    MAX_PHOTOS,
    Actor,
    clean_text,
)
from ioc.reports.services.deadlines import (
    report_decide_extension,
    report_escalate,
    report_request_extension,
    reports_close_unrated,
    reports_escalate_overdue,
)
from ioc.reports.services.edits import (
    category_attribute_create,
    category_create,
    report_personal_data_viewed,
    report_update,
    routing_rule_create,
)
from ioc.reports.services.submission import (
    RateLimited,
    category_suggestion,
    report_photos_publish,
    report_submit,
)
from ioc.reports.services.workflow import (
    report_answer,
    report_assign,
    report_close,
    report_merge,
    report_rate,
    report_reject,
    report_reopen,
    report_resolve,
    report_start,
    report_transfer,
    report_transition,
)

__all__ = [
    "DEFAULT_DEADLINE_DAYS",
    "LOW_RATING_MAX",
    "MAX_DESCRIPTION",
    "MAX_PHOTOS",
    "Actor",
    "RateLimited",
    "category_attribute_create",
    "category_create",
    "category_suggestion",
    "clean_text",
    "report_answer",
    "report_assign",
    "report_close",
    "report_decide_extension",
    "report_escalate",
    "report_merge",
    "report_personal_data_viewed",
    "report_photos_publish",
    "report_rate",
    "report_reject",
    "report_reopen",
    "report_request_extension",
    "report_resolve",
    "report_start",
    "report_submit",
    "report_transfer",
    "report_transition",
    "report_update",
    "reports_close_unrated",
    "reports_escalate_overdue",
    "routing_rule_create",
]
