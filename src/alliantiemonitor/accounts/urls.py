"""Account pages (no namespace, like Django's own login and password names)."""

from django.urls import path

from alliantiemonitor.accounts import views_password_reset as password_reset
from alliantiemonitor.accounts import views_reauth as reauth
from alliantiemonitor.accounts import views_second_factor as second_factor

urlpatterns = [
    path("tweede-stap/", second_factor.second_factor_verify, name="second_factor_verify"),
    path(
        "tweede-stap/instellen/",
        second_factor.second_factor_enrol,
        name="second_factor_enrol",
    ),
    path(
        "tweede-stap/herstelcodes/",
        second_factor.second_factor_recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path(
        "tweede-stap/herstelcodes/download/",
        second_factor.second_factor_recovery_codes_download,
        name="second_factor_recovery_codes_download",
    ),
    path(
        "tweede-stap/herstelcodes/vernieuwen/",
        second_factor.second_factor_recovery_codes_renew,
        name="second_factor_recovery_codes_renew",
    ),
    path("opnieuw-bevestigen/", reauth.reauthenticate, name="reauthenticate"),
    path(
        "wachtwoord-vergeten/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "wachtwoord-vergeten/verstuurd/",
        password_reset.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "wachtwoord-vergeten/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-vergeten/klaar/",
        password_reset.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
