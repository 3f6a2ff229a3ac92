"""Free text about clients is encrypted at rest, readable with any configured key, rotatable."""

from __future__ import annotations

import base64

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from alliantiemonitor.api.models import WebhookEndpoint
from alliantiemonitor.common import encryption
from alliantiemonitor.common.checks import check_field_keys, check_field_keys_set
from alliantiemonitor.common.encryption import DecryptionError, key_id
from alliantiemonitor.common.field_rotation import encrypted_fields, rotate
from alliantiemonitor.conversations.models import Agreement, Evaluation
from alliantiemonitor.imports.models import CaseloadImport
from alliantiemonitor.measurements.models import Response
from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.research.models import FollowUpImport, Study
from alliantiemonitor.scheduling.models import ClientContact
from alliantiemonitor.trajectories.models import Assignment, OutcomeEvent, Trajectory
from tests.factories import AgreementFactory, EvaluationFactory, OutcomeEventFactory


def _key(seed: str) -> str:
    return base64.urlsafe_b64encode(seed.encode().ljust(32, b"!")[:32]).decode()


KEY_A = _key("key-a-for-tests")
KEY_B = _key("key-b-for-tests")
SECRET = "Cliënt mag niet in de buurt van het station komen"


def raw(instance, field: str) -> str:
    """The column as the database holds it, read past the ORM."""
    table = instance._meta.db_table
    column = instance._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [instance.pk])  # noqa: S608
        return cursor.fetchone()[0]


def write_raw(instance, field: str, value: str) -> None:
    """Write the column past the ORM, as a bulk loader or an old version would."""
    table = instance._meta.db_table
    column = instance._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE id = %s",  # noqa: S608
            [value, instance.pk],
        )


def test_every_free_text_field_about_clients_is_encrypted():
    assert {(model, field) for model, field in encrypted_fields()} == {
        (Agreement, "text"),
        (Evaluation, "comment"),
        (Trajectory, "legal_frame"),
        (Assignment, "reason"),
        (OutcomeEvent, "note"),
        (Response, "correction_reason"),
        (Signal, "acknowledgement_note"),
        (ClientContact, "email"),
        # Not about a client, but a key: the secret of a study's keyed hashes (study keys).
        (Study, "secret"),
        # A follow-up file between its dry run and its confirmation (study keys and outcomes).
        (FollowUpImport, "content"),
        # A caseload file between its dry run and its confirmation (clients' names).
        (CaseloadImport, "content"),
        # Not about a client, but a key: the secret that signs an organisation's webhooks.
        (WebhookEndpoint, "secret"),
    }


def test_the_database_never_holds_the_plaintext(db):
    agreement = AgreementFactory(text=SECRET)
    event = OutcomeEventFactory(note=SECRET)
    evaluation = EvaluationFactory(comment=SECRET)
    trajectory = event.trajectory
    trajectory.legal_frame = SECRET
    trajectory.save()
    for instance, field in [
        (agreement, "text"),
        (event, "note"),
        (evaluation, "comment"),
        (trajectory, "legal_frame"),
    ]:
        stored = raw(instance, field)
        assert SECRET not in stored
        assert "station" not in stored
        assert stored.startswith(f"enc1${encryption.keyring().current}$")
        fresh = type(instance).objects.get(pk=instance.pk)
        assert getattr(fresh, field) == SECRET
    # values() and values_list() decrypt as well.
    assert list(Agreement.objects.values_list("text", flat=True)) == [SECRET]


def test_the_same_text_encrypts_differently_each_time(db):
    first, second = AgreementFactory(text=SECRET), AgreementFactory(text=SECRET)
    assert raw(first, "text") != raw(second, "text")


def test_empty_text_stays_empty(db):
    event = OutcomeEventFactory(note="")
    assert raw(event, "note") == ""
    assert OutcomeEvent.objects.get(pk=event.pk).note == ""


def test_the_length_limit_is_on_the_text_not_the_ciphertext(db):
    agreement = AgreementFactory(text="x" * 1000)
    agreement.full_clean()
    assert len(raw(agreement, "text")) > 1000
    agreement.text = "x" * 1001
    with pytest.raises(ValidationError):
        agreement.full_clean()


