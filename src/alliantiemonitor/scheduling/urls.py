"""Pages of schedules and mail (namespace ``scheduling``)."""

from django.urls import path

from . import views

app_name = "scheduling"

urlpatterns = [
    path("organisatie/<uuid:uuid>/", views.organisation_schedule, name="organisation"),
    path("traject/<uuid:uuid>/", views.trajectory_schedule, name="trajectory"),
    path("mail/", views.mail_settings, name="mail_settings"),
    path("afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
