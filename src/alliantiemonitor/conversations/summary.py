"""The conversation summary the client takes home: a PDF in their language and reading level.

It holds what the client may read anyway on their results page, and nothing else: per
characteristic both views in plain words, the statements talked about, and the agreements.
No name of anyone (a paper left on a bus says nothing about who it is about), no evaluation
comments, nothing of another round or another client.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from alliantiemonitor.conversations.results import round_results
from alliantiemonitor.core.research.report_pdf import html_to_pdf
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.paper import PAPER_STYLE


def summary_language(round: MeasurementRound) -> str:
    """The client's preferred language: the summary is theirs."""
    return str(round.trajectory.client.preferred_language)


def summary_html(round: MeasurementRound) -> str:
    """The summary of ``round``'s conversation as HTML, in the client's language.

    Raises :class:`~alliantiemonitor.conversations.exceptions.AnswersNotVisible` while the
    blind rule still holds.
    """
    language = summary_language(round)
    with translation.override(language):
        results = round_results(round, viewer="client")
        return render_to_string(
            "conversations/summary_pdf.html",
            {
                "round": round,
                "results": results,
                "easy_read": results.instrument.easy_read,
                "LANGUAGE_CODE": language,
            },
        )


def summary_pdf(round: MeasurementRound) -> bytes:
    """The summary of ``round``'s conversation as PDF bytes (see :func:`summary_html`)."""
    return html_to_pdf(summary_html(round), style=PAPER_STYLE)
