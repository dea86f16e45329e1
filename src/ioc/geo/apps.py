from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "ioc.geo"
    label = "geo"
    verbose_name = _("Geography")

    def ready(self) -> None:
        # Registers the manifest check; reads no boundary and queries no database. The
        # boundaries are indexed on the first locate() (ioc.geo.selectors).
        from ioc.geo import checks  # noqa: F401
