"""`ioc demo`: load the demo deployment (idempotent) and print the demo accounts."""

from django.core.management.base import BaseCommand

from ioc.core.demo import demo_steps


class Command(BaseCommand):
    help = "Load the Bình Thuận demo (agencies, users, and each subsystem's data); idempotent."

    def handle(self, *args, **options):
        for step in demo_steps():
            self.stdout.write(self.style.MIGRATE_HEADING(f"Demo: {step.name}"))
            for line in step.run():
                self.stdout.write(f"  {line}")
