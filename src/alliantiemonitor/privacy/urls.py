from django.urls import path

from alliantiemonitor.privacy import views

app_name = "privacy"

urlpatterns = [
    path("<uuid:trajectory_uuid>/", views.access_page, name="access"),
    path("<uuid:trajectory_uuid>/json/", views.access_json, name="access_json"),
]
