"""Pages of the inbox, mounted at /inbox/."""

from django.urls import path

from ioc.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.mark_all_read, name="read-all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
]
