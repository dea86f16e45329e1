"""`ioc core_load_holidays`: load Vietnam's public holidays into the working calendar."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ioc.core.calendar import HolidayFileError, holidays_load


class Command(BaseCommand):
    help = "Load the public holidays file (default: the shipped one); safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--path", help="a holiday file in the format of holidays_vn.json")

    def handle(self, *args, path=None, **options):
        try:
            count = holidays_load(path=path)
        except HolidayFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Holidays: %(count)s rows created, changed or removed.") % {"count": count}
        )