def test_filtering_on_an_encrypted_field_fails_loudly(db):
    AgreementFactory(text=SECRET)
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(Agreement.objects.filter(text=SECRET))
    with pytest.raises(FieldError, match="encrypted at rest"):
        list(Agreement.objects.filter(text__icontains="station"))
    assert Agreement.objects.filter(text__isnull=False).count() == 1


def test_only_emptiness_can_be_asked_of_the_database(db):
    with_note, without = OutcomeEventFactory(note=SECRET), OutcomeEventFactory(note="")
    assert list(OutcomeEvent.objects.filter(note="")) == [without]
    assert list(OutcomeEvent.objects.exclude(note="")) == [with_note]
    with pytest.raises(FieldError, match="can only tell whether it is empty"):
        list(OutcomeEvent.objects.filter(note=SECRET))


def test_a_client_e_mail_address_is_encrypted(db, client_record):
    contact = ClientContact.objects.create(client=client_record, email="jan.jansen@example.org")
    assert "jansen" not in raw(contact, "email")
    assert ClientContact.objects.get(pk=contact.pk).email == "jan.jansen@example.org"
    contact.email = "geen adres"
    with pytest.raises(ValidationError):
        contact.full_clean()


def test_rotation_from_key_a_to_key_b(db, settings):
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_A]
    agreements = [AgreementFactory(text=f"{SECRET} {n}") for n in range(5)]
    event = OutcomeEventFactory(note=SECRET)
    assert all(raw(a, "text").startswith(f"enc1${key_id(KEY_A)}$") for a in agreements)

    # Step 1: B becomes current, A stays behind it. Old rows read; new rows use B.
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_B, KEY_A]
    assert [Agreement.objects.get(pk=a.pk).text for a in agreements] == [
        f"{SECRET} {n}" for n in range(5)
    ]
    newer = AgreementFactory(text="Nieuw")
    assert raw(newer, "text").startswith(f"enc1${key_id(KEY_B)}$")
    with pytest.raises(CommandError, match=r"\d+ values are not under the current key"):
        call_command("rotate_field_keys", "--check")

    # Step 2: rotate; every value is under B afterwards.
    call_command("rotate_field_keys", "--batch-size", "2")
    for instance, field in [*[(a, "text") for a in agreements], (event, "note")]:
        assert raw(instance, field).startswith(f"enc1${key_id(KEY_B)}$")
    call_command("rotate_field_keys", "--check")

    # Step 3: A goes; everything still reads.
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_B]
    assert sorted(Agreement.objects.values_list("text", flat=True)) == sorted(
        ["Nieuw", *[f"{SECRET} {n}" for n in range(5)]]
    )
    assert OutcomeEvent.objects.get(pk=event.pk).note == SECRET


def test_rotation_is_idempotent_and_resumable(db, settings):
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_A]
    agreements = [AgreementFactory(text=f"Afspraak {n}") for n in range(5)]
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_B, KEY_A]
    # An interrupted run: one batch of two, then the process stops.
    batches = rotate(Agreement, "text", batch_size=2)
    assert next(batches) == 2
    batches.close()
    under_b = [raw(a, "text").startswith(f"enc1${key_id(KEY_B)}$") for a in agreements]
    assert under_b == [True, True, False, False, False]
    # The next run picks up the rest only, and a run after that finds nothing.
    assert sum(rotate(Agreement, "text", batch_size=2)) == 3
    before = [raw(a, "text") for a in agreements]
    assert sum(rotate(Agreement, "text", batch_size=2)) == 0
    assert [raw(a, "text") for a in agreements] == before


def test_rotation_encrypts_plaintext_written_around_the_app(db):
    agreement = AgreementFactory(text="Eerst")
    write_raw(agreement, "text", SECRET)
    with pytest.raises(DecryptionError, match="not encrypted"):
        Agreement.objects.get(pk=agreement.pk)
    call_command("rotate_field_keys")
    assert SECRET not in raw(agreement, "text")
    assert Agreement.objects.get(pk=agreement.pk).text == SECRET


def test_a_value_under_an_unknown_key_gives_a_clear_error(db, settings):
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_A]
    agreement = AgreementFactory(text=SECRET)
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_B]
    with pytest.raises(DecryptionError, match=f"encrypted with key {key_id(KEY_A)}"):
        Agreement.objects.get(pk=agreement.pk)
    # The rotation stops with the same explanation and changes nothing.
    before = raw(agreement, "text")
    with pytest.raises(CommandError, match=f"key {key_id(KEY_A)}, which is not in"):
        call_command("rotate_field_keys")
    assert raw(agreement, "text") == before


