"""The professional's own side of a round (included in the ``measurements`` namespace)."""

from django.urls import path

from alliantiemonitor.measurements.views import fill

urlpatterns = [
    path("<uuid:uuid>/invullen/", fill.professional_fill, name="fill"),
    path("<uuid:uuid>/invullen/versturen/", fill.professional_confirm, name="fill_confirm"),
    path("<uuid:uuid>/invullen/verstuurd/", fill.professional_done, name="fill_done"),
]
