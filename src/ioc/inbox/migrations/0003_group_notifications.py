# Group notifications, stored once and copied to each member's inbox when they look
# (inbox/models.py). Every account starts with nothing to copy.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def every_account_starts_at_zero(apps, schema_editor):
    User = apps.get_model(settings.AUTH_USER_MODEL)
    GroupDelivery = apps.get_model("inbox", "GroupDelivery")
    GroupDelivery.objects.bulk_create(
        GroupDelivery(user_id=pk, through=0) for pk in User.objects.values_list("pk", flat=True)
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_login_attempt_ip_index'),
        ('inbox', '0002_recipient_index_covered'),
    ]

    operations = [
        migrations.CreateModel(
            name='GroupDelivery',
            fields=[
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='group_delivery', serialize=False, to=settings.AUTH_USER_MODEL, verbose_name='user')),
                ('through', models.BigIntegerField(default=0, verbose_name='copied through')),
            ],
            options={
                'verbose_name': 'group notifications copied',
                'verbose_name_plural': 'group notifications copied',
            },
        ),
        migrations.CreateModel(
            name='GroupNotification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('audience', models.CharField(max_length=40, verbose_name='audience')),
                ('kind', models.CharField(max_length=50, verbose_name='kind')),
                ('url', models.CharField(blank=True, max_length=300, verbose_name='link')),
                ('title', models.JSONField(default=dict, verbose_name='title')),
                ('body', models.JSONField(blank=True, default=dict, verbose_name='text')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
            ],
            options={
                'verbose_name': 'group notification',
                'verbose_name_plural': 'group notifications',
                'ordering': ['-pk'],
                'indexes': [models.Index(fields=['audience', 'id'], name='inbox_group_audience')],
            },
        ),
        migrations.RunPython(every_account_starts_at_zero, migrations.RunPython.noop),
    ]
