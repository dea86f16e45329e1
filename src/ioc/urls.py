"""URL map of the whole IOC."""

from django.contrib import admin
from django.urls import include, path

from ioc import views
from ioc.api import api

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.home, name="home"),
    path("staff/", views.staff_home, name="staff-home"),
    path("accounts/", include("ioc.accounts.urls")),
    path("geo/", include("ioc.geo.urls")),
    path("reports/", include("ioc.reports.urls")),
    path("open311/v2/", include("ioc.reports.open311.urls")),
    path("indicators/", include("ioc.indicators.urls")),
    path("inbox/", include("ioc.inbox.urls")),
    path("admin/", admin.site.urls),
]
handler404 = "ioc.views.not_found"
handler500 = "ioc.views.server_error"
