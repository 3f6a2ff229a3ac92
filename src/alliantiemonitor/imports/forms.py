"""The caseload file upload (docs/import.md); the service reads and checks the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.organisations.models import Organisation


class CaseloadUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": _("Choose the organisation.")},
    )
    file = forms.FileField(
        label=_("Caseload file (CSV)"),
        help_text=_("A CSV file (UTF-8) with the columns listed above. At most 1 MB, 1,000 rows."),
        error_messages={
            "required": _("Choose a CSV file."),
            "empty": _("The file is empty."),
            "invalid": _("Choose a CSV file."),
        },
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
