"""How a client gets in (included in the ``client`` namespace, under ``/m/``)."""

from django.urls import path

from alliantiemonitor.measurements.views import client_entry

urlpatterns = [
    path("code/", client_entry.code, name="code"),
    path("terug/", client_entry.hand_back, name="return"),
    # Last: a personal link's token is anything the fixed client addresses are not.
    path("<str:token>/", client_entry.link, name="link"),
]
