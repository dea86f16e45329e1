"""The indicators' staff pages, mounted at /indicators/."""

from django.urls import path, re_path

from ioc.indicators import views

app_name = "indicators"

# The four sectors every deployment has get a named route each (the sidebar links them);
# sectors a province adds open through the generic route.
SEEDED_SECTORS = ("socio-economic", "health", "education", "tourism")

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.indicator_edit, name="indicator-add"),
    path("catalogue/<str:code>/", views.indicator_edit, name="indicator-edit"),
    path("entry/", views.entry, name="entry"),
    path("entry/completeness/", views.completeness, name="completeness"),
    path("entry/data-sets/", views.data_set_list, name="data-sets"),
    path("entry/unlock/", views.period_unlock, name="period-unlock"),
    re_path(
        r"^entry/reports/(?P<pk>\d+)/(?P<decision>approve|unapprove)/$",
        views.report_review,
        name="report-review",
    ),
    path("import/", views.import_values, name="import"),
    path("import/jobs/<int:pk>/", views.import_job, name="import-job"),
    path("values/<str:code>/", views.values, name="values"),
    re_path(
        r"^reports/monthly/(?P<month>\d{6})\.(?P<file_format>xlsx|pdf)$",
        views.monthly_report,
        name="monthly-report",
    ),
    *[
        path(f"{code}/", views.dashboard, {"sector": code}, name=f"dashboard-{code}")
        for code in SEEDED_SECTORS
    ],
    path("<slug:sector>/", views.dashboard, name="dashboard"),
]
