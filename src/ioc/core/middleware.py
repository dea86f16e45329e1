"""Middleware shared by every app."""

from django.utils.cache import patch_vary_headers


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
