# No query orders or filters reports by updated_at; its index cost every INSERT and
# UPDATE of a report a page write (docs/performance.md, session 13).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_leaner_report_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="report",
            name="reports_rep_updated_b54274_idx",
        ),
    ]
