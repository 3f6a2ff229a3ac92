from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("clienten/", include("alliantiemonitor.trajectories.urls")),
    path("metingen/", include("alliantiemonitor.measurements.urls")),
    path("gesprek/", include("alliantiemonitor.conversations.urls")),
    path("verloop/", include("alliantiemonitor.monitoring.urls")),
    path("overzicht/", include("alliantiemonitor.dashboards.urls_team")),
    path("planning/", include("alliantiemonitor.scheduling.urls")),
    # Client pages (no account): short, easy to type, nothing of the staff pages.
    path("m/", include("alliantiemonitor.measurements.client_urls")),
    path("", include("alliantiemonitor.web.urls")),
]
