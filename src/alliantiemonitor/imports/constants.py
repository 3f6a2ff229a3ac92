"""The caseload file's columns, limits and what a dry run says of a row (docs/import.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

#: The largest caseload file that is read, and the most rows in it.
CASELOAD_MAX_BYTES = 1024 * 1024
CASELOAD_MAX_ROWS = 1000
#: Minutes during which a dry run can be confirmed; after that, upload the file again. Short:
#: the file (encrypted) holds pseudonyms and is kept only for the confirmation.
CASELOAD_DRY_RUN_MINUTES = 60

#: Every column by its name, with the names a header may use for it (English and Dutch).
#: A header compares without case, and with a space or hyphen read as an underscore.
COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "extern_id"),
    "display_name": ("display_name", "weergavenaam"),
    "language": ("language", "taal"),
    "domain": ("domain", "domein"),
    "team": ("team",),
    "professional": ("professional", "begeleider"),
    "start_date": ("start_date", "startdatum"),
    "end_date": ("end_date", "einddatum"),
    "end_reason": ("end_reason", "reden_einde"),
}
#: The columns a file must have; a value may still be empty where docs/import.md says so.
REQUIRED_COLUMNS = (
    "external_id",
    "display_name",
    "language",
    "domain",
    "team",
    "professional",
    "start_date",
)


class RowStatus(models.TextChoices):
    """What a dry run says of one row (and what the import does with it)."""

    NEW = "new", _("New: will be created")
    UPDATED = "updated", _("Changed: will be updated")
    UNCHANGED = "unchanged", _("Unchanged")
    INVALID = "invalid", _("Problem: cannot be imported")


class Problem(models.TextChoices):
    """The kinds of problem a row can have; each is reported with its column."""

    MISSING = "missing", _("missing value")
    DUPLICATE = "duplicate", _("duplicate external id")
    BAD_DATE = "bad_date", _("bad date")
    BAD_LANGUAGE = "bad_language", _("bad language")
    BAD_DOMAIN = "bad_domain", _("wrong domain")
    UNKNOWN_TEAM = "unknown_team", _("unknown team")
    UNKNOWN_PROFESSIONAL = "unknown_professional", _("unknown professional")
    BAD_VALUE = "bad_value", _("value cannot be used")
    CONFLICT = "conflict", _("conflicts with the monitor")
