"""The client's research question (included in the ``client`` namespace, under ``/m/``)."""

from django.urls import path

from alliantiemonitor.research.views import client

urlpatterns = [
    path("onderzoek/", client.client_research, name="research"),
    path("onderzoek/vragenlijst/", client.client_questionnaire, name="research_questionnaire"),
]
