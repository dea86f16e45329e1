"""Staff pages of the geo app: the communes and what they were before July 2025."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from ioc.core.htmx import render_page
from ioc.geo.selectors import area_stats, commune_directory


@login_required
def commune_list(request):
    if not request.user.is_staff_role:
        return redirect("home")
    query = request.GET.get("q", "")
    context = {
        "rows": commune_directory(user=request.user, query=query),
        "query": query,
        "stats": area_stats(),
        "map_tile_url": settings.IOC_MAP_TILE_URL,
        "map_tile_attribution": settings.IOC_MAP_TILE_ATTRIBUTION,
    }
    return render_page(request, "geo/commune_list.html", context, partial="table")
