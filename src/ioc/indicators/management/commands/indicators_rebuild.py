"""Recompute the aggregates from the values (a repair; writes keep them current)."""

from django.core.management.base import BaseCommand, CommandError

from ioc.indicators.models import Indicator
from ioc.indicators.services import aggregates_rebuild


class Command(BaseCommand):
    help = "Recompute the aggregates of one indicator (--indicator CODE) or of all."

    def add_arguments(self, parser):
        parser.add_argument("--indicator", default=None)

    def handle(self, *args, indicator: str | None, **options):
        target = None
        if indicator:
            target = Indicator.objects.filter(code=indicator).first()
            if target is None:
                raise CommandError(f"No indicator with the code {indicator!r}.")
        rows = aggregates_rebuild(indicator=target)
        self.stdout.write(f"{rows} aggregate rows written.")
