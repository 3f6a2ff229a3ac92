"""The professional's pages of clients (included in the ``trajectories`` namespace).

The privacy officer's pages (the organisation admin's) live here too, under ``privacy/``.
"""

from django.urls import path

from . import views, views_privacy

urlpatterns = [
    path("nieuw/", views.new, name="new"),
    path("<uuid:uuid>/overdragen/", views.hand_over, name="hand_over"),
    path("privacy/", views_privacy.clients, name="privacy_clients"),
    path("privacy/<uuid:uuid>/", views_privacy.trail, name="privacy_trail"),
    path("privacy/<uuid:uuid>/csv/", views_privacy.trail_csv, name="privacy_trail_csv"),
    path("privacy/<uuid:uuid>/wissen/", views_privacy.erase, name="privacy_erase"),
]
