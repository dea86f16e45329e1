"""`ioc geo_load [--dir FOLDER]`: load the deployment's administrative units and boundaries."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ioc.geo.files import AreaDataError
from ioc.geo.services import geo_load_area


class Command(BaseCommand):
    help = "Load (or update) both administrative structures from an area folder."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=None,
            help="folder with manifest.json (default: settings.IOC_GEO_DIR)",
        )

    def handle(self, *args, **options):
        directory = options["dir"] or Path(settings.IOC_GEO_DIR)
        try:
            result = geo_load_area(directory=directory)
        except AreaDataError as error:
            raise CommandError(str(error)) from error
        for line in result.lines():
            self.stdout.write(line)
        summary = _("Loaded %(directory)s.") if result.changed else _("%(directory)s: no change.")
        self.stdout.write(self.style.SUCCESS(summary % {"directory": result.directory}))
