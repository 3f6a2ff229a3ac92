"""The organisation admin's caseload import (included in the ``trajectories`` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.upload, name="caseload_import"),
    path("import/<uuid:uuid>/", views.confirm, name="caseload_import_confirm"),
]
