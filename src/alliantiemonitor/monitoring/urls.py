from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("<uuid:trajectory_uuid>/", views.course, name="course"),
]
