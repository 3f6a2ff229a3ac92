"""Erasing a client: everything attached goes, the audit trail stays verifiable without them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.audit.verify import verify_chain
from alliantiemonitor.trajectories.exceptions import NotAPrivacyOfficer, WrongConfirmation
from alliantiemonitor.trajectories.models import Client, RetentionNotice
from alliantiemonitor.trajectories.services import client_erase, client_reference
from tests.factories import ClientFactory, answer_round, full_answers

pytestmark = pytest.mark.django_db


def _client_models() -> list[type[models.Model]]:
    """Every model that points (directly or through a trajectory or round) at a client."""
    return [
        model
        for model in apps.get_models()
        if any(
            field.is_relation
            and field.many_to_one | field.one_to_one
            and field.related_model is not None
            and field.related_model._meta.label
            in {
                "trajectories.Client",
                "trajectories.Trajectory",
                "measurements.MeasurementRound",
                "measurements.Response",
                "conversations.Conversation",
            }
            for field in model._meta.get_fields()
            if field.concrete
        )
    ]


#: Kept on erasure on purpose: a study's record of the trajectory, with the study key only, when
#: the study keeps records after an erasure and the client consented (its link to the trajectory
#: becomes null; docs/research/studies.md).
KEPT_PSEUDONYMOUS = {"research.EnrolledTrajectory"}


@pytest.fixture
def rich_client(trajectory, professional, colleague, measurement_round, researcher, org_admin):
    """A client with something in every table that can refer to one."""
    from alliantiemonitor.conversations.services import (
        agreement_add,
        conversation_start,
        evaluation_record,
    )
    from alliantiemonitor.measurements.services import invitation_create, response_correct
    from alliantiemonitor.measurements.services.paper import paper_entry_save
    from alliantiemonitor.monitoring.models import Signal
    from alliantiemonitor.scheduling.models import Delivery
    from alliantiemonitor.scheduling.services.settings import (
        client_contact_set,
        trajectory_schedule_set,
    )
    from alliantiemonitor.trajectories.services import outcome_record, trajectory_hand_over

    invitation_create(round=measurement_round, kind="link", by=professional)
    own = answer_round(measurement_round, "professional", professional=professional)
    # The client's side from a paper form: the paper entry record goes with the client too.
    paper_entry_save(
        round=measurement_round,
        answers=full_answers(measurement_round.instrument, "client"),
        by=professional,
        verify=False,
    )
    item = measurement_round.instrument.items_for("professional")[0].id
    response_correct(response=own, answers={item: 2}, reason="Typefout", by=professional)
    conversation = conversation_start(round=measurement_round, by=professional)
    agreement_add(conversation=conversation, text="Elke week bellen", by=professional)
    evaluation_record(conversation=conversation, party="client", useful="yes", by=professional)
    Signal.objects.create(
        trajectory=trajectory,
        round=measurement_round,
        kind="disagreement",
        characteristic="trust",
        raised_at=timezone.now(),
    )
    trajectory_schedule_set(
        trajectory=trajectory,
        by=professional,
        planned_end_date=timezone.localdate() + dt.timedelta(90),
    )
    client_contact_set(
        client=trajectory.client, by=professional, email="kv@example.org", consent=True
    )
    Delivery.objects.create(
        kind="reminder",
        key=f"reminder:{measurement_round.uuid}:1",
        organisation=trajectory.organisation,
        trajectory=trajectory,
        round=measurement_round,
    )
    outcome_record(
        trajectory=trajectory, kind="no_show", date=timezone.localdate(), by=professional
    )
    trajectory_hand_over(trajectory=trajectory, to_professional=colleague, by=professional)
    RetentionNotice.objects.create(
        client=trajectory.client, noticed_at=timezone.now(), due_since=timezone.localdate()
    )
    from alliantiemonitor.research.services import (
        consent_record,
        study_create,
        study_enrol,
        study_enrolment_agree,
        study_status_set,
        trajectory_enrol,
    )

    study = study_create(
        by=researcher, name="Studie", information_text="Uitleg.", keep_after_erasure_months=12
    )
    study_status_set(study=study, by=researcher, status="active")
    study_enrolment_agree(
        enrolment=study_enrol(study=study, by=researcher, organisation=trajectory.organisation),
        by=org_admin,
    )
    consent_record(
        enrolled=trajectory_enrol(study=study, trajectory=trajectory, by=colleague),
        given=True,
        mode="client_flow",
    )
    return trajectory.client


def test_erase_deletes_everything_attached_and_keeps_the_chain(rich_client, org_admin):
    client = rich_client
    models_with_rows = {
        model._meta.label: model.objects.count()
        for model in _client_models()
        if model._meta.label != "audit.AuditEvent"
    }
    # The fixture really fills every table that can hold something of a client.
    assert all(models_with_rows.values()), models_with_rows
    other = ClientFactory(organisation=client.organisation, display_name="A.B.")
    about_client = AuditEvent.objects.filter(client=client).count()

    summary = client_erase(client=client, by=org_admin, confirmation=client_reference(client))

    assert not Client.objects.filter(pk=client.pk).exists()
    assert Client.objects.filter(pk=other.pk).exists()
    for label in set(models_with_rows) - KEPT_PSEUDONYMOUS:
        assert not apps.get_model(label).objects.exists(), label
    kept = apps.get_model("research.EnrolledTrajectory").objects.get()
    assert kept.trajectory is None
    assert kept.consents.count() == 1
    assert summary["events_redacted"] == about_client
    assert summary["deleted"]["trajectories.Client"] == 1
    assert not AuditEvent.objects.filter(client_id=client.pk).exists()
    erased = AuditEvent.objects.get(action="client.erase")
    assert erased.actor == org_admin
    assert erased.organisation == client.organisation
    assert "K.V." not in str(erased.detail)
    result = verify_chain()
    assert result.intact, result.broken
    assert result.redacted == about_client


def test_erase_needs_the_organisation_admin(client_record, professional, outsider, org_admin):
    reference = client_reference(client_record)
    for user in (professional, outsider, None):
        with pytest.raises(NotAPrivacyOfficer):
            client_erase(client=client_record, by=user, confirmation=reference)
    org_admin.is_active = False
    org_admin.save()
    with pytest.raises(NotAPrivacyOfficer):
        client_erase(client=client_record, by=org_admin, confirmation=reference)
    assert Client.objects.filter(pk=client_record.pk).exists()


def test_erase_needs_the_right_confirmation(trajectory, org_admin):
    client = trajectory.client
    before = AuditEvent.objects.count()
    for typed in ("", "K.V.", "00000000", client_reference(client)[:7]):
        with pytest.raises(WrongConfirmation):
            client_erase(client=client, by=org_admin, confirmation=typed)
    assert Client.objects.filter(pk=client.pk).exists()
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.filter(client=client, redacted_at__isnull=True).count() > 0
    # Spaces and capitals around the reference are forgiven.
    client_erase(client=client, by=org_admin, confirmation=f" {client_reference(client).upper()} ")
    assert not Client.objects.filter(pk=client.pk).exists()
