"""Errors raised by the import services."""

from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.errors import DomainError


class ImportFileError(DomainError):
    """The file cannot be read at all; the message says why (nothing is stored)."""

    code = "import_file"
    default_message = _("The file cannot be read.")


class NotAnOrganisationAdmin(DomainError):
    code = "not_an_organisation_admin"
    default_message = _("Only an administrator of the organisation can import its caseload.")


class ImportHasProblems(DomainError):
    code = "import_has_problems"
    default_message = _(
        "The file has problems; nothing was imported. Correct them and check the file again."
    )


class ImportAlreadyApplied(DomainError):
    code = "import_already_applied"
    default_message = _("This file has already been imported; nothing was changed.")


class ImportExpired(DomainError):
    code = "import_expired"
    default_message = _("This check is too old to confirm. Upload the file again.")
