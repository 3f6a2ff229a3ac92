"""Hostile input against the research forms: a clear message at the field, or a clean write."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliantiemonitor.research.forms import (
    ClientConsentForm,
    PhaseForm,
    StaffConsentForm,
    StudyForm,
)
from alliantiemonitor.research.models import Study, StudyPhase
from alliantiemonitor.research.services import study_create, study_phase_add

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["", " ", "\x00", "a\x00b", "\x1b[31m", "\u202e", "x" * 5000, "-1", "1e309"]),
    st.text(max_size=5).map(lambda text: text * 1000),
)


@EXAMPLES
@given(name=hostile, information=hostile, protocol=hostile)
def test_the_study_form_refuses_at_the_field_or_stores_what_it_cleaned(
    researcher: Any, name: str, information: str, protocol: str
) -> None:
    form = StudyForm({"name": name, "information_text": information, "protocol": protocol})
    before = Study.objects.count()
    if not form.is_valid():
        assert form.errors
        assert set(form.errors) <= {"name", "information_text", "protocol"}
        assert all(messages for messages in form.errors.values())
        assert Study.objects.count() == before
        return
    study = study_create(by=researcher, **form.cleaned_data)
    stored = Study.objects.get(pk=study.pk)
    assert stored.name == form.cleaned_data["name"]
    assert stored.name
    assert stored.name == stored.name.strip()
    assert stored.protocol == form.cleaned_data["protocol"]
    assert not any(ord(char) < 32 and char not in "\n\r\t" for char in stored.information_text)


@EXAMPLES
@given(
    kind=st.one_of(st.sampled_from(["nulmeting", "other"]), hostile),
    name=hostile,
    days=st.one_of(st.integers().map(str), hostile),
    instruments=st.lists(st.one_of(st.just("levensgebieden"), hostile), max_size=3),
)
def test_the_phase_form_refuses_at_the_field_or_adds_one_phase(
    draft_study: Any, researcher: Any, kind: str, name: str, days: str, instruments: list[str]
) -> None:
    form = PhaseForm({"kind": kind, "name": name, "timing_days": days, "instruments": instruments})
    before = StudyPhase.objects.count()
    if not form.is_valid():
        assert set(form.errors) <= {"kind", "name", "timing_days", "instruments", "mode_notes"}
        assert StudyPhase.objects.count() == before
        return
    phase = study_phase_add(study=draft_study, by=researcher, **form.cleaned_data)
    assert 0 <= phase.timing_days <= 3650
    assert set(phase.instruments) <= {"levensgebieden"}
    assert StudyPhase.objects.count() == before + 1


@EXAMPLES
@given(data=st.dictionaries(st.sampled_from(["study", "answer", "mode", "enrolled"]), hostile))
def test_the_consent_forms_accept_only_their_choices(data: dict[str, str]) -> None:
    staff = StaffConsentForm(data)
    if staff.is_valid():
        assert staff.cleaned_data["answer"] in {"yes", "no"}
        assert staff.cleaned_data["mode"] in {"professional_on_paper", "telephone"}
    client = ClientConsentForm(data)
    if client.is_valid():
        assert client.cleaned_data["answer"] in {"yes", "no", "later"}
