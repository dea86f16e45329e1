"""Middleware shared by every app."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext

from ioc.core import small_forms


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
        return client_gone(request, exception)


def client_gone(request, exception: Exception) -> HttpResponse | None:
    """499 (logged as information) when `exception` came from reading the body of a
    request whose client has gone; None otherwise."""
    body = getattr(request, "_stream", None)
    if isinstance(exception, ValueError | OSError) and getattr(body, "closed", False):
        logger.info("client gone before its request was read: %s", request.path)
        return HttpResponse(status=499, reason="Client Closed Request")
    return None


class SmallFormMiddleware:
    """A POST of a small multipart form without files (core/small_forms.py says why) has
    its fields split before anything reads request.POST; any other body is left to
    Django's parser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            boundary = request.content_params.get("boundary", "")
            if 0 < length <= small_forms.MAX_BODY_BYTES and boundary:
                try:
                    body = request.body
                except (ValueError, OSError) as error:
                    gone = client_gone(request, error)
                    if gone is None:
                        raise
                    return gone
                fields = small_forms.parse(
                    body, boundary, request.encoding or settings.DEFAULT_CHARSET
                )
                if fields is not None:
                    request._post, request._files = fields, MultiValueDict()
        return self.get_response(request)
