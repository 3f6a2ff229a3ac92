"""Practice mode for training and education (staff pages under /oefenen/)."""

from django.urls import path

from alliantiemonitor.practice import views

app_name = "practice"

urlpatterns = [
    path("", views.start, name="start"),
    path("casus/<str:code>/", views.case, name="case"),
    path("casus/<str:code>/invullen/", views.fill, name="fill"),
    path("casus/<str:code>/controleren/", views.confirm, name="confirm"),
    path("casus/<str:code>/gesprek/", views.joint, name="joint"),
    path("casus/<str:code>/opnieuw/", views.replay, name="replay"),
]
