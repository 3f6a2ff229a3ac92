from django.urls import include, path

from alliantiemonitor.accounts.views import (
    LoginView,
    LogoutView,
    PasswordChangeView,
    SsoCallbackView,
    SsoLoginView,
)

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", LoginView.as_view(), name="login"),
    path("uitloggen/", LogoutView.as_view(), name="logout"),
    # Single sign-on (404 unless configured); the provider must allow the callback's address.
    path("sso/inloggen/", SsoLoginView.as_view(), name="sso_login"),
    path("sso/callback/", SsoCallbackView.as_view(), name="sso_callback"),
    path("wachtwoord/", PasswordChangeView.as_view(), name="password_change"),
    path("", include("alliantiemonitor.accounts.urls")),
    # Liveness (the database answers) and readiness (and is migrated); docs/production.md.
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Browsers (and the admin pages, which have no icon link) ask for /favicon.ico.
    path("favicon.ico", views.favicon),
]
