"""Background imports keep the language of whoever started them (the worker writes in it)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0004_import_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="datavalueimport",
            name="language",
            field=models.CharField(blank=True, max_length=10, verbose_name="language"),
        ),
    ]
