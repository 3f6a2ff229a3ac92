"""Thresholds an organisation admin can type but the rules cannot run with.

The rules refuse a count below 1 and overflow on enormous numbers; a stored value like that
made every later recompute (the worker's job for *every* organisation) and the thresholds page
itself fail. The form and the service must refuse such values and store nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliantiemonitor.monitoring.exceptions import InvalidThresholds
from alliantiemonitor.monitoring.forms import ThresholdsForm
from alliantiemonitor.monitoring.models import SignalThresholds, organisation_signal_settings
from alliantiemonitor.monitoring.services import signal_thresholds_update, signals_recompute
from tests.monitoring.helpers import make_round

pytestmark = pytest.mark.django_db

FLAT = {"direction": 4, "trust": 4, "bond": 4, "friction": 2}

BAD = [
    ("stopped_rounds", 0),
    ("friction_high_rounds", 0),
    ("disagreement_large_rounds", 0),
    ("not_discussed_days", 10**20),
    ("deterioration_z", 1e300),
]


def _form_data(organisation, **changes):
    current = organisation_signal_settings(organisation)
    fields = ThresholdsForm(current=current).fields
    return {**{name: getattr(current, name) for name in fields}, **changes}


@pytest.mark.parametrize(("name", "value"), BAD)
def test_service_refuses_thresholds_the_rules_cannot_run_with(organisation, org_admin, name, value):
    with pytest.raises(InvalidThresholds):
        signal_thresholds_update(organisation=organisation, values={name: value}, by=org_admin)
    assert not SignalThresholds.objects.filter(organisation=organisation).exists()
    organisation_signal_settings(organisation)  # still usable


@pytest.mark.parametrize(("name", "value"), BAD)
def test_form_refuses_them_and_the_page_and_worker_keep_working(
    client, organisation, org_admin, trajectory, professional, name, value
):
    make_round(trajectory, professional, days_ago=3, client=FLAT, pro=FLAT)
    url = reverse("monitoring:thresholds", args=[organisation.uuid])
    client.force_login(org_admin)
    response = client.post(url, _form_data(organisation, **{name: value}))
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors
    assert client.get(url).status_code == 200
    signals_recompute()  # the worker's job does not fail


def test_every_threshold_on_the_form_has_a_readable_label_in_dutch(organisation):
    """No field name of the rules (like ``view_z``) reaches the admin's page, in either language."""
    from django.utils import translation

    with translation.override("nl"):
        form = ThresholdsForm(current=organisation_signal_settings(organisation))
        for name, field in form.fields.items():
            assert str(field.label) != name
            assert "_" not in str(field.label)
        assert "Standaard: 1,6." in str(form.fields["deterioration_z"].help_text)


def test_org_admin_finds_the_thresholds_page_from_home(client, organisation, org_admin):
    """The page had no link anywhere: the organisation admin's start page now lists it."""
    client.force_login(org_admin)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    url = reverse("monitoring:thresholds", kwargs={"organisation_uuid": organisation.uuid})
    assert f'href="{url}"' in home
    assert f"Signaaldrempels van {organisation.name}" in home
    assert client.get(url).status_code == 200
