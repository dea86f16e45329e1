"""Middleware shared by every app."""

import logging

from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext


class HtmxVaryMiddleware:
    """The same URL answers a fragment or a page by the HX-Request header: caches must know."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response


class LanguageMiddleware:
    """Vietnamese unless the user chose otherwise.

    Pages: the language cookie set by the switch (django.views.i18n.set_language), else
    LANGUAGE_CODE. Django's LocaleMiddleware would follow the browser's Accept-Language,
    and most browsers (set to English) would never show the default language.
    APIs (/api/, /open311/): machine clients may also ask with Accept-Language.
    """

    API_PREFIXES = ("/api/", "/open311/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        if request.path.startswith(self.API_PREFIXES):
            language = translation.get_language_from_request(request)
        else:
            chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
            supported = {code for code, _name in settings.LANGUAGES}
            language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response


def nul_field(path: str, params) -> str | None:
    """Where a NUL character is: "path", the name of the parameter holding one (without
    the NUL), or None. `params` is a QueryDict."""
    if "\x00" in path:
        return "path"
    for name, values in params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "")[:60]
    return None


class NulCharacterMiddleware:
    """A NUL character in the path or the query string is refused with a 400 naming where
    it is, before any view queries with it: PostgreSQL refuses NUL in every text
    parameter ("text fields cannot contain NUL"), which would otherwise be a 500.
    Open311 answers its own errors in the spec's format (reports/open311/views.py)."""

    OWN_FORMAT_PREFIXES = ("/open311/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(self.OWN_FORMAT_PREFIXES):
            where = nul_field(request.path, request.GET)
            if where is not None:
                message = gettext("%(name)s: contains a NUL character.") % {"name": where}
                if request.path.startswith(LanguageMiddleware.API_PREFIXES):
                    return JsonResponse({"detail": message}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


logger = logging.getLogger("ioc.requests")


class ClientGoneMiddleware:
    """A client that closes its connection while its request waits for a thread (a phone
    losing signal, a load test ending) leaves the view a closed body to read: Django's
    ASGI handler closes it on the disconnect. Nobody is waiting for that answer, so it is
    logged as information, not as a server error with its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        body = getattr(request, "_stream", None)
        if isinstance(exception, ValueError | OSError) and getattr(body, "closed", False):
            logger.info("client gone before its request was read: %s", request.path)
            return HttpResponse(status=499, reason="Client Closed Request")
        return None
