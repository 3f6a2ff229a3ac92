"""The joint conversation about a round (staff pages under /gesprek/)."""

from django.urls import path

from alliantiemonitor.conversations import views, views_summary

app_name = "conversations"

urlpatterns = [
    path("<uuid>/", views.joint, name="joint"),
    path("<uuid>/gesprek/", views.conversation_start, name="start"),
    path("<uuid>/afspraken/", views.agreement_add, name="agreement_add"),
    path("<uuid>/evaluatie/", views.evaluate, name="evaluate"),
    path("<uuid>/besproken/", views.mark_discussed, name="mark_discussed"),
    path("<uuid>/samenvatting.pdf", views_summary.summary, name="summary"),
]
