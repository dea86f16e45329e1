"""The one REST API of the IOC at /api/v1/; each app contributes a router."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
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
    """A 422 whose message names every field that was wrong, in the request's language, not
    only a list of dicts."""
    problems = []
    for error in exc.errors:
        location = ".".join(
            str(part)
            for part in error.get("loc", ())
            if part not in ("query", "body", "path", "form")
        )
        message = validation_text(error)
        problems.append(f"{location}: {message}" if location else message)
    return api.create_response(
        request, {"detail": "; ".join(problems), "errors": exc.errors}, status=422
    )


# pydantic's messages (English only), by error type, as message ids: the English is
# pydantic's own, without the parser's detail.
VALIDATION_MESSAGES = {
    "missing": gettext_noop("Field required"),
    "float_parsing": gettext_noop("Input should be a valid number"),
    "float_type": gettext_noop("Input should be a valid number"),
    "finite_number": gettext_noop("Input should be a finite number"),
    "int_parsing": gettext_noop("Input should be a valid integer"),
    "int_type": gettext_noop("Input should be a valid integer"),
    "int_from_float": gettext_noop("Input should be a valid integer"),
    "bool_parsing": gettext_noop("Input should be a valid boolean (true or false)"),
    "bool_type": gettext_noop("Input should be a valid boolean (true or false)"),
    "date_parsing": gettext_noop("Input should be a valid date in the format YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_noop(
        "Input should be a valid date in the format YYYY-MM-DD"
    ),
    "date_type": gettext_noop("Input should be a valid date in the format YYYY-MM-DD"),
    "datetime_parsing": gettext_noop("Input should be a valid date and time (ISO 8601)"),
    "datetime_from_date_parsing": gettext_noop("Input should be a valid date and time (ISO 8601)"),
    "datetime_type": gettext_noop("Input should be a valid date and time (ISO 8601)"),
    "string_type": gettext_noop("Input should be a valid string"),
    "string_too_long": gettext_noop("String should have at most %(max_length)s characters"),
    "string_too_short": gettext_noop("String should have at least %(min_length)s characters"),
    "greater_than": gettext_noop("Input should be greater than %(gt)s"),
    "greater_than_equal": gettext_noop("Input should be greater than or equal to %(ge)s"),
    "less_than": gettext_noop("Input should be less than %(lt)s"),
    "less_than_equal": gettext_noop("Input should be less than or equal to %(le)s"),
    "literal_error": gettext_noop("Input should be %(expected)s"),
    "enum": gettext_noop("Input should be %(expected)s"),
    "list_type": gettext_noop("Input should be a valid list"),
    "dict_type": gettext_noop("Input should be a valid object"),
    "json_invalid": gettext_noop("Invalid JSON"),
    "uuid_parsing": gettext_noop("Input should be a valid UUID"),
}


def validation_text(error: dict) -> str:
    """One pydantic error's message in the active language; pydantic's own (English) for
    a type without a translation."""
    message = VALIDATION_MESSAGES.get(error.get("type", ""))
    if message is None:
        return str(error.get("msg", ""))
    context = {
        # 90.0 written as pydantic writes it: 90
        name: str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        for name, value in (error.get("ctx") or {}).items()
    }
    if "expected" in context:  # pydantic joins the choices with an English "or"
        word = _("or")
        context["expected"] = context["expected"].replace("' or '", f"' {word} '")
    return _(message) % context if context else _(message)


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
