"""Pages of the project itself: the public home, the staff home, health, error pages."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ioc.accounts.choices import Role
from ioc.accounts.selectors import agency_list
from ioc.geo.selectors import area_stats


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # the database does not answer: say so, as a 503
        return JsonResponse({"status": "error", "database": str(error)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _area_stats(user) -> list[dict]:
    return [
        *area_stats(),
        {
            "key": "agencies",
            "value": agency_list(user=user).count(),
            "label": _("agencies connected"),
        },
    ]


def home(request):
    context = {
        "stats": _area_stats(request.user),
        "map_tile_url": settings.IOC_MAP_TILE_URL,
        "map_tile_attribution": settings.IOC_MAP_TILE_ATTRIBUTION,
    }
    return render(request, "home.html", context)


@login_required
def staff_home(request):
    user = request.user
    if not user.is_staff_role:
        # Citizens have no workspace yet: their pages are the public ones.
        return redirect("home")
    context = {
        "stats": _area_stats(user),
        "role_colour": Role.colour(user.role),
    }
    return render(request, "staff_home.html", context)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
