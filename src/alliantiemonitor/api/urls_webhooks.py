"""The organisation admin's pages of webhooks (namespace ``api_webhooks``)."""

from django.urls import path

from . import views_webhooks

app_name = "api_webhooks"

urlpatterns = [
    path("<uuid:organisation_uuid>/webhooks/", views_webhooks.webhook_list, name="list"),
    path("<uuid:organisation_uuid>/webhooks/nieuw/", views_webhooks.webhook_new, name="new"),
    path(
        "webhook/<uuid:endpoint_uuid>/uitzetten/",
        views_webhooks.webhook_deactivate_view,
        name="deactivate",
    ),
    path(
        "webhook/<uuid:endpoint_uuid>/verwijderen/",
        views_webhooks.webhook_delete_view,
        name="delete",
    ),
    path("webhook/<uuid:endpoint_uuid>/testen/", views_webhooks.webhook_test_view, name="test"),
]
