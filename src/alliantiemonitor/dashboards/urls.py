"""The caseload (included in the ``trajectories`` namespace, under ``/clienten/``)."""

from django.urls import path

from alliantiemonitor.dashboards import views

urlpatterns = [
    path("", views.caseload, name="caseload"),
]
