"""The one htmx helper: render a fragment for htmx requests and the whole page otherwise."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def htmx_partial(request: HttpRequest) -> bool:
    """True when htmx asked for a fragment of the page (not a boosted full navigation)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_page(
    request: HttpRequest, template: str, context: dict, *, partial: str = "content"
) -> HttpResponse:
    """Render `template`, or only its `partial` (a template partial) for an htmx request."""
    name = f"{template}#{partial}" if htmx_partial(request) else template
    return render(request, name, context)
