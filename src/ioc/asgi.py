"""ASGI entry point, served by uvicorn under `ioc serve`."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ioc.settings")
application = get_asgi_application()
