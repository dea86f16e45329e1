# A notification's recipient has two composite indexes that start with it (the bell's
# count and the list page): the foreign key's own index only cost every notice a page.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "inbox_notification_recipient_id_12fa7936"  # the name Django gave it


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only the index goes: altering the field would rebuild the table on SQLite.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="recipient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="recipient",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    f'CREATE INDEX "{INDEX}" ON "inbox_notification" ("recipient_id")',
                ),
            ],
        ),
    ]
