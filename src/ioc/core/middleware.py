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

    Django's LocaleMiddleware would follow the browser's Accept-Language, so most
    browsers (set to English) would never see the default language. Here the choice is
    the language cookie set by the switch (django.views.i18n.set_language), else
    LANGUAGE_CODE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
