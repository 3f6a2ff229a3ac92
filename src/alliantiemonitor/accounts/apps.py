from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "alliantiemonitor.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from alliantiemonitor.accounts import signals
        from alliantiemonitor.accounts.middleware import idle_clock_start

        signals.connect()
        user_logged_in.connect(idle_clock_start, dispatch_uid="alliantiemonitor.idle_clock")
