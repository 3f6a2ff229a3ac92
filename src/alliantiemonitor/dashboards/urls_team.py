from django.urls import path

from . import views_team

app_name = "dashboards"

urlpatterns = [
    path("team/<uuid:team_uuid>/", views_team.team_dashboard, name="team"),
    path("team/<uuid:team_uuid>/csv/", views_team.team_csv, name="team_csv"),
    path(
        "organisatie/<uuid:organisation_uuid>/",
        views_team.organisation_dashboard,
        name="organisation",
    ),
    path(
        "organisatie/<uuid:organisation_uuid>/csv/",
        views_team.organisation_csv,
        name="organisation_csv",
    ),
]
