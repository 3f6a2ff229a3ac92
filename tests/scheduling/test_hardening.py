"""The unsubscribe link with a signed value that is not a contact id; the admin pages."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from alliantiemonitor.scheduling import mail

pytestmark = pytest.mark.django_db


def test_a_signed_token_that_is_no_contact_id_is_a_calm_404(client):
    token = signing.dumps("not-a-uuid", salt=mail._UNSUBSCRIBE_SALT)
    response = client.get(reverse("scheduling:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 404
    response = client.post(reverse("scheduling:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["scheduling_organisationschedule_changelist", "scheduling_delivery_changelist"]
)
def test_schedules_and_deliveries_in_the_admin_are_the_system_admin_s_alone(
    client, org_admin, superuser, name
):
    from django.contrib.auth.models import Permission

    # Even a staff organisation admin who was given the model permissions sees nothing.
    org_admin.is_staff = True
    org_admin.save()
    org_admin.user_permissions.set(Permission.objects.filter(content_type__app_label="scheduling"))
    client.force_login(org_admin)
    assert client.get(reverse(f"admin:{name}")).status_code == 403
    client.force_login(superuser)
    assert client.get(reverse(f"admin:{name}")).status_code == 200
    add = name.replace("changelist", "add")
    assert client.get(reverse(f"admin:{add}")).status_code == 403
