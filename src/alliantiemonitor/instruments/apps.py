from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstrumentsConfig(AppConfig):
    name = "alliantiemonitor.instruments"
    verbose_name = _("Instruments")

    def ready(self) -> None:
        from django.core import checks

        from alliantiemonitor.instruments.checks import check_instrument_files

        checks.register(check_instrument_files)
