"""`ioc reports_escalate`: escalate overdue reports (run it from cron every few minutes)."""

from django.core.management.base import BaseCommand

from ioc.reports.services import reports_escalate_overdue


class Command(BaseCommand):
    help = "Mark overdue reports escalated and tell their agency's heads and the operators."

    def handle(self, *args, **options) -> None:
        count = reports_escalate_overdue()
        self.stdout.write(f"{count} report(s) escalated.")
