"""Data sets (forms per agency and period, with a deadline and an optional period lock),
their reports (submission, timeliness, approval) and unlocks of closed periods (issue 4)."""

import django.core.validators
import django.db.models.deletion
import ioc.core.periods
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_attempt_ip_index"),
        ("indicators", "0002_seed_sectors"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        max_length=50,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z0-9_\\-]+$",
                                "Use letters, digits, “_” and “-” only (no spaces).",
                            )
                        ],
                        verbose_name="code",
                    ),
                ),
                ("name", models.CharField(max_length=255, verbose_name="name (Vietnamese)")),
                (
                    "name_en",
                    models.CharField(blank=True, max_length=255, verbose_name="name (English)"),
                ),
                (
                    "period_type",
                    models.CharField(
                        choices=[
                            ("DAILY", "Daily"),
                            ("WEEKLY", "Weekly"),
                            ("MONTHLY", "Monthly"),
                            ("QUARTERLY", "Quarterly"),
                            ("SIX_MONTHLY", "Six-monthly"),
                            ("YEARLY", "Yearly"),
                        ],
                        default=ioc.core.periods.PeriodType["MONTHLY"],
                        max_length=20,
                        verbose_name="period type",
                    ),
                ),
                (
                    "deadline_days",
                    models.PositiveSmallIntegerField(
                        default=15,
                        help_text="Reports submitted up to this many days after the end of the period are on time.",
                        verbose_name="deadline (days after the period)",
                    ),
                ),
                (
                    "lock_days",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="A period's values can no longer change this many days after its deadline, unless an approver unlocks it for a unit. Empty: never.",
                        null=True,
                        verbose_name="lock (days after the deadline)",
                    ),
                ),
                (
                    "approval_required",
                    models.BooleanField(
                        default=True,
                        help_text="The agency's head approves each report, which locks its values.",
                        verbose_name="approval required",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="active")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="data_sets",
                        to="accounts.agency",
                        verbose_name="reporting agency",
                    ),
                ),
                (
                    "indicators",
                    models.ManyToManyField(
                        limit_choices_to={"numerator": ""},
                        related_name="data_sets",
                        to="indicators.indicator",
                        verbose_name="indicators",
                    ),
                ),
                (
                    "org_units",
                    models.ManyToManyField(
                        blank=True,
                        related_name="data_sets",
                        to="indicators.orgunit",
                        verbose_name="reporting units",
                    ),
                ),
            ],
            options={
                "verbose_name": "data set",
                "verbose_name_plural": "data sets",
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="DataSetReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=20, verbose_name="period")),
                (
                    "status",
                    models.CharField(
                        choices=[("submitted", "Submitted"), ("approved", "Approved and locked")],
                        default="submitted",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("deadline", models.DateField(verbose_name="deadline")),
                ("submitted_at", models.DateTimeField(verbose_name="submitted")),
                ("submitted_by", models.CharField(max_length=150, verbose_name="submitted by")),
                ("on_time", models.BooleanField(verbose_name="on time")),
                (
                    "approved_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="approved"),
                ),
                (
                    "approved_by",
                    models.CharField(blank=True, max_length=150, verbose_name="approved by"),
                ),
                (
                    "data_set",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="indicators.dataset",
                        verbose_name="data set",
                    ),
                ),
                (
                    "org_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.orgunit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "data set report",
                "verbose_name_plural": "data set reports",
                "ordering": ["data_set_id", "period", "org_unit_id"],
                "indexes": [
                    models.Index(
                        fields=["period", "org_unit", "status"],
                        name="indicators__period_ec6eee_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("data_set", "org_unit", "period"), name="data_set_report_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="DataSetUnlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=20, verbose_name="period")),
                ("reason", models.TextField(verbose_name="reason")),
                ("unlocked_by", models.CharField(max_length=150, verbose_name="unlocked by")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="unlocked")),
                (
                    "data_set",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="unlocks",
                        to="indicators.dataset",
                        verbose_name="data set",
                    ),
                ),
                (
                    "org_unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="indicators.orgunit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "period unlock",
                "verbose_name_plural": "period unlocks",
                "ordering": ["-created_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("data_set", "org_unit", "period"), name="data_set_unlock_key"
                    )
                ],
            },
        ),
    ]
