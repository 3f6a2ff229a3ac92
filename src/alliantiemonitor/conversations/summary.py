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
from alliantiemonitor.measurements.paper import PAPER_STYLE, client_paper_language


def summary_language(round: MeasurementRound, chosen: str | None = None) -> str:
    """The summary is the client's: ``chosen`` (the language of the client's own pages), else
    their preferred language, in either case only when the instrument has it; else Dutch."""
    return client_paper_language(round, chosen)


def summary_html(round: MeasurementRound, language: str | None = None) -> str:
    """The summary of ``round``'s conversation as HTML, in the client's language.

    ``language`` is what the client chose on their own pages (see :func:`summary_language`).
    Raises :class:`~alliantiemonitor.conversations.exceptions.AnswersNotVisible` while the
    blind rule still holds.
    """
    language = summary_language(round, language)
    instrument = round.instrument
    with translation.override(language):
        results = round_results(round, viewer="client")
        return render_to_string(
            "conversations/summary_pdf.html",
            {
                "round": round,
                "results": results,
                "easy_read": instrument.easy_read,
                # The professional's statements and the descriptions of the characteristics
                # are in Dutch and English only: a Turkish page does not quote them in Dutch.
                "full_texts": language in instrument.languages,
                "unvalidated": language in instrument.unvalidated_translations,
                "LANGUAGE_CODE": language,
                "LANGUAGE_BIDI": translation.get_language_info(language)["bidi"],
            },
        )


def summary_pdf(round: MeasurementRound, language: str | None = None) -> bytes:
    """The summary of ``round``'s conversation as PDF bytes (see :func:`summary_html`)."""
    return html_to_pdf(summary_html(round, language), style=PAPER_STYLE)
