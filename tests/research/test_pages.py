"""The research pages: who reaches what, what they show, and what they never show."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliantiemonitor.audit.models import AuditEvent
from alliantiemonitor.research.models import EnrolledTrajectory, ResearchConsent, Study
from alliantiemonitor.research.services import consent_record, study_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _browser(user: Any) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    return browser


# --------------------------------------------------------------------------- researcher


def test_a_researcher_creates_a_study_and_sees_it(researcher):
    browser = _browser(researcher)
    response = browser.post(
        reverse("research:study_new"),
        {"name": "Alliantie en uitval", "information_text": "Uitleg in gewone woorden."},
    )
    study = Study.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("research:study_detail", args=[study.uuid])
    assert "Alliantie en uitval" in browser.get(reverse("research:study_list")).content.decode()
    page = browser.get(reverse("research:study_detail", args=[study.uuid]))
    assert page.status_code == 200
    assert "Uitleg in gewone woorden." in page.content.decode()


@pytest.mark.parametrize(
    ("typed", "months", "shown"),
    [
        ("18", 18, "blijven 18 maanden bewaard nadat de persoonsgegevens van de cliënt gewist"),
        ("", 0, "worden samen met de persoonsgegevens van de cliënt gewist"),
    ],
)
def test_a_researcher_sets_how_long_records_are_kept_after_an_erasure(
    researcher, typed, months, shown
):
    browser = Client(HTTP_ACCEPT_LANGUAGE="nl")
    browser.force_login(researcher)
    data = {"name": "Studie", "information_text": "Uitleg.", "keep_after_erasure_months": typed}
    assert browser.post(reverse("research:study_new"), data).status_code == 302
    study = Study.objects.get()
    assert study.keep_after_erasure_months == months
    page = browser.get(reverse("research:study_detail", args=[study.uuid])).content.decode()
    assert shown in page


def test_a_researcher_changes_the_study_and_the_information_gets_a_new_version(
    draft_study, researcher
):
    browser = _browser(researcher)
    url = reverse("research:study_edit", args=[draft_study.uuid])
    page = browser.get(url).content.decode()
    assert draft_study.name in page  # the form starts from what the study holds
    assert draft_study.information_text in page
    unchanged = {
        "name": draft_study.name,
        "description": draft_study.description,
        "protocol": draft_study.protocol,
        "keep_after_erasure_months": "0",
        "information_text": draft_study.information_text,
    }
    assert browser.post(url, unchanged).status_code == 302
    assert not AuditEvent.objects.filter(action__in=["study.update", "study.information_update"])

    changed = {**unchanged, "keep_after_erasure_months": "24", "protocol": "Vier metingen."}
    assert browser.post(url, changed).status_code == 302
    draft_study.refresh_from_db()
    assert (draft_study.keep_after_erasure_months, draft_study.protocol) == (24, "Vier metingen.")
    assert draft_study.information_version == 1
    event = AuditEvent.objects.get(action="study.update")
    assert event.detail["changed"] == ["keep_after_erasure_months", "protocol"]
    assert event.detail["keep_after_erasure_months"] == {"from": 0, "to": 24}

    new_text = {**changed, "information_text": "Nieuwe uitleg in gewone woorden."}
    assert browser.post(url, new_text).status_code == 302
    draft_study.refresh_from_db()
    assert draft_study.information_version == 2
    assert AuditEvent.objects.filter(action="study.information_update").count() == 1


def test_a_bad_study_change_is_refused_and_changes_nothing(draft_study, researcher):
    browser = _browser(researcher)
    url = reverse("research:study_edit", args=[draft_study.uuid])
    bad = {"name": " ", "information_text": "Andere uitleg.", "keep_after_erasure_months": "301"}
    response = browser.post(url, bad)
    assert response.status_code == 400
    assert "Give the study a name." in response.content.decode()
    before = draft_study.information_text
    draft_study.refresh_from_db()
    assert (draft_study.information_text, draft_study.keep_after_erasure_months) == (before, 0)
    assert not AuditEvent.objects.filter(action__in=["study.update", "study.information_update"])


@pytest.mark.parametrize("months", ["-1", "301", "2.5", "12 maanden"])
def test_months_off_the_range_are_refused_at_the_field(researcher, months):
    data = {"name": "Studie", "information_text": "Uitleg.", "keep_after_erasure_months": months}
    response = _browser(researcher).post(reverse("research:study_new"), data)
    assert response.status_code == 400
    assert 'id="id_keep_after_erasure_months_errors"' in response.content.decode()
    assert not Study.objects.exists()


@pytest.mark.parametrize("months", [-1, 301, 2.5, "12", True])
def test_the_service_refuses_months_off_the_range(researcher, months):
    from alliantiemonitor.research.exceptions import InvalidStudyInput

    with pytest.raises(InvalidStudyInput):
        study_create(
            by=researcher,
            name="Studie",
            information_text="Uitleg.",
            keep_after_erasure_months=months,
        )
    assert not Study.objects.exists()


def test_an_empty_study_form_is_refused_with_messages_at_the_fields(researcher):
    response = _browser(researcher).post(reverse("research:study_new"), {"name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give the study a name." in html
    assert "Write the information that clients read." in html
    assert 'id="id_name_errors"' in html
    assert not Study.objects.exists()


def test_the_study_page_shows_counts_and_never_a_name(study, enrolled, researcher, client_record):
    consent_record(enrolled=enrolled, given=True, mode="client_flow")
    html = _browser(researcher).get(reverse("research:study_detail", args=[study.uuid])).content
    text = html.decode()
    assert client_record.display_name not in text
    assert enrolled.study_key not in text  # counts only on the study page
    assert "Consent given" in text


def test_adding_a_phase(study, researcher):
    browser = _browser(researcher)
    url = reverse("research:phase_add", args=[study.uuid])
    assert browser.get(url).status_code == 200
    refused = browser.post(url, {"kind": "nulmeting", "name": "N", "timing_days": "-3"})
    assert refused.status_code == 400
    assert not study.phases.exists()
    done = browser.post(
        url,
        {"kind": "nulmeting", "name": "Nulmeting", "timing_days": "0", "instruments": "standaard"},
    )
    assert done.status_code == 400  # the monitor is not a phase questionnaire
    assert "Choose questionnaires from the list." in done.content.decode()
    done = browser.post(
        url,
        {
            "kind": "nulmeting",
            "name": "Nulmeting",
            "timing_days": "0",
            "instruments": ["levensgebieden", "motivatie"],
        },
    )
    assert done.status_code == 302
    assert list(study.phases.values_list("name", "instruments")) == [
        ("Nulmeting", ["levensgebieden", "motivatie"])
    ]


def test_starting_and_closing_a_study(draft_study, researcher):
    browser = _browser(researcher)
    url = reverse("research:study_status", args=[draft_study.uuid])
    assert browser.post(url, {"status": "closed"}).status_code == 400
    assert browser.post(url, {"status": "active"}).status_code == 302
    draft_study.refresh_from_db()
    assert draft_study.status == "active"


def test_asking_and_agreeing_to_take_part(draft_study, researcher, organisation, org_admin, team):
    response = _browser(researcher).post(
        reverse("research:study_enrol", args=[draft_study.uuid]),
        {"organisation": str(organisation.uuid), "team": str(team.uuid)},
    )
    assert response.status_code == 302
    enrolment = draft_study.enrolments.get()
    assert not enrolment.is_agreed
    admin = _browser(org_admin)
    page = admin.get(reverse("research:enrolments")).content.decode()
    assert draft_study.name in page
    # The admin agrees knowing what the study keeps after a client's erasure.
    assert "deleted together with the client's personal data" in page
    admin.post(reverse("research:enrolment_agree", args=[enrolment.uuid]))
    enrolment.refresh_from_db()
    assert enrolment.agreed_by == org_admin


# --------------------------------------------------------------------------- who may


def test_another_researcher_does_not_find_the_study(study, organisation):
    stranger = UserFactory(username="onderzoeker.ander")
    MembershipFactory(user=stranger, organisation=organisation, role="researcher")
    browser = _browser(stranger)
    for name in ("study_detail", "phase_add", "study_enrol"):
        assert browser.get(reverse(f"research:{name}", args=[study.uuid])).status_code == 404
    assert (
        browser.post(
            reverse("research:study_status", args=[study.uuid]), {"status": "closed"}
        ).status_code
        == 404
    )
    assert study.name not in browser.get(reverse("research:study_list")).content.decode()


def test_a_lapsed_researcher_loses_the_study(study, researcher):
    researcher.memberships.update(active=False)
    browser = _browser(researcher)
    assert browser.get(reverse("research:study_list")).status_code == 403
    assert browser.get(reverse("research:study_detail", args=[study.uuid])).status_code == 404


@pytest.mark.parametrize("persona", ["professional", "team_lead", "org_admin", "outsider"])
def test_other_roles_have_no_study_pages(request, study, persona):
    browser = _browser(request.getfixturevalue(persona))
    assert browser.get(reverse("research:study_list")).status_code == 403
    assert browser.get(reverse("research:study_new")).status_code == 403
    assert browser.get(reverse("research:study_detail", args=[study.uuid])).status_code == 404


def test_an_admin_of_another_organisation_cannot_agree(
    draft_study, researcher, organisation, other_organisation
):
    from alliantiemonitor.research.services import study_enrol

    enrolment = study_enrol(study=draft_study, by=researcher, organisation=organisation)
    other_admin = UserFactory(username="beheer.elders", is_staff=True)
    MembershipFactory(user=other_admin, organisation=other_organisation, role="org_admin")
    browser = _browser(other_admin)
    assert (
        browser.post(reverse("research:enrolment_agree", args=[enrolment.uuid])).status_code == 404
    )
    assert draft_study.name not in browser.get(reverse("research:enrolments")).content.decode()
    enrolment.refresh_from_db()
    assert not enrolment.is_agreed


def test_a_researcher_cannot_ask_another_organisation(draft_study, researcher, other_organisation):
    response = _browser(researcher).post(
        reverse("research:study_enrol", args=[draft_study.uuid]),
        {"organisation": str(other_organisation.uuid)},
    )
    assert response.status_code == 400
    assert "Choose one of the organisations in the list." in response.content.decode()
    assert not draft_study.enrolments.exists()


# --------------------------------------------------------------------------- the trajectory box


def test_the_box_offers_enrolment_then_records_and_withdraws(study, trajectory, professional):
    browser = _browser(professional)
    box = browser.get(
        reverse("research:trajectory", args=[trajectory.uuid]), HTTP_HX_REQUEST="true"
    )
    assert study.name in box.content.decode()
    assert "Enrol this trajectory" in box.content.decode()
    response = browser.post(
        reverse("research:trajectory_enrol", args=[trajectory.uuid]), {"study": str(study.uuid)}
    )
    assert response.status_code == 302
    enrolled = EnrolledTrajectory.objects.get()
    assert (
        enrolled.study_key
        in browser.get(reverse("research:trajectory", args=[trajectory.uuid])).content.decode()
    )
    browser.post(
        reverse("research:trajectory_consent", args=[trajectory.uuid]),
        {"study": str(study.uuid), "answer": "yes", "mode": "telephone"},
    )
    consent = ResearchConsent.objects.get()
    assert (consent.given, consent.mode, consent.recorded_by) == (True, "telephone", professional)
    browser.post(
        reverse("research:trajectory_withdraw", args=[trajectory.uuid]), {"study": str(study.uuid)}
    )
    consent.refresh_from_db()
    assert consent.withdrawn_by == professional


def test_the_box_is_empty_without_an_active_study(trajectory, professional, draft_study):
    browser = _browser(professional)
    box = browser.get(
        reverse("research:trajectory", args=[trajectory.uuid]), HTTP_HX_REQUEST="true"
    )
    assert box.status_code == 200
    assert box.content.decode().strip() == ""
    # Nothing about the client was shown: no "seen" event on every trajectory page.
    assert not AuditEvent.objects.filter(action="study.trajectory_view").exists()


def test_a_bad_consent_form_is_refused_and_changes_nothing(enrolled, trajectory, professional):
    response = _browser(professional).post(
        reverse("research:trajectory_consent", args=[trajectory.uuid]),
        {"study": str(enrolled.study.uuid), "answer": "maybe", "mode": "client_flow"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ResearchConsent.objects.exists()


def test_a_study_the_box_does_not_show_is_refused(trajectory, professional, researcher):
    elsewhere = study_create(by=researcher, name="Elders", information_text="Uitleg.")
    response = _browser(professional).post(
        reverse("research:trajectory_enrol", args=[trajectory.uuid]), {"study": str(elsewhere.uuid)}
    )
    assert response.status_code == 400
    assert not EnrolledTrajectory.objects.exists()


@pytest.mark.parametrize(
    "persona", ["colleague", "outsider", "team_lead", "researcher", "org_admin"]
)
def test_only_the_trajectorys_professional_reaches_the_box(request, enrolled, trajectory, persona):
    browser = _browser(request.getfixturevalue(persona))
    assert browser.get(reverse("research:trajectory", args=[trajectory.uuid])).status_code == 404
    for name, data in (
        ("trajectory_enrol", {"study": str(enrolled.study.uuid)}),
        (
            "trajectory_consent",
            {"study": str(enrolled.study.uuid), "answer": "yes", "mode": "telephone"},
        ),
        ("trajectory_withdraw", {"study": str(enrolled.study.uuid)}),
    ):
        assert (
            browser.post(reverse(f"research:{name}", args=[trajectory.uuid]), data).status_code
            == 404
        )
    assert not ResearchConsent.objects.exists()


def test_the_former_professional_loses_the_box_at_the_handover(
    enrolled, trajectory, professional, colleague
):
    from alliantiemonitor.trajectories.services import trajectory_hand_over

    trajectory_hand_over(
        trajectory=trajectory, to_professional=colleague, by=professional, reason="Verlof"
    )
    assert (
        _browser(professional)
        .get(reverse("research:trajectory", args=[trajectory.uuid]))
        .status_code
        == 404
    )
    assert (
        _browser(colleague).get(reverse("research:trajectory", args=[trajectory.uuid])).status_code
        == 200
    )


# --------------------------------------------------------------------------- audit


def test_the_pages_and_changes_are_audited(study, trajectory, professional, researcher):
    _browser(researcher).get(reverse("research:study_detail", args=[study.uuid]))
    browser = _browser(professional)
    browser.get(reverse("research:trajectory", args=[trajectory.uuid]))
    browser.post(
        reverse("research:trajectory_enrol", args=[trajectory.uuid]), {"study": str(study.uuid)}
    )
    browser.post(
        reverse("research:trajectory_consent", args=[trajectory.uuid]),
        {"study": str(study.uuid), "answer": "yes", "mode": "professional_on_paper"},
    )
    browser.post(
        reverse("research:trajectory_withdraw", args=[trajectory.uuid]), {"study": str(study.uuid)}
    )
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    for expected in (
        "study.create",
        "study.status_set",
        "study.enrol",
        "study.enrolment_agree",
        "study.view",
        "study.trajectory_view",
        "study.trajectory_enrol",
        "consent.record",
        "consent.withdraw",
    ):
        assert expected in actions, expected
    record = AuditEvent.objects.get(action="consent.record")
    assert record.client == trajectory.client
    assert record.actor == professional
    key = EnrolledTrajectory.objects.get().study_key
    assert record.detail["study_key"] == key
    assert trajectory.client.display_name not in str(record.detail)
