"""A rotation never overwrites what a professional saves at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from alliantiemonitor.common.encryption import keyring
from alliantiemonitor.common.field_rotation import current_prefix, not_under, reencrypt, rewrite
from alliantiemonitor.conversations.models import Agreement
from tests.common.test_encryption import KEY_A, KEY_B
from tests.factories import AgreementFactory


@pytest.mark.django_db(transaction=True)
def test_an_edit_during_a_rotation_batch_waits_and_wins(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs row locks across connections (PostgreSQL)")
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_A]
    agreement = AgreementFactory(text="Oud")
    settings.ALLIANTIEMONITOR_FIELD_KEYS = [KEY_B, KEY_A]
    ring = keyring()
    edit_started, edit_done = threading.Event(), threading.Event()

    def edit() -> None:
        try:
            row = Agreement.objects.get(pk=agreement.pk)
            row.text = "Nieuw"
            edit_started.set()
            row.save(update_fields=["text"])  # blocks while the batch holds the row
            edit_done.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=edit)

    def convert(raw: str) -> str:
        # The batch has read and locked the row; a professional saves it now.
        thread.start()
        assert edit_started.wait(5)
        assert not edit_done.wait(1), "the edit went through while the batch held the row"
        return reencrypt(raw, ring)

    assert sum(rewrite(Agreement, "text", not_under(current_prefix(ring)), convert=convert)) == 1
    thread.join(5)
    assert edit_done.is_set()
    assert Agreement.objects.get(pk=agreement.pk).text == "Nieuw"
