"""Organisations, their teams, and the role a user has in an organisation."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from alliantiemonitor.organisations.constants import DEFAULT_INSTRUMENT, Domain, Role


def instrument_ids() -> list[str]:
    """The ids of the instrument variants this installation knows."""
    # Imported late: the registry reads settings and files, which models must not do at import.
    from alliantiemonitor.instruments.registry import get_registry

    return list(get_registry().ids())


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_user(self, user) -> OrganisationQuerySet:
        """Organisations in which ``user`` has an active membership (any role)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user, memberships__active=True).distinct()


class Organisation(models.Model):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    domain = models.CharField(_("domain"), max_length=32, choices=Domain.choices)
    default_instrument = models.CharField(
        _("default instrument variant"),
        max_length=64,
        default=DEFAULT_INSTRUMENT,
        help_text=_(
            "The variant a new measurement round uses. Clients who prefer easy-read get the "
            "easy-read variant."
        ),
    )
    #: Months after a client's last trajectory ended after which the client's personal data
    #: are erased by the retention job (docs/privacy.md).
    retention_months = models.PositiveSmallIntegerField(
        _("retention (months after the end)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_(
            "After this many months since a client's last trajectory ended, the client's "
            "data are erased (announced 14 days before on the privacy page)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_domain_display(self) -> str:
        """The domain in words. Django's own builds a table of every choice on each call,
        eight times slower, and tables show it on every row."""
        try:
            return str(Domain(self.domain).label)
        except ValueError:  # not one of the choices: shown as stored, as Django's does
            return str(self.domain)

    def clean(self) -> None:
        super().clean()
        if self.default_instrument and self.default_instrument not in instrument_ids():
            raise ValidationError(
                {"default_instrument": _("This instrument variant is not available.")}
            )

    def audit_context(self) -> tuple[Organisation | None, None]:
        return self, None


class TeamQuerySet(models.QuerySet["Team"]):
    def for_organisation(self, organisation: Organisation) -> TeamQuerySet:
        return self.filter(organisation=organisation)


class Team(models.Model):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="teams",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_unique_name_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def audit_context(self) -> tuple[Organisation | None, None]:
        return self.organisation, None


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(active=True)

    def for_user(self, user) -> MembershipQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def for_organisation(self, organisation: Organisation) -> MembershipQuerySet:
        return self.filter(organisation=organisation)

    def with_role(self, *roles: str) -> MembershipQuerySet:
        return self.filter(role__in=roles)

    def professionals(self) -> MembershipQuerySet:
        return self.with_role(Role.PROFESSIONAL)


class Membership(models.Model):
    """A user's role in one organisation; a user may hold several roles there."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    teams = models.ManyToManyField(
        Team, blank=True, related_name="memberships", verbose_name=_("teams")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]
        indexes = [models.Index(fields=["user", "active"], name="membership_user_active")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def audit_context(self) -> tuple[Organisation | None, None]:
        return self.organisation, None
