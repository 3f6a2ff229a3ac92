"""Printable paper forms of a round, as PDF (WeasyPrint).

One form per party, in the round's variant (easy-read wording and pictograms for the client
when the variant has them), the organisation's domain words, and the reader's language: on the
client's form the language the professional chose among the instrument's client languages, by
default the client's preferred one (Arabic right to left). At the top the round's form code with its
check digit (:mod:`alliantiemonitor.core.paper_code`), which the typist types first. The form
never carries the client's name: a form left on a desk says nothing about who filled it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from alliantiemonitor.core import paper_code
from alliantiemonitor.core.research.report_pdf import html_to_pdf
from alliantiemonitor.measurements.constants import Rater
from alliantiemonitor.measurements.models import MeasurementRound
from alliantiemonitor.measurements.services.paper import paper_form_code
from alliantiemonitor.measurements.views.fill import Questionnaire

PICTOGRAM_DIR = Path(__file__).resolve().parent / "static" / "measurements" / "pictograms"

#: A4, the house font that the set-up installs (fonts-dejavu-core: Latin with the Turkish and
#: Polish letters, and Arabic), type large enough to read. The page number is centred, so it
#: needs no mirroring on a right-to-left page.
PAPER_STYLE = """
@page{size:A4;margin:15mm 14mm 16mm;
  @bottom-center{content:counter(page) " / " counter(pages);font:9pt "DejaVu Sans",sans-serif}}
body{font-family:"DejaVu Sans",sans-serif;font-size:12pt;line-height:1.35;margin:0}
"""


class BlankQuestionnaire(Questionnaire):
    """The statements of one party without any saved answer: what goes on paper.

    A printed form must never carry answers given on a screen (the blind rule).
    """

    def __init__(self, round: MeasurementRound, rater: str, language: str) -> None:
        super().__init__(round, rater, language)
        self.response = None


@dataclass(frozen=True)
class PaperForm:
    rater: str
    language: str
    code: str
    questionnaire: BlankQuestionnaire

    @property
    def pretty_code(self) -> str:
        return paper_code.pretty(self.code)


def paper_form_languages(round: MeasurementRound) -> tuple[str, ...]:
    """The languages the client's form can be printed in: the instrument's client languages."""
    return round.instrument.client_language_choices


def client_paper_language(round: MeasurementRound, chosen: str | None = None) -> str:
    """The language of a paper the client reads (the form, the conversation summary).

    ``chosen`` when the round's instrument has it, else the language the client answered this
    round in, else the client's preferred language (each only when the instrument has it),
    else Dutch: never a language whose statements would fall back.
    """
    languages = paper_form_languages(round)
    answered = (
        round.responses.current()
        .filter(rater=Rater.CLIENT)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    for language in (chosen, answered, str(round.trajectory.client.preferred_language)):
        if language in languages:
            return str(language)
    return "nl" if "nl" in languages else languages[0]


def paper_form_language(
    round: MeasurementRound, rater: str, reader_language: str, chosen: str | None = None
) -> str:
    """The language of ``rater``'s form: for the client's, what the professional ``chosen``
    (see :func:`client_paper_language`); for the professional's, the reader's own."""
    if rater != Rater.CLIENT:
        return reader_language
    return client_paper_language(round, chosen)


@dataclass(frozen=True)
class LanguageOption:
    """A language the client's form can be printed in, for the professional's choice."""

    code: str
    #: The language's name in the reader's language ("Turks").
    name: str
    unvalidated: bool
    selected: bool


def paper_language_options(round: MeasurementRound) -> list[LanguageOption]:
    """The client's form's languages, the default one selected (names in the active language)."""
    default = client_paper_language(round)
    unvalidated = round.instrument.unvalidated_translations
    return [
        LanguageOption(
            code=code,
            name=str(translation.get_language_info(code)["name_translated"]),
            unvalidated=code in unvalidated,
            selected=code == default,
        )
        for code in paper_form_languages(round)
    ]


def _pictogram(key: str | None) -> SafeString | None:
    # Inline SVG: the PDF is rendered without fetching anything.
    if key is None:
        return None
    return mark_safe((PICTOGRAM_DIR / f"{key}.svg").read_text(encoding="utf-8"))  # noqa: S308


def paper_form_html(round: MeasurementRound, rater: str, language: str) -> str:
    """The HTML of ``rater``'s paper form of ``round`` in ``language``."""
    questionnaire = BlankQuestionnaire(round, rater, language)
    form = PaperForm(
        rater=rater,
        language=language,
        code=paper_form_code(round, rater),
        questionnaire=questionnaire,
    )
    statements = [
        (statement, _pictogram(statement.pictogram)) for statement in questionnaire.statements()
    ]
    scale = [
        (option, _pictogram(option.pictogram))
        for option in questionnaire.scale(faces=questionnaire.easy_read)
    ]
    with translation.override(language):
        return render_to_string(
            "measurements/paper/form_pdf.html",
            {
                "form": form,
                "round": round,
                "is_client": rater == Rater.CLIENT,
                "statements": statements,
                "scale": scale,
                "LANGUAGE_CODE": language,
                "LANGUAGE_BIDI": translation.get_language_info(language)["bidi"],
                "unvalidated": language in round.instrument.unvalidated_translations,
            },
        )


def paper_form_pdf(round: MeasurementRound, rater: str, language: str) -> bytes:
    """``rater``'s paper form of ``round`` as PDF bytes.

    Raises :class:`~alliantiemonitor.core.research.report_pdf.PdfUnavailable` when WeasyPrint
    cannot be loaded on this machine.
    """
    return html_to_pdf(paper_form_html(round, rater, language), style=PAPER_STYLE)
