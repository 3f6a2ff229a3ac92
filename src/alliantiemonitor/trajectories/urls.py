"""The professional's pages of clients (included in the ``trajectories`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("nieuw/", views.new, name="new"),
    path("<uuid:uuid>/overdragen/", views.hand_over, name="hand_over"),
]
