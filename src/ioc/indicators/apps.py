from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "ioc.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from ioc.core.demo import register_demo_step
        from ioc.indicators import demo
        from ioc.indicators.navigation import register_navigation

        register_demo_step(name="indicators", order=50, run=demo.load_demo_indicators)
        register_navigation()
