"""Professional pages of a measurement round (namespace ``measurements``)."""

from django.urls import include, path

app_name = "measurements"

urlpatterns = [
    path("", include("alliantiemonitor.measurements.urls_fill")),
    path("", include("alliantiemonitor.measurements.urls_invite")),
    path("", include("alliantiemonitor.measurements.urls_paper")),
]
