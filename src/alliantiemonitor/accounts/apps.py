from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "alliantiemonitor.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from alliantiemonitor.accounts import checks, signals  # noqa: F401 (checks register)
        from alliantiemonitor.accounts.middleware import full_auth_clock_start, idle_clock_start

        signals.connect()
        user_logged_in.connect(idle_clock_start, dispatch_uid="alliantiemonitor.idle_clock")
        user_logged_in.connect(
            full_auth_clock_start, dispatch_uid="alliantiemonitor.full_auth_clock"
        )
