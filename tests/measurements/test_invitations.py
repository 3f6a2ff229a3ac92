"""Invitations: a secret shown once, stored only as a hash, expiring and revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.measurements.constants import CODE_ALPHABET
from alliantiemonitor.measurements.exceptions import InvalidInvitation, InvitationNotAllowed
from alliantiemonitor.measurements.models import Invitation
from alliantiemonitor.measurements.services import (
    invitation_create,
    invitation_resolve,
    invitation_revoke,
    response_save_answers,
    response_submit,
    round_cancel,
)
from alliantiemonitor.measurements.services.invitations import secret_hash
from tests.factories import full_answers

pytestmark = pytest.mark.django_db


def test_link_resolves_and_only_the_hash_is_stored(measurement_round, professional):
    invitation, secret = invitation_create(round=measurement_round, kind="link", by=professional)

    assert len(secret) >= 40  # 32 random bytes in URL-safe base64
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.token_hash == secret_hash(secret)
    assert stored.code_hash is None
    assert secret not in {str(v) for v in Invitation.objects.values().get().values()}
    assert stored.expires_at - timezone.now() > dt.timedelta(days=13)

    resolved = invitation_resolve(secret=secret, kind="link")
    assert resolved == invitation
    assert resolved.last_used_at is not None
    assert AuditEvent.objects.filter(action="invitation.use", actor_kind="client").count() == 1


def test_code_is_short_unambiguous_and_forgiving_when_typed(measurement_round, professional):
    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)

    assert len(code) == 8
    assert set(code) <= set(CODE_ALPHABET)
    assert not set(code) & set("0O1IL")
    assert invitation.token_hash is None
    assert invitation.code_hash == secret_hash(code)
    assert invitation.expires_at - timezone.now() <= dt.timedelta(minutes=30)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert invitation_resolve(secret=typed, kind="code") == invitation


def test_wrong_secret(measurement_round, professional):
    invitation_create(round=measurement_round, kind="link", by=professional)
    for wrong in ["", "not-a-token", "ACDEFGHJ"]:
        for kind in ["link", "code"]:
            with pytest.raises(InvalidInvitation) as excinfo:
                invitation_resolve(secret=wrong, kind=kind)
            assert excinfo.value.reason == "unknown"


def test_each_secret_opens_only_through_its_own_route(measurement_round, professional):
    """A short code is only looked at behind the code form's rate limit, never as a link."""
    link, token = invitation_create(round=measurement_round, kind="link", by=professional)
    code_invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    with pytest.raises(InvalidInvitation):
        invitation_resolve(secret=code, kind="link")
    with pytest.raises(InvalidInvitation):
        invitation_resolve(secret=token, kind="code")
    assert invitation_resolve(secret=token, kind="link") == link
    assert invitation_resolve(secret=code, kind="code") == code_invitation


def test_expired(measurement_round, professional):
    _, secret = invitation_create(
        round=measurement_round, kind="link", by=professional, lifetime=dt.timedelta(hours=1)
    )
    later = timezone.now() + dt.timedelta(hours=1, seconds=1)
    with pytest.raises(InvalidInvitation) as excinfo:
        invitation_resolve(secret=secret, kind="link", now=later)
    assert excinfo.value.reason == "expired"


def test_revoked(measurement_round, professional):
    invitation, secret = invitation_create(round=measurement_round, kind="code", by=professional)
    invitation_revoke(invitation=invitation, by=professional)
    invitation_revoke(invitation=invitation, by=professional)  # idempotent
    with pytest.raises(InvalidInvitation) as excinfo:
        invitation_resolve(secret=secret, kind="code")
    assert excinfo.value.reason == "revoked"
    assert AuditEvent.objects.filter(action="invitation.revoke").count() == 1


def test_round_closed(measurement_round, professional):
    _, secret = invitation_create(round=measurement_round, kind="link", by=professional)
    round_cancel(round=measurement_round, by=professional)
    with pytest.raises(InvalidInvitation) as excinfo:
        invitation_resolve(secret=secret, kind="link")
    assert excinfo.value.reason == "round_closed"


def test_all_reasons_show_the_same_message(measurement_round, professional):
    messages = {str(InvalidInvitation(reason).message) for reason in ["unknown", "expired"]}
    assert len(messages) == 1


def test_no_invitation_once_the_client_has_submitted(measurement_round, professional):
    instrument = measurement_round.instrument
    response_save_answers(
        round=measurement_round,
        rater="client",
        answers=full_answers(instrument, "client"),
        mode="own_device",
    )
    response_submit(round=measurement_round, rater="client")
    with pytest.raises(InvitationNotAllowed):
        invitation_create(round=measurement_round, kind="link", by=professional)


def test_stored_hashes_are_keyed_with_the_secret_key(measurement_round, professional, settings):
    import hashlib

    invitation, code = invitation_create(round=measurement_round, kind="code", by=professional)
    # A plain hash of the code would let anyone with the database try all 25**8 codes.
    assert invitation.code_hash != hashlib.sha256(code.encode()).hexdigest()
    settings.SECRET_KEY = "another-" + "k" * 50
    with pytest.raises(InvalidInvitation):
        invitation_resolve(secret=code, kind="code")
