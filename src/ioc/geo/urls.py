from django.urls import path

from ioc.geo import views

app_name = "geo"
urlpatterns = [
    path("communes/", views.commune_list, name="commune-list"),
]
