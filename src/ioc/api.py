"""The one REST API of the IOC at /api/v1/; each app contributes a router."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ioc.geo.api import router as geo_router
from ioc.indicators.api import router as indicators_router
from ioc.reports.api import router as reports_router

api = NinjaAPI(
    title="IOC API",
    version="1",
    description=(
        "Open API of the Intelligent Operations Center. Machine clients send an API key "
        "in the X-API-Key header; browsers use their session."
    ),
    urls_namespace="api",
)
api.add_router("/geo/", geo_router)
api.add_router("/reports/", reports_router)
api.add_router("/indicators/", indicators_router)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    """A 422 whose message names every field that was wrong, not only a list of dicts."""
    problems = []
    for error in exc.errors:
        location = ".".join(
            str(part)
            for part in error.get("loc", ())
            if part not in ("query", "body", "path", "form")
        )
        problems.append(f"{location}: {error.get('msg', '')}" if location else error.get("msg", ""))
    return api.create_response(
        request, {"detail": "; ".join(problems), "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc: AuthenticationError):
    # A bare AuthenticationError carries ninja's generic "Unauthorized".
    message = (
        exc.message
        if exc.message != "Unauthorized"
        else _("Authentication required: log in or send an API key.")
    )
    return api.create_response(request, {"detail": message}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)
