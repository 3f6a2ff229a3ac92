"""The client's questionnaire (included in the ``client`` namespace, under ``/m/``)."""

from django.urls import path

from alliantiemonitor.measurements.views import fill, read_aloud

urlpatterns = [
    path("start/", fill.client_start, name="start"),
    path("invullen/", fill.client_fill, name="fill"),
    path("versturen/", fill.client_confirm, name="confirm"),
    path("klaar/", fill.client_done, name="done"),
    path("opnieuw/", fill.client_restart, name="restart"),
    path(
        "voorlezen/<slug:instrument>/<str:version>/<slug:domain>/<slug:language>/<slug:item>/"
        "<slug:digest>.wav",
        read_aloud.read_aloud,
        name="read_aloud",
    ),
]
