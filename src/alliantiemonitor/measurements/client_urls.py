"""Client pages (namespace ``client``): entry by link or code, the questionnaire, results."""

from django.urls import include, path

app_name = "client"

urlpatterns = [
    path("", include("alliantiemonitor.measurements.client_urls_fill")),
    path("", include("alliantiemonitor.measurements.client_urls_invite")),
]
