from django.urls import path

from . import views, views_outcomes

app_name = "monitoring"

urlpatterns = [
    path("<uuid:trajectory_uuid>/", views.course, name="course"),
    path(
        "signaal/<uuid:signal_uuid>/gezien/",
        views.signal_acknowledge_view,
        name="signal_acknowledge",
    ),
    path("drempels/<uuid:organisation_uuid>/", views.thresholds, name="thresholds"),
    path("<uuid:trajectory_uuid>/tijdlijn/", views_outcomes.timeline, name="timeline"),
    path(
        "<uuid:trajectory_uuid>/gebeurtenis/",
        views_outcomes.record_outcome,
        name="record_outcome",
    ),
    path("<uuid:trajectory_uuid>/afsluiten/", views_outcomes.end_trajectory, name="end"),
]
