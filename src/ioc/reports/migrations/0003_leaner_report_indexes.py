# An INSERT of a report wrote a page of 21 indexes. Four single-column indexes of foreign
# keys are covered by composite ones that start with the same column, and three foreign
# keys that most reports leave empty are indexed where set (docs/performance.md).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _drop_index_of(column: str, digest: str) -> migrations.RunSQL:
    """Drop the index Django made for a foreign key (its name: table, column, digest)."""
    name = f"reports_report_{column}_{digest}"
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "reports_report" ("{column}")'
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_attempt_ip_index"),
        ("geo", "0001_initial"),
        ("reports", "0002_figures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only the foreign keys' own indexes go: altering the fields would rebuild the
        # table on SQLite.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="report",
                    name="agency",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="accounts.agency",
                        verbose_name="responsible agency",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="reports.category",
                        verbose_name="category",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="commune",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="geo.adminunit",
                        verbose_name="commune",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="legacy_district",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="geo.adminunit",
                        verbose_name="district (before 1 July 2025)",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="merged_into",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="merged_reports",
                        to="reports.report",
                        verbose_name="merged into",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="reporter",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reporter account",
                    ),
                ),
                migrations.AlterField(
                    model_name="report",
                    name="suggested_category",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="reports.category",
                        verbose_name="suggested category",
                    ),
                ),
            ],
            database_operations=[
                _drop_index_of("agency_id", "fe64f2a4"),
                _drop_index_of("category_id", "7a7857a8"),
                _drop_index_of("commune_id", "babfa675"),
                _drop_index_of("legacy_district_id", "cc8cda98"),
                _drop_index_of("merged_into_id", "447b0a62"),
                _drop_index_of("reporter_id", "d54be306"),
                _drop_index_of("suggested_category_id", "da604201"),
            ],
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("reporter__isnull", False)),
                fields=["reporter"],
                name="report_reporter",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("suggested_category__isnull", False)),
                fields=["suggested_category"],
                name="report_suggested_category",
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="report_merged_into",
            ),
        ),
    ]
