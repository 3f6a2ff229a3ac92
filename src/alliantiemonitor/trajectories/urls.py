"""The professional's pages of clients and trajectories (namespace ``trajectories``)."""

from django.urls import path

from . import views

app_name = "trajectories"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("nieuw/", views.new, name="new"),
    path("<uuid:uuid>/", views.detail, name="detail"),
    path("<uuid:uuid>/meting-starten/", views.start_round, name="start_round"),
    path("<uuid:uuid>/overdragen/", views.hand_over, name="hand_over"),
]
