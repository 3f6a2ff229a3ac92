"""Choices of studies, their phases, enrolment and research consent."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


#: The status changes a study may make: a draft starts, an active study closes.
STATUS_NEXT: dict[str, frozenset[str]] = {
    StudyStatus.DRAFT: frozenset({StudyStatus.ACTIVE}),
    StudyStatus.ACTIVE: frozenset({StudyStatus.CLOSED}),
    StudyStatus.CLOSED: frozenset(),
}


class PhaseKind(models.TextChoices):
    BASELINE = "nulmeting", _("Baseline (nulmeting)")
    INTERVENTION = "interventie", _("Intervention (interventie)")
    INTERIM = "tussenmeting", _("Interim measurement (tussenmeting)")
    FINAL = "eindmeting", _("Final measurement (eindmeting)")
    OTHER = "other", _("Other")


class ConsentMode(models.TextChoices):
    """How the client's answer reached the product."""

    CLIENT_FLOW = "client_flow", _("The client answered in the questionnaire")
    ON_PAPER = "professional_on_paper", _("On paper, recorded by the professional")
    TELEPHONE = "telephone", _("By telephone, recorded by the professional")


#: The modes a professional records (the client flow records its own).
STAFF_CONSENT_MODES = (ConsentMode.ON_PAPER, ConsentMode.TELEPHONE)


class ResponseMode(models.TextChoices):
    """How the answers to a phase questionnaire reached the product."""

    ONLINE = "online", _("Online, by the client")
    TELEPHONE = "telephone", _("By telephone, typed in by a researcher")
    PAPER = "paper", _("On paper, typed in by a researcher")


#: The modes in which a researcher types in the answers (the client flow records its own).
STAFF_RESPONSE_MODES = (ResponseMode.TELEPHONE, ResponseMode.PAPER)


class ConsentState(models.TextChoices):
    """Where an enrolled trajectory stands: the newest consent record decides."""

    OPEN = "open", _("Not asked yet")
    GIVEN = "given", _("Consent given")
    REFUSED = "refused", _("Consent refused")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class FollowUpKind(models.TextChoices):
    """What a follow-up outcome file may report, per enrolled trajectory and date.

    Each kind has a value of one sort (:data:`FOLLOWUP_BINARY` or a count): see
    docs/research/followup.md for the file's columns.
    """

    RECIDIVISM = "recidivism", _("Recidivism (a new offence)")
    REARREST = "rearrest", _("New arrest or suspicion")
    RECONVICTION = "reconviction", _("New conviction")
    CUSTODY_DAYS = "custody_days", _("Days in custody")


#: Kinds whose value is yes (1) or no (0); the others count (a whole number, 0 or more).
FOLLOWUP_BINARY = frozenset(
    {FollowUpKind.RECIDIVISM, FollowUpKind.REARREST, FollowUpKind.RECONVICTION}
)
#: The largest file a follow-up import reads, and the most rows in it.
FOLLOWUP_MAX_BYTES = 5 * 1024 * 1024
FOLLOWUP_MAX_ROWS = 50_000
#: Hours during which a dry run can still be confirmed; after that, upload the file again.
FOLLOWUP_DRY_RUN_HOURS = 24


class RowStatus(models.TextChoices):
    """What a dry run says of one row of a follow-up file (and what applying it does)."""

    NEW = "new", _("Matched: will be added")
    CHANGED = "changed", _("Matched: will replace the stored value")
    UNCHANGED = "unchanged", _("Already imported: nothing changes")
    UNMATCHED = "unmatched", _("Not matched: unknown study key, or no consent")
    AMBIGUOUS = "ambiguous", _("Ambiguous: the client has more than one trajectory in the study")
    INVALID = "invalid", _("Invalid")
    DUPLICATE = "duplicate", _("Duplicate of an earlier row")


class DyadPattern(models.TextChoices):
    """The course of a dyad's alliance, from the course labels of all its series."""

    STABLE = "stable", _("Stable")
    IMPROVING = "improving", _("Improving")
    DETERIORATING = "deteriorating", _("Deteriorating")
    MIXED = "mixed", _("Mixed (improving and deteriorating)")


#: Fewest scored rounds a dyad needs to be drawn (the default of the form).
SAMPLE_MIN_ROUNDS = 3
#: Most dyads asked per pattern in one sample.
SAMPLE_MAX_SIZE = 500


class OutputKind(models.TextChoices):
    """What the worker builds for a study on a researcher's request."""

    EXPORT = "export", _("Pseudonymised export")
    REPORT = "report", _("Study report")


class OutputState(models.TextChoices):
    """Where a requested export or report stands."""

    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Being built")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired and deleted")


#: Days a built export or report can be downloaded before its files are deleted.
OUTPUT_KEEP_DAYS = 7
#: Minutes after which a build that gave no sign of life counts as lost and is started again.
OUTPUT_STALE_MINUTES = 30
