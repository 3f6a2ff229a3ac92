"""A sender name with a line break: refused, so that no organisation can stop the invitations.

The name goes into the From header and the subject. A line break was stored as typed; Django
then refused to build each message, the invitation job failed on that round at every run, and
the rounds after it in the queue (other organisations' too) were never invited.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliantiemonitor.scheduling.exceptions import InvalidSchedule
from alliantiemonitor.scheduling.models import OrganisationSchedule
from alliantiemonitor.scheduling.services import organisation_schedule_set

pytestmark = pytest.mark.django_db

BAD_NAMES = ["Reclassering\nBcc: x@example.com", "Reclassering\rVoorbeeldstad", "Tab\there"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_service_refuses_a_sender_name_with_control_characters(organisation, org_admin, name):
    with pytest.raises(InvalidSchedule):
        organisation_schedule_set(organisation=organisation, by=org_admin, sender_name=name)
    assert not OrganisationSchedule.objects.filter(sender_name=name).exists()


def test_the_page_shows_an_error_and_stores_nothing(client, organisation, org_admin):
    client.force_login(org_admin)
    url = reverse("scheduling:organisation", args=[organisation.uuid])
    form = client.get(url).context["form"]
    data = {
        name: "" if value is None else value
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update(sender_name="Reclassering\nBcc: x@example.com", enabled="on", channel="email")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "sender_name" in response.context["form"].errors
    assert not OrganisationSchedule.objects.filter(sender_name__contains="\n").exists()


def test_an_ordinary_name_is_kept(organisation, org_admin):
    organisation_schedule_set(
        organisation=organisation, by=org_admin, sender_name="Reclassering Voorbeeldstad – Noord"
    )
    assert OrganisationSchedule.objects.get().sender_name == "Reclassering Voorbeeldstad – Noord"
