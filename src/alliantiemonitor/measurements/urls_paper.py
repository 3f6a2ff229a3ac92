"""Paper forms of a round: printing and typing in (included in the ``measurements`` namespace)."""

from django.urls import path

from alliantiemonitor.measurements.views import paper

urlpatterns = [
    path("<uuid:uuid>/papier/<str:form>.pdf", paper.paper_form, name="paper_form"),
    path("<uuid:uuid>/papier/invoeren/", paper.paper_entry, name="paper_entry"),
]
