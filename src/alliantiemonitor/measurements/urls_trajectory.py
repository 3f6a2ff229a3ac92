"""A trajectory's page and starting a round (included in the ``trajectories`` namespace)."""

from django.urls import path

from alliantiemonitor.measurements.views import trajectory

urlpatterns = [
    path("<uuid:uuid>/", trajectory.detail, name="detail"),
    path("<uuid:uuid>/meting-starten/", trajectory.start_round, name="start_round"),
]
