"""Citizen field reports (phản ánh hiện trường): categories, routing, reports and their work."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ioc.core.access import AccessPolicy, RestrictedQuerySet
from ioc.reports.choices import (
    AttributeDatatype,
    DeadlineUnit,
    ExtensionStatus,
    PhotoKind,
    Priority,
    RejectReason,
    ReportSource,
    ReportStatus,
)


class Category(models.Model):
    """A field (lĩnh vực) citizens report about; its code is the Open311 service_code."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    group = models.CharField(_("group (Vietnamese)"), max_length=100, blank=True)
    group_en = models.CharField(_("group (English)"), max_length=100, blank=True)
    description = models.TextField(_("description (Vietnamese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    deadline_amount = models.PositiveIntegerField(_("deadline"), default=5)
    deadline_unit = models.CharField(
        _("deadline unit"), max_length=20, choices=DeadlineUnit, default=DeadlineUnit.WORKING_DAYS
    )
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Citizens may choose it and its reports are published."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    keywords = models.CharField(
        _("keywords"), max_length=500, blank=True, help_text=_("Comma-separated.")
    )
    order = models.PositiveIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    # Public categories are public knowledge; only administrators edit the list.
    access_policy = AccessPolicy(
        public=Q(is_public=True, is_active=True),
        admin_actions=frozenset({"add", "change", "delete"}),
    )

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    def display_name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name

    def display_group(self, language: str) -> str:
        return self.group_en if language == "en" and self.group_en else self.group

    def display_description(self, language: str) -> str:
        return self.description_en if language == "en" and self.description_en else self.description

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class CategoryAttribute(models.Model):
    """An extra question of a category: an Open311 service definition attribute."""

    category = models.ForeignKey(
        Category, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("category")
    )
    code = models.SlugField(_("code"), max_length=50)
    variable = models.BooleanField(
        _("asks for a value"), default=True, help_text=_("Off: an information text only.")
    )
    datatype = models.CharField(
        _("datatype"), max_length=20, choices=AttributeDatatype, default=AttributeDatatype.STRING
    )
    required = models.BooleanField(_("required"), default=False)
    description = models.CharField(_("question (Vietnamese)"), max_length=500)
    description_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    datatype_description = models.CharField(_("hint"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("order"), default=1)
    # [{"key": "...", "name": "..."}] for the list datatypes.
    values = models.JSONField(_("values"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category attribute")
        verbose_name_plural = _("category attributes")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_code_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.category.code}.{self.code}"

    @property
    def value_keys(self) -> list[str]:
        return [str(value.get("key")) for value in self.values]


class AnswerTemplate(models.Model):
    """A ready answer staff may start from, per category (or for every category)."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="answer_templates",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title


class RoutingRule(models.Model):
    """Category x area -> responsible agency. An empty category or area matches any; the
    most specific matching rule wins (see selectors.routing_resolve)."""

    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
        verbose_name=_("category"),
    )
    unit = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("A current commune, a legacy district or the province; empty: anywhere."),
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="routing_rules",
        verbose_name=_("responsible agency"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["category", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "unit"],
                condition=Q(is_active=True),
                name="one_active_rule_per_category_and_area",
            )
        ]

    def __str__(self) -> str:
        category = self.category.code if self.category else "*"
        unit = self.unit.code if self.unit else "*"
        return f"{category} x {unit} → {self.agency}"


# The columns the figures read row by row (ioc.reports.figures), in two covering indexes.
FIGURES_SCAN_FIELDS = [
    "received_at",
    "completed_at",
    "completed_on_time",
    "due_at",
    "rated_at",
    "rating",
    "completion_bucket",
    "commune",
    "legacy_district",
    "category",
    "agency",
]


FIGURES_CELL_FIELDS = {
    "received_at",
    "commune_id",
    "legacy_district_id",
    "category_id",
    "agency_id",
}


class Report(models.Model):
    """One citizen report. Reporter's name, phone and e-mail are personal data: they never
    appear in a public page or API."""

    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("category"),
        db_index=False,  # covered by the index (category, status, received_at)
    )
    suggested_category = models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("suggested category"),
        db_index=False,  # a partial index (Meta): most reports have none
    )
    suggestion_confidence = models.FloatField(_("suggestion confidence"), null=True, blank=True)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=500, blank=True)
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    commune = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
        db_index=False,  # covered by the index (commune, received_at)
    )
    legacy_district = models.ForeignKey(
        "geo.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("district (before 1 July 2025)"),
        db_index=False,  # covered by (legacy_district, received_at)
    )
    attributes = models.JSONField(_("answers to the category's questions"), default=dict)
    # A photo an Open311 client published elsewhere (we do not fetch it).
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus, default=ReportStatus.NEW
    )
    reject_reason = models.CharField(
        _("reason for rejection"), max_length=30, choices=RejectReason, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority, default=Priority.NORMAL
    )
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("responsible agency"),
        db_index=False,  # covered by the index (agency, status)
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
        verbose_name=_("reporter account"),
        db_index=False,  # a partial index (Meta): most reports have none
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=30, blank=True)
    reporter_email = models.EmailField(_("reporter's e-mail"), blank=True)
    is_anonymous = models.BooleanField(
        _("anonymous"), default=False, help_text=_("The reporter asked not to be named.")
    )
    source = models.CharField(
        _("channel"), max_length=20, choices=ReportSource, default=ReportSource.WEB
    )
    # Kept to limit the rate of anonymous submissions (counted in the database).
    submitted_ip = models.GenericIPAddressField(_("submitted from"), null=True, blank=True)
    device_id = models.CharField(_("device"), max_length=100, blank=True)
    published = models.BooleanField(_("published"), default=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_reports",
        verbose_name=_("merged into"),
        db_index=False,  # a partial index (Meta): most reports have none
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set by the first move to resolved or rejected and never changed afterwards, so that
    # the figures of a past period do not drift (selectors.report_stats).
    completed_at = models.DateTimeField(_("first completed"), null=True, blank=True)
    completed_on_time = models.BooleanField(_("completed on time"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Kept by ioc.reports.figures at every write (docs/reports.md, "Figures at scale"):
    # an event (completion, rating, deadline) more than figures.LATE_AFTER after receipt,
    # and the histogram bucket of the time to first completion.
    has_late_event = models.BooleanField(default=False, editable=False)
    completion_bucket = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)

    objects = RestrictedQuerySet.as_manager()
    # Agency staff see and act on their agency's reports (heads also their sub-agencies'),
    # operators all; citizens see their own and the published ones, anonymous visitors
    # the published ones. Leaders read everything and act on nothing.
    access_policy = AccessPolicy(
        agency="agency_id",
        manager="agency_id",
        owner="reporter_id",
        public=Q(published=True),
        relations={"change": ("agency", "manager")},
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="report_coordinates_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["agency", "status"]),
            models.Index(fields=["category", "status", "received_at"]),
            models.Index(fields=["commune", "received_at"]),
            models.Index(fields=["legacy_district", "received_at"]),
            models.Index(fields=["lat", "lon"]),
            models.Index(fields=["submitted_ip", "received_at"]),
            models.Index(fields=["device_id", "received_at"]),
            # Foreign keys that most reports leave empty: indexed where set, so that an
            # INSERT of a report without them writes no page of these indexes.
            *(
                models.Index(
                    fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"report_{name}"
                )
                for name in ("reporter", "suggested_category", "merged_into")
            ),
            # Covers the figures of recent days read row by row (ioc.reports.figures).
            models.Index(
                fields=FIGURES_SCAN_FIELDS,
                name="report_figures_scan",
            ),
            # The flag too, although the condition fixes it: SQLite reads an index as
            # covering only if it holds every column the query names.
            models.Index(
                fields=[*FIGURES_SCAN_FIELDS, "has_late_event"],
                condition=Q(has_late_event=True),
                name="report_late_events",
            ),
            # Open reports by deadline: the overdue of a period ending today.
            models.Index(
                fields=["due_at", "received_at", "has_late_event", *FIGURES_SCAN_FIELDS[7:]],
                condition=Q(completed_at__isnull=True),
                name="report_open_due",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        report = super().from_db(db, field_names, values, **kwargs)
        # The figures cell the report was counted in, to recount it if the report moves
        # (not for a partial read: .only() and .defer() would fetch the missing fields).
        if not report.get_deferred_fields() & FIGURES_CELL_FIELDS:
            report._figures_cell = report.figures_cell()
        return report

    def figures_cell(self) -> tuple:
        """What decides the summary row the report is counted in (its month of receipt and
        four dimensions); figures.key_of_cell turns it into the row's key. Kept from the
        load as a plain tuple: formatting the key for every report loaded (lists,
        exports) cost more than the rare move that needs it."""
        return (
            self.received_at,
            self.commune_id,
            self.legacy_district_id,
            self.category_id,
            self.agency_id,
        )

    @property
    def is_open(self) -> bool:
        return self.status in ReportStatus.OPEN

    @property
    def status_colour(self) -> str:
        return ReportStatus.colour(self.status)


class ReportPhoto(models.Model):
    """A photo of a report, re-encoded as JPEG on upload (so no EXIF, no GPS trace)."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="photos", verbose_name=_("report")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PhotoKind, default=PhotoKind.CITIZEN)
    image = models.ImageField(_("image"), upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {self.kind} #{self.pk}"


class ReportAnswer(models.Model):
    """A public answer to the citizen, or an internal note among staff."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="answers", verbose_name=_("report")
    )
    is_public = models.BooleanField(_("public answer"), default=True)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    author_label = models.CharField(_("author label"), max_length=150, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("agency"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} {'public' if self.is_public else 'internal'} #{self.pk}"


class ExtensionRequest(models.Model):
    """An agency's request for more time on a report, decided by its head or an operator."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="extensions", verbose_name=_("report")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExtensionStatus, default=ExtensionStatus.PENDING
    )
    reason = models.TextField(_("reason"))
    previous_due_at = models.DateTimeField(_("previous deadline"), null=True, blank=True)
    requested_due_at = models.DateTimeField(_("requested deadline"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline extension request")
        verbose_name_plural = _("deadline extension requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(status=ExtensionStatus.PENDING),
                name="one_pending_extension_per_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} → {self.requested_due_at:%Y-%m-%d} ({self.status})"


class WebhookSubscription(models.Model):
    """An outside system told of report events by a signed POST (HMAC-SHA256 of the body)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128)
    # Empty: every event (choices.WebhookEvent).
    events = models.JSONField(_("events"), default=list, blank=True)
    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("only reports of agency"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str, agency_id: int | None) -> bool:
        if self.events and event not in self.events:
            return False
        return self.agency_id is None or self.agency_id == agency_id


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one subscription; kept for audit and retries."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=50)
    payload = models.JSONField(_("payload"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    error = models.TextField(_("error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class ReportFigures(models.Model):
    """Figures of the reports received in one month with the same commune, legacy district,
    category and agency (a cell; level 0), counting only reports with no late event
    (has_late_event False): every event of those happens within figures.LATE_AFTER of
    receipt. Roll-ups of a month's cells (levels 1-5) serve the figures with no filter.
    Kept in the same transaction as each report write (ioc.reports.figures); counted
    afresh by `ioc reports_figures --rebuild`."""

    key = models.CharField(max_length=80, unique=True)
    # 0: one cell; 1: the month's total; 2-5: per commune, legacy district, category, agency.
    level = models.PositiveSmallIntegerField(default=0)
    month = models.DateField()
    commune = models.ForeignKey(
        "geo.AdminUnit", null=True, on_delete=models.CASCADE, related_name="+"
    )
    legacy_district = models.ForeignKey(
        "geo.AdminUnit", null=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(Category, null=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        "accounts.Agency", null=True, on_delete=models.CASCADE, related_name="+"
    )
    received = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    completed_on_time = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    ratings = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    # Completed in the month of receipt, the next one, the one after (trend charts).
    completed_m0 = models.PositiveIntegerField(default=0)
    completed_m1 = models.PositiveIntegerField(default=0)
    completed_m2 = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["level", "month"], name="report_figures_month"),
            models.Index(fields=["commune", "month"], name="report_figures_commune"),
            models.Index(fields=["legacy_district", "month"], name="report_figures_district"),
            models.Index(fields=["category", "month"], name="report_figures_category"),
            models.Index(fields=["agency", "month"], name="report_figures_agency"),
        ]

    def __str__(self) -> str:
        return self.key


# Completed reports per bucket of hours to completion (figures.HOUR_EDGES): h0, h1, ...
for _bucket in range(22):
    ReportFigures.add_to_class(f"h{_bucket}", models.PositiveIntegerField(default=0))
# The figures as they stood at the end of the month of receipt (_a) and of the next (_b).
for _suffix in ("_a", "_b"):
    for _name in ("completed", "completed_on_time", "overdue", "ratings", "satisfied"):
        ReportFigures.add_to_class(f"{_name}{_suffix}", models.PositiveIntegerField(default=0))
