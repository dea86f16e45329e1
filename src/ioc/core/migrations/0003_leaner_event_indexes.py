# The content type's own index is covered by (content_type, object_id, created_at); the
# actor, empty for citizens' and systems' events, is indexed where set.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _drop_index_of(column: str, digest: str) -> migrations.RunSQL:
    """Drop the index Django made for a foreign key (its name: table, column, digest)."""
    name = f"core_timelineevent_{column}_{digest}"
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"',
        f'CREATE INDEX "{name}" ON "core_timelineevent" ("{column}")',
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_holiday"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only the foreign keys' own indexes go: altering the fields would rebuild the
        # table on SQLite.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="timelineevent",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
                migrations.AlterField(
                    model_name="timelineevent",
                    name="content_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
            ],
            database_operations=[
                _drop_index_of("actor_id", "040f11fb"),
                _drop_index_of("content_type_id", "8e63951e"),
            ],
        ),
        migrations.AddIndex(
            model_name="timelineevent",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"
            ),
        ),
    ]
