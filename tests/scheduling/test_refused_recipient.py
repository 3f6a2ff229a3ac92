"""One address the mail server refuses must not stop the invitations of everyone else.

The invitation job sends round after round; a recipient refused by the server (550, a typo in
a domain, a closed mailbox) raised out of the loop, so the job failed at that round on every
run and every round queued after it, in any organisation, was never invited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliantiemonitor.scheduling.models import Delivery
from alliantiemonitor.scheduling.services import (
    client_contact_set,
    organisation_schedule_set,
    rounds_open_due,
)
from alliantiemonitor.trajectories.services import trajectory_start
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

REFUSED = "gesloten.postbus@example.net"
ACCEPTED = "kv.synthetisch@example.net"


@pytest.fixture
def refusing_smtp(smtp):
    """The loopback server refuses one recipient with a permanent error."""
    handler = smtp

    async def handle_RCPT(server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    handler.handle_RCPT = handle_RCPT
    return smtp


def test_a_refused_address_does_not_block_the_next_client(
    refusing_smtp, organisation, org_admin, team, professional
):
    organisation_schedule_set(
        organisation=organisation, by=org_admin, enabled=True, channel="email"
    )
    start = timezone.localdate() - dt.timedelta(days=1)
    for address in (REFUSED, ACCEPTED):  # the refused one is first in the queue
        client = ClientFactory(organisation=organisation)
        trajectory_start(
            client=client, professional=professional, legal_frame="", start_date=start, team=team
        )
        client_contact_set(client=client, by=professional, email=address, consent=True)

    rounds_open_due(now=timezone.now())

    assert len(refusing_smtp.to(ACCEPTED)) == 1
    assert refusing_smtp.to(REFUSED) == []
    # The refused invitation is not marked as sent: a later run tries it again.
    assert Delivery.objects.filter(kind="invitation", sent_at__isnull=False).count() == 1
