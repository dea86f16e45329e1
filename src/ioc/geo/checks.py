"""System check: settings.IOC_GEO_DIR holds a readable manifest (files only, no database)."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from ioc.geo.files import AreaDataError, read_manifest


@register()
def check_area_manifest(app_configs, **kwargs):
    try:
        read_manifest(Path(settings.IOC_GEO_DIR))
    except AreaDataError as error:
        return [
            Error(
                f"IOC_GEO_DIR ({settings.IOC_GEO_DIR}): {error}",
                hint="Point IOC_GEO_DIR at a folder with a manifest.json (docs/geography.md).",
                id="geo.E001",
            )
        ]
    return []
