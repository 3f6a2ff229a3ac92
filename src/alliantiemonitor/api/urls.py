"""``/api/v1/``: the REST API (namespace ``api``), its OpenAPI description and its docs."""

from django.urls import path

from . import views, views_docs

app_name = "api"

urlpatterns = [
    path("trajectories/", views.TrajectoryList.as_view(), name="trajectories"),
    path("trajectories/<uuid:uuid>/", views.TrajectoryDetail.as_view(), name="trajectory"),
    path(
        "trajectories/<uuid:uuid>/close/", views.TrajectoryClose.as_view(), name="trajectory_close"
    ),
    path(
        "trajectories/<uuid:uuid>/hand-over/",
        views.TrajectoryHandOver.as_view(),
        name="trajectory_hand_over",
    ),
    path(
        "trajectories/<uuid:uuid>/rounds/",
        views.TrajectoryRounds.as_view(),
        name="trajectory_rounds",
    ),
    path(
        "trajectories/<uuid:uuid>/outcomes/",
        views.TrajectoryOutcomes.as_view(),
        name="trajectory_outcomes",
    ),
    path("rounds/<uuid:uuid>/", views.RoundDetail.as_view(), name="round"),
    path(
        "rounds/<uuid:uuid>/invitations/",
        views.RoundInvitation.as_view(),
        name="round_invitation",
    ),
    path("rounds/<uuid:uuid>/results/", views.RoundResults.as_view(), name="round_results"),
    path("signals/", views.SignalList.as_view(), name="signals"),
    path("schema/", views_docs.SchemaView.as_view(), name="schema"),
    path("docs/", views_docs.docs, name="docs"),
]
