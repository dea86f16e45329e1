"""Pages of the project itself: the public home, the staff home, health, error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # the database is down: say so, as a 503
        return JsonResponse({"status": "error", "database": str(error)}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


def home(request):
    return render(request, "home.html", {})


@login_required
def staff_home(request):
    return render(request, "staff_home.html", {})


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)