def test_a_damaged_value_gives_a_clear_error(db):
    agreement = AgreementFactory(text=SECRET)
    stored = raw(agreement, "text")
    write_raw(agreement, "text", stored[:-6] + ("AAAAAA" if stored[-6:] != "AAAAAA" else "BBBBBB"))
    with pytest.raises(DecryptionError, match="damaged"):
        Agreement.objects.get(pk=agreement.pk)


def test_without_keys_nothing_is_written_in_plaintext(db, settings):
    settings.ALLIANTIEMONITOR_FIELD_KEYS = []
    with (
        pytest.raises(ImproperlyConfigured, match="ALLIANTIEMONITOR_FIELD_KEYS is not set"),
        transaction.atomic(),
    ):
        AgreementFactory(text=SECRET)
    assert not Agreement.objects.exists()


def test_bad_keys_are_refused():
    with pytest.raises(ImproperlyConfigured, match="key number 2 is not a valid key"):
        encryption.parse_keys([KEY_A, "too-short"])
    with pytest.raises(ImproperlyConfigured, match="listed twice"):
        encryption.parse_keys([KEY_A, KEY_A])


def test_checks(settings):
    settings.ALLIANTIEMONITOR_FIELD_KEYS = []
    settings.DEBUG = False
    assert [e.id for e in check_field_keys_set()] == ["alliantiemonitor.E301"]
    settings.DEBUG = True
    assert check_field_keys_set() == []
    settings.DEBUG = False
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_A]
    assert check_field_keys_set() == []
    assert check_field_keys() == []
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_A, "not-a-key"]
    assert [e.id for e in check_field_keys()] == ["alliantiemonitor.E302"]


ENCRYPTING_MIGRATIONS = [
    ("conversations", "0002_encrypt_free_text"),
    ("trajectories", "0002_encrypt_free_text"),
    ("measurements", "0009_encrypt_free_text"),
    ("monitoring", "0003_encrypt_free_text"),
    ("scheduling", "0003_encrypt_client_email"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_encrypt_existing_text_and_decrypt_it_on_the_way_back():
    agreement = AgreementFactory(text=SECRET)
    event = OutcomeEventFactory(note=SECRET, trajectory__legal_frame="Toezicht")
    contact = ClientContact.objects.create(
        client=event.trajectory.client, email="k.voorbeeld@example.org"
    )
    before = MigrationExecutor(connection).loader.graph.leaf_nodes()
    previous = []
    for app, name in ENCRYPTING_MIGRATIONS:
        number = int(name[:4]) - 1
        previous.append(
            next(
                node
                for node in MigrationExecutor(connection).loader.graph.nodes
                if node[0] == app and node[1].startswith(f"{number:04d}_")
            )
        )
    try:
        _migrate(previous)
        # Back: plaintext columns again.
        assert raw(agreement, "text") == SECRET
        assert raw(event, "note") == SECRET
        assert raw(event.trajectory, "legal_frame") == "Toezicht"
        assert raw(contact, "email") == "k.voorbeeld@example.org"
        # Forward: the text that was there is encrypted, and reads as before.
        _migrate(ENCRYPTING_MIGRATIONS)
        assert raw(agreement, "text").startswith("enc1$")
        assert raw(event, "note").startswith("enc1$")
        assert raw(event.trajectory, "legal_frame").startswith("enc1$")
        assert raw(contact, "email").startswith("enc1$")
        # Read through today's models once every later migration (new columns) is there.
        _migrate(before)
        assert Agreement.objects.get(pk=agreement.pk).text == SECRET
        assert OutcomeEvent.objects.get(pk=event.pk).note == SECRET
        assert Trajectory.objects.get(pk=event.trajectory.pk).legal_frame == "Toezicht"
        assert ClientContact.objects.get(pk=contact.pk).email == "k.voorbeeld@example.org"
    finally:
        _migrate(before)


def test_the_deploy_check_fails_closed_without_a_key(settings):
    settings.DEBUG = False
    settings.ALLIANTIEMONITOR_FIELD_KEYS = []
    with pytest.raises(SystemCheckError, match=r"alliantiemonitor\.E301"):
        call_command("check", "--deploy")
