from django.contrib.auth import views as auth_views
from django.urls import path

from alliantiemonitor.accounts.views import PasswordChangeView

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "inloggen/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord/", PasswordChangeView.as_view(), name="password_change"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers (and the admin pages, which have no icon link) ask for /favicon.ico.
    path("favicon.ico", views.favicon),
]
