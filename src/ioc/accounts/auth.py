"""Authentication for the REST API's routers: an API key with a scope, or a staff session.

    from ioc.accounts.auth import ApiKeyAuth, StaffSessionAuth

    router = Router(auth=ApiKeyAuth(ApiScope.REPORTS))
    @router.get("/mine", auth=StaffSessionAuth(roles={Role.AGENCY_STAFF, Role.AGENCY_HEAD}))

django-ninja tries the classes of a list in turn but stops at the first that raises, so
to accept either, put an `optional=True` one first; it steps aside when its credential is
absent: `auth=[StaffSessionAuth(optional=True), ApiKeyAuth(ApiScope.REPORTS)]`.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError, ConfigError
from ninja.security import APIKeyCookie, APIKeyHeader
from ninja.utils import check_csrf

from ioc.accounts.choices import ApiScope, Role
from ioc.accounts.exceptions import ApiKeyError
from ioc.accounts.models import ApiKey
from ioc.accounts.services import apikey_authenticate

API_KEY_HEADER = "X-API-Key"
# Open311 GeoReport v2 clients send the key as a query or form parameter of this name.
API_KEY_PARAMETER = "api_key"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a proxy, `ioc serve` (uvicorn's proxy_headers) has
    already put the forwarded address here, for trusted proxies only; reading
    X-Forwarded-For ourselves would let any client choose its address."""
    return request.META.get("REMOTE_ADDR") or None


class ApiKeyAuth(APIKeyHeader):
    """An API key that has `scope`; 401 for a missing or bad key, 403 for a lacking scope.

    On success `request.api_key` (and ninja's `request.auth`) is the ApiKey.
    """

    param_name = API_KEY_HEADER

    def __init__(self, scope: str, *, optional: bool = False) -> None:
        if scope not in ApiScope.values():
            raise ConfigError(f"Unknown API scope {scope!r}; expected one of {ApiScope.values()}.")
        self.scope = scope
        self.optional = optional
        super().__init__()

    def _get_key(self, request: HttpRequest) -> str | None:
        return (
            request.headers.get(API_KEY_HEADER)
            or request.GET.get(API_KEY_PARAMETER)
            or (request.POST.get(API_KEY_PARAMETER) if request.method == "POST" else None)
        )

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        if not key and self.optional:
            return None
        try:
            api_key = apikey_authenticate(
                raw_key=key or "", scope=self.scope, ip=client_ip(request)
            )
        except ApiKeyError as error:
            if error.status_code == 403:
                raise AuthorizationError(message=error.message) from error
            raise AuthenticationError(message=error.message) from error
        request.api_key = api_key  # type: ignore[attr-defined]
        return api_key


class StaffSessionAuth(APIKeyCookie):
    """A logged-in user (Django session) with one of `roles`; administrators always pass.

    CSRF is checked for unsafe methods, as ninja's `django_auth` does, but only once the
    user is known: an anonymous caller gets 401, not a confusing CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, roles: Iterable[str] = Role.STAFF, *, optional: bool = False) -> None:
        self.roles = frozenset(roles)
        unknown = self.roles - set(Role.values())
        if unknown:
            raise ConfigError(f"Unknown roles {sorted(unknown)}; expected some of {Role.values()}.")
        self.optional = optional
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            if self.optional:
                return None
            raise AuthenticationError(
                message=_(
                    "Authentication required: your session has expired or you are not logged in."
                )
            )
        if (
            self.csrf
            and not getattr(request, "_ninja_csrf_exempt", False)
            and check_csrf(request) is not None
        ):
            raise AuthorizationError(
                message=_(
                    "CSRF check failed: send the X-CSRFToken header with the csrftoken "
                    "cookie's value."
                )
            )
        if not (user.is_admin_role or user.role in self.roles):
            raise AuthorizationError(
                message=_("Your role (%(role)s) may not use this part of the API.")
                % {"role": Role.label(user.role)}
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return self(request)
