"""The organisation admin's pages of API tokens (namespace ``api_tokens``)."""

from django.urls import path

from . import views_tokens

app_name = "api_tokens"

urlpatterns = [
    path("<uuid:organisation_uuid>/", views_tokens.token_list, name="list"),
    path("<uuid:organisation_uuid>/nieuw/", views_tokens.token_new, name="new"),
    path("token/<uuid:token_uuid>/intrekken/", views_tokens.token_revoke_view, name="revoke"),
]
