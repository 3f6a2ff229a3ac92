"""The client's research pages (included in the ``client`` namespace, under ``/m/``)."""

from django.urls import path

from alliantiemonitor.research.views import client

urlpatterns = [
    path("onderzoek/", client.client_research, name="research"),
    path("onderzoek/vragenlijst/", client.client_questionnaire, name="research_questionnaire"),
    # The client stops taking part: ?enrolled=<uuid> names the study (one of their own).
    path("onderzoek/stoppen/", client.client_research_withdraw, name="research_withdraw"),
]
