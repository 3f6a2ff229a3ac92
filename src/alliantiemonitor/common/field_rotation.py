"""Rewriting encrypted columns in batches: the first encryption and every key rotation.

The rows are read and written as raw column text (a cast to text), past the field's own
encryption, so that one routine serves the migrations (historical models, text that is not
encrypted yet), the rotation command (text under an old key) and the way back (plaintext).
Each batch is one transaction with its rows locked, so a professional who edits a row at the
same moment waits for the batch instead of being overwritten by it. A row that is done drops
out of the query, which makes every run idempotent and an interrupted run resumable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps as global_apps
from django.db import migrations, models, transaction
from django.db.models.functions import Cast

from alliantiemonitor.common.encryption import PREFIX, SEPARATOR, KeyRing, keyring
from alliantiemonitor.common.fields import EncryptedTextField

DEFAULT_BATCH_SIZE = 500
_RAW = "_encrypted_raw"


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) of the project that is encrypted at rest."""
    return [
        (model, field.name)
        for model in global_apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def not_under(prefix: str) -> models.Q:
    """Rows whose text is neither empty nor starts with ``prefix``."""
    return ~models.Q(**{_RAW: ""}) & ~models.Q(**{f"{_RAW}__startswith": prefix})


def encrypted_at_all() -> models.Q:
    """Rows whose text is encrypted, under whichever key."""
    return models.Q(**{f"{_RAW}__startswith": PREFIX})


def pending(
    model: type[models.Model], field: str, todo: models.Q, *, using: str = "default"
) -> models.QuerySet[Any]:
    """The rows of ``model`` whose raw ``field`` text matches ``todo``."""
    return (
        model._base_manager.db_manager(using)
        .annotate(**{_RAW: Cast(field, output_field=models.TextField())})
        .filter(todo)
    )


def current_prefix(ring: KeyRing) -> str:
    """How a value under the current key begins."""
    return f"{PREFIX}{ring.current}{SEPARATOR}"


def rewrite(
    model: type[models.Model],
    field: str,
    todo: models.Q,
    *,
    convert: Callable[[str], str],
    batch_size: int = DEFAULT_BATCH_SIZE,
    using: str = "default",
) -> Iterator[int]:
    """Rewrite the pending rows of ``field`` with ``convert(raw)``; yield the count per batch."""
    last_pk: Any = None
    while True:
        with transaction.atomic(using=using):
            rows = pending(model, field, todo, using=using).order_by("pk")
            if last_pk is not None:
                # Converted rows drop out of ``todo``; this keeps a run finite regardless.
                rows = rows.filter(pk__gt=last_pk)
            batch = list(rows.select_for_update().values_list("pk", _RAW)[:batch_size])
            if not batch:
                return
            new = [(pk, convert(raw)) for pk, raw in batch]
            model._base_manager.db_manager(using).filter(pk__in=[pk for pk, _ in new]).update(
                **{
                    field: models.Case(
                        *[models.When(pk=pk, then=models.Value(value)) for pk, value in new],
                        output_field=models.TextField(),
                    )
                }
            )
            last_pk = batch[-1][0]
        yield len(batch)


def reencrypt(raw: str, ring: KeyRing) -> str:
    """``raw`` under the current key: decrypted with its own key first, or plaintext as it is."""
    plaintext = ring.decrypt(raw) if raw.startswith(PREFIX) else raw
    return ring.encrypt(plaintext)


def rotate(
    model: type[models.Model],
    field: str,
    *,
    ring: KeyRing | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    using: str = "default",
) -> Iterator[int]:
    """Re-encrypt every value of ``field`` that is not under the current key yet."""
    ring = ring or keyring()
    return rewrite(
        model,
        field,
        not_under(current_prefix(ring)),
        convert=lambda raw: reencrypt(raw, ring),
        batch_size=batch_size,
        using=using,
    )


def encrypt_columns(model: type[models.Model], fields: list[str], *, using: str) -> None:
    """Encrypt the plaintext left in ``fields`` (a migration's way forward).

    The keys are only needed when there is text to encrypt: a new, empty database migrates
    without them.
    """
    for field in fields:
        for _count in rewrite(
            model,
            field,
            not_under(PREFIX),
            convert=lambda raw: keyring().encrypt(raw),
            using=using,
        ):
            pass


def decrypt_columns(model: type[models.Model], fields: list[str], *, using: str) -> None:
    """Write ``fields`` back as plaintext (a migration's way back)."""
    for field in fields:
        for _count in rewrite(
            model,
            field,
            encrypted_at_all(),
            convert=lambda raw: keyring().decrypt(raw) if raw.startswith(PREFIX) else raw,
            using=using,
        ):
            pass


def encryption_migration(app_label: str, fields: dict[str, list[str]]) -> migrations.RunPython:
    """The data migration that follows turning ``fields`` (per model name) into encrypted ones.

    Forward it encrypts the text already there; backward it writes it back as plaintext, before
    the columns turn into plain text columns again.
    """

    def forwards(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            encrypt_columns(model, names, using=schema_editor.connection.alias)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            model = apps.get_model(app_label, model_name)
            decrypt_columns(model, names, using=schema_editor.connection.alias)

    return migrations.RunPython(forwards, backwards)
