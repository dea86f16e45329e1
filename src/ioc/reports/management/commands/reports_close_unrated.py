"""`ioc reports_close_unrated`: close resolved reports nobody rated in time (daily, cron)."""

from django.core.management.base import BaseCommand

from ioc.reports.services import reports_close_unrated


class Command(BaseCommand):
    help = "Close resolved reports that the citizen has not rated within --days days."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, **options) -> None:
        count = reports_close_unrated(days=options["days"])
        self.stdout.write(f"{count} report(s) closed.")
