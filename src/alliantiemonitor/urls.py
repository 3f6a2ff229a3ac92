from django.contrib import admin
from django.urls import include, path

# The professional's pages of clients, under one namespace, ``trajectories``, whichever app
# serves them: the caseload (dashboards), a trajectory with its rounds (measurements), a new
# client and a handover (trajectories), the caseload import (imports). Composed here so that
# no app includes one above it.
trajectory_urlpatterns = [
    path("", include("alliantiemonitor.dashboards.urls")),
    path("", include("alliantiemonitor.trajectories.urls")),
    path("", include("alliantiemonitor.imports.urls")),
    path("", include("alliantiemonitor.measurements.urls_trajectory")),
]

# Client pages (no account): short, easy to type, nothing of the staff pages. One namespace,
# ``client``, made of the pages of the apps that serve the client.
client_urlpatterns = [
    path("", include("alliantiemonitor.measurements.client_urls_fill")),
    path("", include("alliantiemonitor.conversations.client_urls")),
    path("", include("alliantiemonitor.research.client_urls")),
    # Last: a personal link's token is anything the fixed client addresses are not.
    path("", include("alliantiemonitor.measurements.client_urls_invite")),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("clienten/", include((trajectory_urlpatterns, "trajectories"))),
    path("metingen/", include("alliantiemonitor.measurements.urls")),
    path("gesprek/", include("alliantiemonitor.conversations.urls")),
    path("verloop/", include("alliantiemonitor.monitoring.urls")),
    path("overzicht/", include("alliantiemonitor.dashboards.urls_team")),
    path("planning/", include("alliantiemonitor.scheduling.urls")),
    path("inzage/", include("alliantiemonitor.privacy.urls")),
    path("onderzoek/", include("alliantiemonitor.research.urls")),
    path("oefenen/", include("alliantiemonitor.practice.urls")),
    path("api/v1/", include("alliantiemonitor.api.urls")),
    path("koppelingen/", include("alliantiemonitor.api.urls_tokens")),
    path("koppelingen/", include("alliantiemonitor.api.urls_webhooks")),
    # Client pages (no account): short, easy to type, nothing of the staff pages.
    path("m/", include((client_urlpatterns, "client"))),
    path("", include("alliantiemonitor.web.urls")),
]

# Under /api/ every error is JSON like the API's own (docs/api.md); elsewhere the site's page. A
# database that cannot be reached answers 503 ("try again shortly"), anything else 500.
handler400 = "alliantiemonitor.handlers.bad_request"
handler403 = "alliantiemonitor.handlers.permission_denied"
handler404 = "alliantiemonitor.handlers.page_not_found"
handler500 = "alliantiemonitor.handlers.server_error"
