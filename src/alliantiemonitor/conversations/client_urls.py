"""The client's results page (included in the ``client`` namespace, under ``/m/``)."""

from django.urls import path

from alliantiemonitor.conversations import client_views

urlpatterns = [
    path("resultaat/", client_views.results, name="results"),
    path("resultaat/samenvatting.pdf", client_views.results_summary, name="results_summary"),
]
