from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ioc.accounts"
    label = "accounts"
    verbose_name = _("Accounts and agencies")

    def ready(self) -> None:
        from ioc.accounts import demo
        from ioc.accounts.navigation import register_navigation
        from ioc.core.demo import register_demo_step

        register_navigation()
        register_demo_step(name="agencies", order=20, run=demo.load_demo_agencies)
        register_demo_step(name="demo accounts", order=90, run=demo.load_demo_users)
