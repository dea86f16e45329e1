from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ioc.reports"
    label = "reports"
    verbose_name = _("Field reports")

    def ready(self) -> None:
        from ioc.core.demo import register_demo_step
        from ioc.reports import reference  # noqa: F401 (connects its cache's invalidation)
        from ioc.reports.navigation import register_navigation

        register_navigation()
        register_demo_step(name="field reports", order=40, run=_load_demo)
        # After the demo accounts (order 90): reports and notifications of those accounts.
        register_demo_step(name="field reports of the demo accounts", order=95, run=_load_accounts)


def _load_demo() -> list[str]:
    # Imported when the demo runs, not in every web process.
    from ioc.reports.demo import load_demo_reports

    return load_demo_reports()


def _load_accounts() -> list[str]:
    from ioc.reports.demo import load_account_reports

    return load_account_reports()
