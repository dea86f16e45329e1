"""Pages of the field reports, mounted at /reports/."""

from django.urls import path

from ioc.reports import views
from ioc.reports.views.citizen import my_reports

app_name = "reports"
urlpatterns = [
    # Citizens (public layout, phone-first)
    path("new/", views.report_new, name="new"),
    path("new/suggest/", views.report_suggest, name="suggest"),
    path("new/nearby/", views.report_nearby, name="nearby"),
    path("sent/<str:code>/", views.report_sent, name="sent"),
    path("track/", views.report_track_form, name="track-form"),
    path("track/<str:code>/", views.report_track, name="track"),
    path("track/<str:code>/rate/", views.report_rate, name="rate"),
    path("mine/", my_reports, name="mine"),
    path("public/", views.report_public, name="public"),
    path("figures/", views.report_figures, name="figures"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    # Staff
    path("queue/", views.queue, name="queue"),
    path("queue/bulk/", views.queue_bulk, name="queue-bulk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.report_act, name="act"),
]
