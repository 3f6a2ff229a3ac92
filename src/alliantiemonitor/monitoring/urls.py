from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("<uuid:trajectory_uuid>/", views.course, name="course"),
    path(
        "signaal/<uuid:signal_uuid>/gezien/",
        views.signal_acknowledge_view,
        name="signal_acknowledge",
    ),
    path("team/signalen/", views.team_signals, name="team_signals"),
    path("drempels/<uuid:organisation_uuid>/", views.thresholds, name="thresholds"),
]
