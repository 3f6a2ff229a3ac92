"""The pages of follow-up imports and interview samples: flow, refusals, audit, no names."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.research.models import (
    FollowUpImport,
    FollowUpOutcome,
    InterviewSample,
    InterviewSampleEntry,
)
from alliantiemonitor.research.services import consent_record, consent_withdraw
from tests.factories import MembershipFactory, UserFactory
from tests.research.conftest import rounds_of_trust

pytestmark = pytest.mark.django_db


def _browser(user: Any) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


def _file(text: str, name: str = "uitkomsten.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def consenting(enrolled: Any) -> Any:
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    return enrolled


# --------------------------------------------------------------------------- follow-up


def test_upload_dry_run_then_confirm(study, consenting, researcher, client_record):
    browser = _browser(researcher)
    url = reverse("research:followup", args=[study.uuid])
    page = browser.get(url)
    assert page.status_code == 200
    assert "recidivism" in page.content.decode()

    text = (
        "study_key,outcome,date,value\n"
        f"{consenting.study_key},recidivism,2025-01-01,1\n"
        "ONBEKEND,recidivism,2025-01-01,1\n"
        f"{consenting.study_key},recidivism,2025-99-01,1\n"
    )
    report = browser.post(url, {"file": _file(text)})
    assert report.status_code == 200
    html = report.content.decode()
    assert "Matched: will be added" in html
    assert "Not matched: unknown study key, or no consent" in html
    assert "<code>date</code>" in html
    assert client_record.display_name not in html
    assert not FollowUpOutcome.objects.exists()

    upload = FollowUpImport.objects.get()
    confirm = reverse("research:followup_confirm", args=[study.uuid, upload.uuid])
    assert confirm in html
    done = browser.post(confirm, follow=True)
    assert done.redirect_chain[-1][0] == url
    assert "Imported: 1 added, 0 replaced, 0 already there." in done.content.decode()
    assert FollowUpOutcome.objects.get().enrolled == consenting

    again = browser.post(confirm, follow=True)
    assert "already imported" in again.content.decode()
    assert FollowUpOutcome.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"study_key;outcome\nA;b\n", "misses the column(s) date, value"),
        ("study_key,outcome,date,value\n\xe9,b,c,d\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_a_bad_file_gets_a_message_and_changes_nothing(study, researcher, content, message):
    response = _browser(researcher).post(
        reverse("research:followup", args=[study.uuid]),
        {"file": SimpleUploadedFile("x.csv", content)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FollowUpImport.objects.exists()


def test_no_file_gets_a_message(study, researcher):
    response = _browser(researcher).post(reverse("research:followup", args=[study.uuid]), {})
    assert response.status_code == 400
    assert "Choose a CSV file." in response.content.decode()


@pytest.mark.parametrize("persona", ["professional", "team_lead", "org_admin", "outsider"])
def test_other_roles_cannot_import_or_sample(request, study, consenting, researcher, persona):
    upload_text = f"study_key,outcome,date,value\n{consenting.study_key},recidivism,2025-01-01,1\n"
    _browser(researcher).post(
        reverse("research:followup", args=[study.uuid]), {"file": _file(upload_text)}
    )
    upload = FollowUpImport.objects.get()
    sample = InterviewSample.objects.create(study=study, seed=1, min_rounds=3, sizes={})
    browser = _browser(request.getfixturevalue(persona))
    for url in (
        reverse("research:followup", args=[study.uuid]),
        reverse("research:samples", args=[study.uuid]),
        reverse("research:sample_detail", args=[study.uuid, sample.uuid]),
    ):
        assert browser.get(url).status_code == 404
    assert (
        browser.post(
            reverse("research:followup", args=[study.uuid]), {"file": _file(upload_text)}
        ).status_code
        == 404
    )
    assert (
        browser.post(
            reverse("research:followup_confirm", args=[study.uuid, upload.uuid])
        ).status_code
        == 404
    )
    assert browser.post(reverse("research:samples", args=[study.uuid]), {}).status_code == 404
    assert not FollowUpOutcome.objects.exists()
    assert FollowUpImport.objects.count() == 1


def test_another_researcher_cannot_confirm_the_file(study, consenting, researcher, organisation):
    text = f"study_key,outcome,date,value\n{consenting.study_key},recidivism,2025-01-01,1\n"
    url = reverse("research:followup", args=[study.uuid])
    _browser(researcher).post(url, {"file": _file(text)})
    upload = FollowUpImport.objects.get()
    stranger = UserFactory(username="onderzoeker.ander")
    MembershipFactory(user=stranger, organisation=organisation, role="researcher")
    response = _browser(stranger).post(
        reverse("research:followup_confirm", args=[study.uuid, upload.uuid])
    )
    assert response.status_code == 404
    assert not FollowUpOutcome.objects.exists()


def test_an_upload_of_another_study_is_not_found(study, consenting, researcher, draft_study):
    from alliantiemonitor.research.services import study_create

    other = study_create(by=researcher, name="Ander onderzoek", information_text="Uitleg.")
    text = f"study_key,outcome,date,value\n{consenting.study_key},recidivism,2025-01-01,1\n"
    browser = _browser(researcher)
    browser.post(reverse("research:followup", args=[study.uuid]), {"file": _file(text)})
    upload = FollowUpImport.objects.get()
    response = browser.post(reverse("research:followup_confirm", args=[other.uuid, upload.uuid]))
    assert response.status_code == 404
    assert not FollowUpOutcome.objects.exists()


# --------------------------------------------------------------------------- samples


def test_draw_a_sample_and_see_keys_and_patterns_only(
    study, consenting, researcher, professional, trajectory, client_record
):
    rounds_of_trust(trajectory, professional, [5, 4, 2, 1])
    browser = _browser(researcher)
    url = reverse("research:samples", args=[study.uuid])
    assert browser.get(url).status_code == 200
    response = browser.post(
        url,
        {
            "stable": "2",
            "improving": "0",
            "deteriorating": "1",
            "mixed": "0",
            "seed": "11",
            "min_rounds": "3",
        },
    )
    sample = InterviewSample.objects.get()
    detail = reverse("research:sample_detail", args=[study.uuid, sample.uuid])
    assert response.status_code == 302
    assert response["Location"] == detail
    html = browser.get(detail).content.decode()
    assert consenting.study_key in html
    assert "Deteriorating" in html
    assert "fewer eligible than asked" in html  # no stable dyad: asked 2, got 0
    assert client_record.display_name not in html
    assert professional.last_name not in html
    assert sample.seed == 11
    assert AuditEvent.objects.filter(action="interview_sample.draw", actor=researcher).exists()
    view = AuditEvent.objects.get(action="interview_sample.view")
    assert view.object_uuid == sample.uuid


def test_a_bad_sample_form_is_refused(study, researcher):
    browser = _browser(researcher)
    url = reverse("research:samples", args=[study.uuid])
    for data in (
        {"stable": "0", "improving": "0", "deteriorating": "0", "mixed": "0", "min_rounds": "3"},
        {"stable": "600", "improving": "0", "deteriorating": "0", "mixed": "0", "min_rounds": "3"},
        {"stable": "1", "improving": "0", "deteriorating": "0", "mixed": "0", "min_rounds": "1"},
        {"stable": "x", "improving": "0", "deteriorating": "0", "mixed": "0", "min_rounds": "3"},
    ):
        assert browser.post(url, data).status_code == 400
    assert not InterviewSample.objects.exists()


def test_the_professional_sees_that_the_client_was_drawn(
    study, consenting, researcher, professional, trajectory, colleague
):
    from alliantiemonitor.research.sampling import interview_sample_draw

    rounds_of_trust(trajectory, professional, [5, 4, 2, 1])
    box_url = reverse("research:trajectory", args=[trajectory.uuid])
    drawn_text = "Drawn for an interview in this study."
    assert drawn_text not in _browser(professional).get(box_url).content.decode()

    interview_sample_draw(study=study, by=researcher, sizes={"deteriorating": 1}, seed=1)
    assert InterviewSampleEntry.objects.get().enrolled == consenting
    box = _browser(professional).get(box_url, HTTP_HX_REQUEST="true")
    assert drawn_text in box.content.decode()
    # A colleague without the trajectory does not reach the box at all.
    assert _browser(colleague).get(box_url).status_code == 404

    consent_withdraw(enrolled=consenting, by=professional)
    assert drawn_text not in _browser(professional).get(box_url).content.decode()
