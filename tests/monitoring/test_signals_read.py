"""The plain words of every row the signal rules give, in English and in Dutch."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.translation import override

from alliantiemonitor.monitoring.models import Signal
from alliantiemonitor.monitoring.signals_read import signal_badges, signal_cards
from tests.monitoring.test_signals_services import deteriorating

pytestmark = pytest.mark.django_db

#: ``(kind, characteristic, rater)`` as core.signals.detect_signals gives them.
RULE_ROWS = [
    ("deterioration", "", ""),
    ("deterioration", "", "client"),
    ("deterioration", "", "professional"),
    ("deterioration", "trust", ""),
    ("deterioration", "direction", ""),
    ("friction", "friction", ""),
    ("friction", "friction", "client"),
    ("friction", "friction", "professional"),
    ("after_handover", "", ""),
    ("disagreement", "", ""),
    ("disagreement", "", "client"),
    ("disagreement", "", "professional"),
    ("not_discussed", "", ""),
    ("stopped_responding", "", "client"),
]


@pytest.fixture
def round_(trajectory, professional):
    return deteriorating(trajectory, professional)


@pytest.mark.parametrize(("kind", "characteristic", "rater"), RULE_ROWS)
def test_every_rule_row_has_its_own_fitting_words(round_, kind, characteristic, rater):
    signal = Signal(
        trajectory=round_.trajectory,
        round=round_,
        kind=kind,
        characteristic=characteristic,
        rater=rater,
        raised_at=timezone.now(),
    )
    texts = {}
    for language in ("en", "nl"):
        with override(language):
            card = signal_cards([signal])[0]
        for text in (*card.seen, card.talk_about):
            assert text
            assert "%(" not in text
            assert "  " not in text
        texts[language] = card.seen[0]
    assert texts["en"] != texts["nl"]
    with override("en"):
        seen = signal_cards([signal])[0].seen[0]
    if characteristic and kind == "deterioration":
        assert characteristic in seen.lower()
    if rater == "client" and kind != "stopped_responding":
        assert "client sees" in seen or "client's" in seen or "The client reported" in seen
    if kind == "deterioration" and not characteristic and not rater:
        assert "client and the professional" in seen


def test_the_words_differ_between_the_rows_of_one_kind(round_):
    def seen(kind, characteristic, rater):
        signal = Signal(
            trajectory=round_.trajectory,
            round=round_,
            kind=kind,
            characteristic=characteristic,
            rater=rater,
            raised_at=timezone.now(),
        )
        with override("en"):
            return signal_cards([signal])[0].seen[0]

    texts = [seen(*row) for row in RULE_ROWS]
    assert len(set(texts)) == len(texts)


def test_caseload_badges_name_each_kind_once_and_seen_only_when_all_are(round_, professional):
    def make(kind, characteristic, acknowledged):
        return Signal(
            trajectory=round_.trajectory,
            round=round_,
            kind=kind,
            characteristic=characteristic,
            raised_at=timezone.now(),
            acknowledged_at=timezone.now() if acknowledged else None,
            acknowledged_by=professional if acknowledged else None,
        )

    with override("en"):
        badges = signal_badges(
            [
                make("deterioration", "", False),
                make("deterioration", "trust", True),
                make("friction", "friction", True),
            ]
        )
    assert [(b.label, b.is_acknowledged) for b in badges] == [
        ("Deterioration", False),
        ("Friction", True),
    ]
