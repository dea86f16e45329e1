"""Background imports: the state, size, stored file and error of a DataValueImport."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_login_attempt_ip_index"),
        ("indicators", "0003_workflow"),
    ]

    operations = [
        migrations.AddField(
            model_name="datavalueimport",
            name="api_key",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="accounts.apikey",
                verbose_name="API key",
            ),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="done",
                max_length=10,
                verbose_name="state",
            ),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="rows_total",
            field=models.PositiveIntegerField(default=0, verbose_name="rows"),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="conflict_count",
            field=models.PositiveIntegerField(default=0, verbose_name="conflicts (count)"),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="structure",
            field=models.CharField(blank=True, max_length=10, verbose_name="bare codes are"),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="source",
            field=models.CharField(
                choices=[
                    ("form", "Data entry form"),
                    ("import", "File import"),
                    ("api", "API"),
                    ("computed", "Computed"),
                ],
                default="import",
                max_length=10,
                verbose_name="source",
            ),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="upload",
            field=models.CharField(blank=True, max_length=255, verbose_name="stored file"),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started"),
        ),
        migrations.AddField(
            model_name="datavalueimport",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished"),
        ),
    ]
