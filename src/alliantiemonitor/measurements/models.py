"""Measurement rounds, the two parties' responses, and the invitations that reach a client."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.common.fields import EncryptedTextField
from alliantiemonitor.core.instrument import Instrument
from alliantiemonitor.instruments import registry as instrument_registry
from alliantiemonitor.organisations.constants import Domain
from alliantiemonitor.organisations.models import Organisation
from alliantiemonitor.trajectories.models import Client, Trajectory

from .constants import (
    COLLECTING_STATES,
    UNDATED_ROUND_DUE_AFTER,
    InvitationKind,
    InvitationPurpose,
    Presentation,
    Rater,
    ResponseMode,
    RoundState,
)
from .exceptions import UnknownInstrument


class PinChanged(Exception):
    """Code tried to change the instrument a round is pinned to."""


class ResponseSealed(Exception):
    """Code tried to change a submitted response; corrections are new versions."""


class MeasurementRoundQuerySet(models.QuerySet["MeasurementRound"]):
    def collecting(self) -> MeasurementRoundQuerySet:
        """Rounds in which at least one party may still fill in."""
        return self.filter(state__in=COLLECTING_STATES)

    def for_trajectory(self, trajectory: Trajectory) -> MeasurementRoundQuerySet:
        return self.filter(trajectory=trajectory)

    def overdue(self, before: dt.date) -> MeasurementRoundQuerySet:
        """Collecting rounds whose due date lies before the date ``before``.

        A round without a due date counts as due :data:`UNDATED_ROUND_DUE_AFTER` after the day
        it was opened (in the product's time zone).
        """
        undated_opened_before = timezone.make_aware(
            dt.datetime.combine(before - UNDATED_ROUND_DUE_AFTER, dt.time.min)
        )
        return self.collecting().filter(
            Q(due_date__lt=before) | Q(due_date__isnull=True, opened_at__lt=undated_opened_before)
        )


class MeasurementRound(models.Model):
    """One moment at which client and professional each fill in the monitor (meting)."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    trajectory = models.ForeignKey(
        Trajectory, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("trajectory")
    )
    #: The instrument pin; set when the round starts and never changed.
    instrument_id = models.CharField(_("instrument"), max_length=64, editable=False)
    instrument_version = models.CharField(_("instrument version"), max_length=32, editable=False)
    #: The organisation's domain when the round started, for the wording the parties saw.
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    state = models.CharField(
        _("state"), max_length=24, choices=RoundState.choices, default=RoundState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    after_handover = models.BooleanField(
        _("after a change of professional"),
        default=False,
        help_text=_("The trajectory changed professional since the previous round."),
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="measurement_rounds",
        verbose_name=_("professional"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeasurementRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement round")
        verbose_name_plural = _("measurement rounds")
        ordering = ["trajectory_id", "opened_at", "pk"]
        indexes = [
            models.Index(fields=["trajectory", "opened_at"], name="round_trajectory_opened"),
            models.Index(fields=["state", "due_date"], name="round_state_due"),
            # The dashboards take an organisation's rounds of one quarter.
            models.Index(fields=["opened_at"], name="round_opened"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory"],
                condition=Q(state__in=sorted(COLLECTING_STATES)),
                name="round_one_collecting_per_trajectory",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_ref} ({self.opened_at:%Y-%m-%d})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        loaded = getattr(self, "_loaded_pin", None)
        if loaded is not None and loaded != (self.instrument_id, self.instrument_version):
            raise PinChanged("a round's instrument version is fixed when it starts")
        super().save(*args, **kwargs)
        self._loaded_pin = (self.instrument_id, self.instrument_version)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> MeasurementRound:
        instance = super().from_db(db, field_names, values)
        instance._remember_pin()
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_pin()

    def _remember_pin(self) -> None:
        # Only when loaded: reading a deferred field would load it, which calls from_db
        # again (endlessly). The deletion collector, for one, loads rounds without it.
        if not {"instrument_id", "instrument_version"} & self.get_deferred_fields():
            self._loaded_pin = (self.instrument_id, self.instrument_version)

    @property
    def instrument_ref(self) -> str:
        return f"{self.instrument_id}@{self.instrument_version}"

    @property
    def instrument(self) -> Instrument:
        """The pinned instrument, from the registry: the one way to get a round's instrument.

        Raises :class:`~alliantiemonitor.measurements.exceptions.UnknownInstrument` when the
        pinned ``id@version`` is not installed (any more).
        """
        try:
            return instrument_registry.get_registry().get(
                self.instrument_id, version=self.instrument_version
            )
        except KeyError as exc:
            raise UnknownInstrument(ref=self.instrument_ref) from exc

    def vocabulary(self, language: str) -> dict[str, str]:
        """The domain words that fill in this round's statements, in ``language``."""
        from alliantiemonitor.core.domains import default_domains

        try:
            return default_domains().vocabulary(self.domain, language)
        except KeyError:
            # A domain removed from the vocabulary after the round: show the placeholders
            # rather than failing the page.
            return {}

    @property
    def is_collecting(self) -> bool:
        return self.state in COLLECTING_STATES

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.trajectory.audit_context()


class ResponseQuerySet(models.QuerySet["Response"]):
    def current(self) -> ResponseQuerySet:
        return self.filter(is_current=True)

    def submitted(self) -> ResponseQuerySet:
        return self.filter(submitted_at__isnull=False)

    def drafts(self) -> ResponseQuerySet:
        return self.filter(submitted_at__isnull=True)

    def by_rater(self, rater: str) -> ResponseQuerySet:
        return self.filter(rater=rater)

    def with_round_state(self) -> ResponseQuerySet:
        """Each response with its round's state as it is now (``round_state_now``), read in
        the same query: a save without the round's lock relies on the two being read together
        (``services.responses.response_save_answers``)."""
        return self.annotate(round_state_now=models.F("round__state"))


class Response(models.Model):
    """One party's answers in one round (invulling); sealed once submitted."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        MeasurementRound,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("measurement round"),
    )
    rater = models.CharField(_("rater"), max_length=16, choices=Rater.choices)
    #: The professional who answered; empty for the client's side.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("respondent"),
    )
    #: ``{item_id: value or None}``; None and absent both mean "not answered".
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    #: Item ids the client wants to talk about.
    flagged = models.JSONField(_("flagged items"), default=list, blank=True)
    mode = models.CharField(_("mode"), max_length=24, choices=ResponseMode.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    #: RESTRICT, not PROTECT: an earlier version cannot be deleted on its own, but both go
    #: when their round does (the erasure of a client).
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    correction_reason = EncryptedTextField(_("reason for correction"), max_length=500, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    #: For a client draft: the public id of the invitation it was begun through. Another
    #: invitation (a new link or code) neither shows nor changes it: the draft stays bound to
    #: the client who began it. Empty for hand-overs, paper entry and the professional.
    entry_key = models.CharField(_("entry"), max_length=64, blank=True, default="")
    #: The language the statements were shown in at the last save (``tr``, ``ar``, ...), so the
    #: professional reads the answers against their own language with the client's noted.
    #: Empty for responses saved before it was recorded.
    language = models.CharField(_("language"), max_length=8, blank=True, default="")
    #: How the statements were shown at the last save (a list, one per screen, the card
    #: game), so that research can tell the presentations apart. Empty before it was kept.
    presentation = models.CharField(
        _("presentation"),
        max_length=16,
        choices=Presentation.choices,
        blank=True,
        default="",
        db_default="",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["round_id", "rater", "version"]
        indexes = [
            models.Index(fields=["round", "rater", "is_current"], name="response_round_rater"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "rater"],
                condition=Q(is_current=True),
                name="response_one_current_per_rater",
            ),
            models.UniqueConstraint(
                fields=["round", "rater", "version"], name="response_unique_version"
            ),
            models.CheckConstraint(
                condition=Q(rater__in=Rater.values), name="response_rater_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rater_display()} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        sealed = getattr(self, "_sealed", None)
        if sealed is not None and sealed != self._seal():
            raise ResponseSealed("a submitted response cannot change; correct it instead")
        super().save(*args, **kwargs)
        self._sealed = self._seal()

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Response:
        instance = super().from_db(db, field_names, values)
        instance._remember_seal()
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._remember_seal()

    #: The fields that ``_seal`` reads.
    _SEALED_FIELDS = frozenset(
        {"submitted_at", "answers", "flagged", "rater", "round_id", "respondent_id", "mode"}
    )

    def _remember_seal(self) -> None:
        # Only when loaded: reading a deferred field would load it, which calls from_db
        # again (endlessly). The deletion collector, for one, loads responses without them.
        if not self._SEALED_FIELDS & self.get_deferred_fields():
            self._sealed = self._seal()

    def _seal(self) -> tuple[Any, ...] | None:
        if self.submitted_at is None:
            return None
        # Serialised, so that changing the answers dict in place is noticed too.
        content = json.dumps([self.answers, self.flagged], sort_keys=True, default=str)
        return (
            content,
            self.rater,
            self.round_id,
            self.submitted_at,
            self.respondent_id,
            self.mode,
        )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def score_map(self) -> dict[str, float | None]:
        """``{characteristic: score or None}`` as stored at submit (empty for a draft)."""
        return {s.characteristic: s.value for s in self.scores.all()}

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.round.audit_context()


class ResponseScoreQuerySet(models.QuerySet["ResponseScore"]):
    def current(self) -> ResponseScoreQuerySet:
        """The scores of current (not superseded) responses."""
        return self.filter(response__is_current=True)


class ResponseScore(models.Model):
    """A submitted response's score on one characteristic, stored when it is submitted.

    Written by ``response_submit`` and ``response_correct`` with the same core function the
    pages used to call (:func:`alliantiemonitor.core.scoring.score_answers`), so the caseload,
    course, signals and dashboards read a number instead of rescoring every response on every
    page. ``value`` is empty when too few of the characteristic's items were answered. A
    correction is a new response version with its own scores; the old version keeps its own.
    """

    response = models.ForeignKey(
        "Response",
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("response"),
    )
    #: A copy of the response's rater, so aggregates per rater need no join.
    rater = models.CharField(_("rater"), max_length=16, choices=Rater.choices)
    characteristic = models.CharField(_("characteristic"), max_length=32)
    value = models.FloatField(_("score"), null=True, blank=True)

    objects = ResponseScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["response_id", "characteristic"]
        indexes = [
            models.Index(fields=["characteristic", "rater"], name="score_characteristic_rater"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "characteristic"], name="score_one_per_characteristic"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.characteristic}: {self.value}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self, now: Any = None) -> InvitationQuerySet:
        """Not revoked and not expired at ``now``."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def not_revoked(self) -> InvitationQuerySet:
        return self.filter(revoked_at__isnull=True)

    def to_fill(self) -> InvitationQuerySet:
        return self.filter(purpose=InvitationPurpose.FILL)

    def to_read_back(self) -> InvitationQuerySet:
        return self.filter(purpose=InvitationPurpose.READ_BACK)


class Invitation(models.Model):
    """How a client without an account reaches their response in one round.

    Only a hash of the secret is stored; the secret itself is shown once when it is made.
    """

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    round = models.ForeignKey(
        MeasurementRound,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("measurement round"),
    )
    kind = models.CharField(_("kind"), max_length=8, choices=InvitationKind.choices)
    purpose = models.CharField(
        _("purpose"),
        max_length=16,
        choices=InvitationPurpose.choices,
        default=InvitationPurpose.FILL,
    )
    token_hash = models.CharField(
        _("token hash"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    code_hash = models.CharField(
        _("code hash"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=InvitationKind.LINK, token_hash__isnull=False, code_hash__isnull=True)
                    | Q(kind=InvitationKind.CODE, code_hash__isnull=False, token_hash__isnull=True)
                ),
                name="invitation_one_secret_of_its_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.expires_at:%Y-%m-%d %H:%M})"

    def audit_context(self) -> tuple[Organisation, Client]:
        return self.round.audit_context()


class AccessAttempt(models.Model):
    """One refused (or not yet decided) attempt to enter a client page: a wrong link or code.

    Kept in the database, not in memory, so that every app process sees the same count; only a
    keyed hash of the address (or user) is stored. Rows older than the window are deleted lazily
    (see :mod:`alliantiemonitor.measurements.ratelimit`).
    """

    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    #: What was guessed (``entry``): lets the system admin see a wave of wrong
    #: codes from many addresses without reading any address.
    scope = models.CharField(_("scope"), max_length=16, default="", editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("refused access attempt")
        verbose_name_plural = _("refused access attempts")
        indexes = [models.Index(fields=["key_hash", "created_at"], name="attempt_key_created")]

    def __str__(self) -> str:
        return f"{self.key_hash[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class AccessBucket(models.Model):
    """One row per rate-limit key: the lock that makes "check, then count" atomic.

    Parallel guesses from one key wait for each other on this row (``SELECT … FOR UPDATE``), so
    no more than the limit can ever be checked; different keys never wait for each other, so a
    guesser cannot shut out everyone else.
    """

    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    touched_at = models.DateTimeField(_("touched at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("rate-limit key")
        verbose_name_plural = _("rate-limit keys")

    def __str__(self) -> str:
        return f"{self.key_hash[:8]}…"


# Registered with the app here; the model lives in its own module.
from .paper_models import PaperEntry as PaperEntry  # noqa: E402
from .paper_models import PaperEntryState as PaperEntryState  # noqa: E402
