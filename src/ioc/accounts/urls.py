from django.urls import path

from ioc.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("agencies/", views.agency_directory, name="agency-list"),
]
