"""The four sectors every deployment starts with; administrators add others in the admin."""

from django.db import migrations

SECTORS = [
    ("socio-economic", "Kinh tế - xã hội", "Socio-economic", "#0d6efd", 10),
    ("health", "Y tế", "Health", "#dc3545", 20),
    ("education", "Giáo dục", "Education", "#6f42c1", 30),
    ("tourism", "Du lịch", "Tourism", "#20c997", 40),
]


def seed(apps, schema_editor):
    Sector = apps.get_model("indicators", "Sector")
    for code, name, name_en, colour, order in SECTORS:
        Sector.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": name_en, "colour": colour, "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
