from django.contrib import admin
from django.urls import include, path

client_urlpatterns = [
    path("", include("alliantiemonitor.measurements.client_urls_fill")),
    path("", include("alliantiemonitor.conversations.client_urls")),
    # Last: a personal link's token is anything the fixed client addresses are not.
    path("", include("alliantiemonitor.measurements.client_urls_invite")),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("clienten/", include("alliantiemonitor.trajectories.urls")),
    path("metingen/", include("alliantiemonitor.measurements.urls")),
    path("gesprek/", include("alliantiemonitor.conversations.urls")),
    path("verloop/", include("alliantiemonitor.monitoring.urls")),
    # Client pages (no account): short, easy to type, nothing of the staff pages. One
    # namespace, ``client``, made of the pages of the apps that serve the client.
    path("m/", include((client_urlpatterns, "client"))),
    path("", include("alliantiemonitor.web.urls")),
]
