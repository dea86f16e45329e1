"""Figures at scale (docs/reports.md, "Figures at scale"): the monthly summary
ReportFigures, the late flag and completion bucket of each report, the covering index of
the rows read one by one; the summary is counted for the reports already there."""

import django.db.models.deletion
from django.db import migrations, models


def count_figures(apps, schema_editor):
    from ioc.reports.figures import figures_rebuild

    figures_rebuild(
        report_model=apps.get_model("reports", "Report"),
        figures_model=apps.get_model("reports", "ReportFigures"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("geo", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportFigures",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=80, unique=True)),
                ("level", models.PositiveSmallIntegerField(default=0)),
                ("month", models.DateField()),
                ("received", models.PositiveIntegerField(default=0)),
                ("completed", models.PositiveIntegerField(default=0)),
                ("completed_on_time", models.PositiveIntegerField(default=0)),
                ("overdue", models.PositiveIntegerField(default=0)),
                ("ratings", models.PositiveIntegerField(default=0)),
                ("satisfied", models.PositiveIntegerField(default=0)),
                ("completed_m0", models.PositiveIntegerField(default=0)),
                ("completed_m1", models.PositiveIntegerField(default=0)),
                ("completed_m2", models.PositiveIntegerField(default=0)),
                ("h0", models.PositiveIntegerField(default=0)),
                ("h1", models.PositiveIntegerField(default=0)),
                ("h2", models.PositiveIntegerField(default=0)),
                ("h3", models.PositiveIntegerField(default=0)),
                ("h4", models.PositiveIntegerField(default=0)),
                ("h5", models.PositiveIntegerField(default=0)),
                ("h6", models.PositiveIntegerField(default=0)),
                ("h7", models.PositiveIntegerField(default=0)),
                ("h8", models.PositiveIntegerField(default=0)),
                ("h9", models.PositiveIntegerField(default=0)),
                ("h10", models.PositiveIntegerField(default=0)),
                ("h11", models.PositiveIntegerField(default=0)),
                ("h12", models.PositiveIntegerField(default=0)),
                ("h13", models.PositiveIntegerField(default=0)),
                ("h14", models.PositiveIntegerField(default=0)),
                ("h15", models.PositiveIntegerField(default=0)),
                ("h16", models.PositiveIntegerField(default=0)),
                ("h17", models.PositiveIntegerField(default=0)),
                ("h18", models.PositiveIntegerField(default=0)),
                ("h19", models.PositiveIntegerField(default=0)),
                ("h20", models.PositiveIntegerField(default=0)),
                ("h21", models.PositiveIntegerField(default=0)),
                ("completed_a", models.PositiveIntegerField(default=0)),
                ("completed_on_time_a", models.PositiveIntegerField(default=0)),
                ("overdue_a", models.PositiveIntegerField(default=0)),
                ("ratings_a", models.PositiveIntegerField(default=0)),
                ("satisfied_a", models.PositiveIntegerField(default=0)),
                ("completed_b", models.PositiveIntegerField(default=0)),
                ("completed_on_time_b", models.PositiveIntegerField(default=0)),
                ("overdue_b", models.PositiveIntegerField(default=0)),
                ("ratings_b", models.PositiveIntegerField(default=0)),
                ("satisfied_b", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name="report",
            name="completion_bucket",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="report",
            name="has_late_event",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                fields=[
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
                ],
                name="report_figures_scan",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("has_late_event", True)),
                fields=[
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
                ],
                name="report_late_events",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("completed_at__isnull", True)),
                fields=[
                    "due_at",
                    "received_at",
                    "has_late_event",
                    "commune",
                    "legacy_district",
                    "category",
                    "agency",
                ],
                name="report_open_due",
            ),
        ),
        migrations.AddField(
            model_name="reportfigures",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.agency",
            ),
        ),
        migrations.AddField(
            model_name="reportfigures",
            name="category",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="reports.category",
            ),
        ),
        migrations.AddField(
            model_name="reportfigures",
            name="commune",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geo.adminunit",
            ),
        ),
        migrations.AddField(
            model_name="reportfigures",
            name="legacy_district",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="geo.adminunit",
            ),
        ),
        migrations.AddIndex(
            model_name="reportfigures",
            index=models.Index(fields=["level", "month"], name="report_figures_month"),
        ),
        migrations.AddIndex(
            model_name="reportfigures",
            index=models.Index(fields=["commune", "month"], name="report_figures_commune"),
        ),
        migrations.AddIndex(
            model_name="reportfigures",
            index=models.Index(fields=["legacy_district", "month"], name="report_figures_district"),
        ),
        migrations.AddIndex(
            model_name="reportfigures",
            index=models.Index(fields=["category", "month"], name="report_figures_category"),
        ),
        migrations.AddIndex(
            model_name="reportfigures",
            index=models.Index(fields=["agency", "month"], name="report_figures_agency"),
        ),
        migrations.RunPython(count_figures, migrations.RunPython.noop),
    ]
