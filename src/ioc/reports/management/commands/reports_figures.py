"""Count the figures summary of the field reports afresh (after a bulk import that did
not go through the services)."""

import time

from django.core.management.base import BaseCommand

from ioc.reports.figures import figures_rebuild


class Command(BaseCommand):
    help = "Count the field reports' figures summary afresh (ReportFigures)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild", action="store_true", help="count every report again (required)"
        )

    def handle(self, *args, rebuild: bool = False, **options):
        if not rebuild:
            self.stderr.write("Nothing done: give --rebuild to count the summary afresh.")
            return
        started = time.perf_counter()
        rows = figures_rebuild()
        self.stdout.write(f"{rows} summary rows counted in {time.perf_counter() - started:.1f} s.")
