"""The study report's words in Dutch and English: one table, English text → Dutch text.

The core knows nothing of Django, so the report cannot use gettext; every text a reader sees
(headings, column headers, notes, captions, axis labels, the stamp's labels, why an analysis
could not be estimated) is an English key of :data:`DUTCH` and goes through :func:`text`.
A key may hold ``{fields}``, filled in after translation, so word order can differ.

What stays as it is in both languages: the symbols and names researchers use as such (α, ω,
χ², CFI, TLI, RMSEA, SRMR, ICC, Kaplan–Meier, Cox, p, SE, df), and numbers, which keep the
decimal point (``0.812``) in Dutch too, so a number copied from the report reads the same in
any statistics package. The report's JSON keeps its English keys and values; only the page
is translated.

Reasons from deeper in the analyses are in the table too; those with a variable part (a
count, a column) are recognised by :data:`ANALYSIS_REASONS` (:func:`lookup`), so a Dutch
reader sees no English reason. A reason no pattern knows stays English; the tests render
reports on data too few to estimate and fail on any reason left untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

LANGUAGES = ("nl", "en")
#: The product speaks Dutch first.
DEFAULT_LANGUAGE = "nl"

DUTCH: dict[str, str] = {
    # The page and its sections.
    "Study report": "Onderzoeksrapport",
    "Study report: {study}": "Onderzoeksrapport: {study}",
    "Sections": "Onderdelen",
    "Data": "Gegevens",
    "Reliability": "Betrouwbaarheid",
    "Factor structure and measurement invariance": "Factorstructuur en meetinvariantie",
    "Factor structure": "Factorstructuur",
    "Measurement invariance": "Meetinvariantie",
    "Agreement between client and professional": "Overeenstemming tussen cliënt en professional",
    "Change: reliable-change patterns": "Verandering: patronen van betrouwbare verandering",
    "Trajectory classes": "Trajectklassen",
    "Outcomes: premature negative end": "Uitkomsten: voortijdig negatief einde",
    "Survival: time to recidivism": "Overleving: tijd tot recidive",
    " (not estimable)": " (niet te schatten)",
    "Not estimable: {reason}": "Niet te schatten: {reason}",
    # Words in cells.
    "yes": "ja",
    "no": "nee",
    "{low} to {high}": "{low} tot {high}",
    "all": "alle",
    "all rows": "alle rijen",
    "client": "cliënt",
    "professional": "professional",
    "(missing)": "(ontbreekt)",
    "alliance": "werkalliantie",
    "substance_use": "middelengebruik",
    "intercept": "intercept",
    # Data.
    "The data": "De gegevens",
    "what": "wat",
    "number": "aantal",
    "responses": "invullingen",
    "submitted responses": "ingediende invullingen",
    "trajectories": "trajecten",
    "rows in the trajectories table": "rijen in de trajectentabel",
    "rows analysed ({who})": "geanalyseerde rijen ({who})",
    "Responses and trajectories per rater": "Invullingen en trajecten per beoordelaar",
    "Responses and trajectories per domain": "Invullingen en trajecten per domein",
    "rater": "beoordelaar",
    "domain": "domein",
    # The columns a report can be grouped by, and their values that are not Dutch already.
    "mode": "afnamewijze",
    "after_handover": "na overdracht",
    "own_device": "eigen apparaat",
    "handed_over_device": "apparaat van de professional",
    "paper_entry": "overgetypt van papier",
    "professional_self": "door de professional",
    "True": "ja",
    "False": "nee",
    # Reliability.
    "Items of {scale} ({who})": "Items van {scale} ({who})",
    "item": "item",
    "reversed": "omgekeerd",
    "n": "n",
    "mean": "gemiddelde",
    "sd": "sd",
    "item-rest r": "item-rest r",
    "alpha if deleted": "α zonder dit item",
    "Reliability per rater and scale: Cronbach's alpha (95 % CI after Feldt), McDonald's omega": (
        "Betrouwbaarheid per beoordelaar en schaal: Cronbachs α (95 %-BI volgens Feldt), "
        "McDonalds ω"
    ),
    "scale": "schaal",
    "group": "groep",
    "k": "k",
    "alpha": "α",
    "95 % CI": "95 %-BI",
    "omega": "ω",
    "note": "opmerking",
    "Items": "Items",
    # Factor structure.
    "model": "model",
    "90 % CI": "90 %-BI",
    "Measurement invariance by {group} ({who})": "Meetinvariantie naar {group} ({who})",
    "Groups (complete rows): {sizes}": "Groepen (volledige rijen): {sizes}",
    "Configural, metric and scalar invariance ({who})": (
        "Configurale, metrische en scalaire invariantie ({who})"
    ),
    "configural": "configuraal",
    "metric": "metrisch",
    "scalar": "scalair",
    "Confirmatory factor analysis ({who})": "Bevestigende factoranalyse ({who})",
    "Fit of the correlated-factors model ({who}, n = {n}, listwise)": (
        "Fit van het model met gecorreleerde factoren ({who}, n = {n}, listwise)"
    ),
    "correlated factors": "gecorreleerde factoren",
    "Standardised loadings ({who})": "Gestandaardiseerde ladingen ({who})",
    "factor": "factor",
    "loading": "lading",
    # Agreement.
    "Client versus professional per characteristic (difference = client − professional)": (
        "Cliënt tegenover professional per kenmerk (verschil = cliënt − professional)"
    ),
    "characteristic": "kenmerk",
    "mean difference": "gemiddeld verschil",
    "limits of agreement": "grenzen van overeenstemming",
    # Change.
    "Method: {method}; missing scores: {missing}; series: {series}.": (
        "Methode: {method}; ontbrekende scores: {missing}; reeksen: {series}."
    ),
    "Patterns per rater and characteristic (share of all; of those with 2+ scores)": (
        "Patronen per beoordelaar en kenmerk (aandeel van alle; van die met 2+ scores)"
    ),
    "pattern": "patroon",
    "share": "aandeel",
    "share of classified": "aandeel van ingedeelde",
    "stable": "stabiel",
    "improving": "verbeterend",
    "deteriorating": "verslechterend",
    "fluctuating": "wisselend",
    "insufficient": "onvoldoende scores",
    "Share of trajectories per reliable-change pattern, per rater and characteristic": (
        "Aandeel trajecten per patroon van betrouwbare verandering, per beoordelaar en kenmerk"
    ),
    "Stacked bars, one per rater and characteristic, each summing to 1; the table below "
    "gives every share.": (
        "Gestapelde staven, één per beoordelaar en kenmerk, elk samen 1; de tabel eronder "
        "geeft elk aandeel."
    ),
    # Trajectory classes.
    "Alliance (mean of the positive characteristics over both raters) per round; "
    "trajectories with {min_rounds}+ rounds: {n} ({excluded} left out); seed {seed}.": (
        "Werkalliantie (gemiddelde van de positieve kenmerken over beide beoordelaars) per meting; "
        "trajecten met {min_rounds}+ metingen: {n} ({excluded} weggelaten); startgetal {seed}."
    ),
    "Model comparison (chosen: K = {k} by the lowest BIC)": (
        "Vergelijking van modellen (gekozen: K = {k}, met de laagste BIC)"
    ),
    "log-likelihood": "log-likelihood",
    "parameters": "parameters",
    "entropy": "entropie",
    "converged": "geconvergeerd",
    "Classes (ordered by slope)": "Klassen (op volgorde van helling)",
    "class": "klasse",
    "size": "grootte",
    "weight": "gewicht",
    "slope": "helling",
    "mean posterior": "gemiddelde posterior",
    "Adjusted Rand index against the column {column}: {ari}": (
        "Gecorrigeerde Rand-index tegenover de kolom {column}: {ari}"
    ),
    "Known course against the class found": "Bekend verloop tegenover de gevonden klasse",
    "course": "verloop",
    "class_{label}": "klasse {label}",
    "Mean course of the alliance per trajectory class (intercept + slope × round)": (
        "Gemiddeld verloop van de werkalliantie per trajectklasse (intercept + helling × meting)"
    ),
    "One line per class from round 0 to the last round; the class table gives the numbers.": (
        "Eén lijn per klasse van meting 0 tot de laatste meting; de tabel van de klassen geeft "
        "de getallen."
    ),
    "round": "meting",
    "class {label} (n = {n})": "klasse {label} (n = {n})",
    # Outcomes.
    "Outcome: {outcome}; predictors: {predictors}. n = {n}, events = {events}, "
    "excluded = {excluded}.": (
        "Uitkomst: {outcome}; voorspellers: {predictors}. n = {n}, gebeurtenissen = {events}, "
        "weggelaten = {excluded}."
    ),
    "a premature negative end": "een voortijdig negatief einde",
    "client's mean score over the rounds; substance use 0/1": (
        "gemiddelde score van de cliënt over de metingen; middelengebruik 0/1"
    ),
    "client's mean score over the rounds": "gemiddelde score van de cliënt over de metingen",
    "Logistic regression of a premature negative end": (
        "Logistische regressie van een voortijdig negatief einde"
    ),
    "odds ratio": "oddsratio",
    "term": "term",
    "estimate": "schatting",
    "McFadden's pseudo R²: {value}": "Pseudo-R² van McFadden: {value}",
    # Survival.
    "Groups: {grouping}; excluded rows: {excluded}.": (
        "Groepen: {grouping}; weggelaten rijen: {excluded}."
    ),
    "tertiles of the client's mean alliance over the rounds": (
        "tertielen van de gemiddelde werkalliantie van de cliënt over de metingen"
    ),
    "Kaplan–Meier per alliance tertile": "Kaplan–Meier per tertiel van de werkalliantie",
    "events": "gebeurtenissen",
    "median months (– = not reached)": "mediaan in maanden (– = niet bereikt)",
    "1 low": "1 laag",
    "2 middle": "2 midden",
    "3 high": "3 hoog",
    "Log-rank test: χ² = {chi2}, df = {df}, p = {p}": (
        "Log-ranktoets: χ² = {chi2}, df = {df}, p = {p}"
    ),
    "No log-rank test: {reason}": "Geen log-ranktoets: {reason}",
    "Kaplan–Meier not estimable: {reason}": "Kaplan–Meier niet te schatten: {reason}",
    "Cox regression": "Cox-regressie",
    "Cox regression of the time to recidivism (n = {n}, events = {events}, ties: {ties})": (
        "Cox-regressie van de tijd tot recidive (n = {n}, gebeurtenissen = {events}, "
        "gelijke tijden: {ties})"
    ),
    "hazard ratio": "hazardratio",
    "Harrell's concordance: {value}": "Concordantie van Harrell: {value}",
    "Cox regression not estimable: {reason}": "Cox-regressie niet te schatten: {reason}",
    "Kaplan–Meier estimate of remaining without recidivism, by alliance tertile": (
        "Kaplan–Meier-schatting van het aandeel zonder recidive, per tertiel van de werkalliantie"
    ),
    "Step curves of the share without recidivism against months since the end, one per "
    "alliance tertile; the table below gives each curve's size, events and median.": (
        "Trapcurves van het aandeel zonder recidive tegen de maanden sinds het einde, één per "
        "tertiel van de werkalliantie; de tabel eronder geeft per curve de grootte, de "
        "gebeurtenissen en de mediaan."
    ),
    "months since the end": "maanden sinds het einde",
    "without recidivism": "zonder recidive",
    # The stamp.
    "Reproducibility: what went in and what ran": (
        "Reproduceerbaarheid: wat erin ging en wat er draaide"
    ),
    "value": "waarde",
    "study": "onderzoek",
    "software": "software",
    "instrument": "instrument",
    "mapping": "koppeling",
    "seed": "startgetal",
    "missing answers": "ontbrekende antwoorden",
    "run at (UTC)": "uitgevoerd op (UTC)",
    "data": "gegevens",
    "listwise: per scale, only rows that answered every item (as SPSS); every model uses the "
    "rows complete on its own columns": (
        "listwise: per schaal alleen de rijen die elk item beantwoordden (zoals SPSS); elk "
        "model gebruikt de rijen die volledig zijn op zijn eigen kolommen"
    ),
    "pairwise: each covariance over the rows that answered both items (as pingouin); every "
    "model uses the rows complete on its own columns": (
        "pairwise: elke covariantie over de rijen die beide items beantwoordden (zoals "
        "pingouin); elk model gebruikt de rijen die volledig zijn op zijn eigen kolommen"
    ),
    "study table (consenting trajectories; SHA-256 of it as CSV)": (
        "tabel van het onderzoek (trajecten met toestemming; SHA-256 ervan als CSV)"
    ),
    "time to recidivism per trajectory, from the follow-up outcomes": (
        "tijd tot recidive per traject, uit de vervolguitkomsten"
    ),
    # Why a section could not be estimated (the report's own reasons).
    "could not be estimated: {reason}": "kon niet worden geschat: {reason}",
    "the data could not be analysed: {reason}": (
        "de gegevens konden niet worden geanalyseerd: {reason}"
    ),
    "the study has no submitted responses of consenting clients": (
        "het onderzoek heeft geen ingediende invullingen van cliënten met toestemming"
    ),
    "needs --trajectories with the time to recidivism": (
        "heeft --trajectories nodig, met de tijd tot recidive"
    ),
    "needs --instrument: a mapping does not pair client and professional": (
        "heeft --instrument nodig: een koppeling brengt cliënt en professional niet in paren"
    ),
    "needs --instrument: reliable change needs its references": (
        "heeft --instrument nodig: betrouwbare verandering heeft de referentiewaarden nodig"
    ),
    "needs --instrument: no alliance score": (
        "heeft --instrument nodig: geen score voor de werkalliantie"
    ),
    "needs --instrument: no characteristic scores": "heeft --instrument nodig: geen kenmerkscores",
    "the data have no 'end_kind' column": "de gegevens hebben geen kolom 'end_kind'",
    "the data have no column(s) {columns}": "de gegevens hebben geen kolom(men) {columns}",
    "the trajectories table has no column(s) {columns}": (
        "de trajectentabel heeft geen kolom(men) {columns}"
    ),
    "no follow-up outcomes imported for this study (a researcher imports them on the study's "
    "page, under follow-up outcomes)": (
        "geen vervolguitkomsten ingelezen voor dit onderzoek (een onderzoeker leest ze in op de "
        "pagina van het onderzoek, onder vervolguitkomsten)"
    ),
    # The survival section of a study's report (research.report_survival).
    "none left out": "geen weggelaten",
    "{n} not ended": "{n} niet beëindigd",
    "{n} without any follow-up outcome": "{n} zonder enige vervolguitkomst",
    "{n} trajectory left out (time not known): {reasons}": (
        "{n} traject weggelaten (tijd niet bekend): {reasons}"
    ),
    "{n} trajectories left out (time not known): {reasons}": (
        "{n} trajecten weggelaten (tijd niet bekend): {reasons}"
    ),
    "{n} trajectory": "{n} traject",
    "{n} trajectories": "{n} trajecten",
    "no trajectory in the data has a known time to recidivism: {left_out}": (
        "geen traject in de gegevens heeft een bekende tijd tot recidive: {left_out}"
    ),
    "Time to recidivism from the study's follow-up outcomes: months (days / {days}) from the "
    "end of the trajectory to the first recidivism or reconviction reported on or after it; "
    "without one, censored at the latest follow-up date known. {n} of {total} in the data; "
    "{left_out}.": (
        "Tijd tot recidive uit de vervolguitkomsten van het onderzoek: maanden (dagen / {days}) "
        "van het einde van het traject tot de eerste recidive of nieuwe veroordeling die op of "
        "na dat einde is gemeld; zonder zo'n melding gecensureerd op de laatst bekende datum "
        "van een vervolguitkomst. {n} van {total} in de gegevens; {left_out}."
    ),
    # Fixed reasons and descriptions of the analyses the report runs.
    "the one-factor model needs at least 3 items (2 items leave it unidentified)": (
        "het eenfactormodel heeft minstens 3 items nodig (met 2 items is het niet identificeerbaar)"
    ),
    "the one-factor model did not converge": "het eenfactormodel convergeerde niet",
    "some pairs of items were never answered together by two or more rows": (
        "sommige paren items werden nooit door twee of meer rijen samen beantwoord"
    ),
    "no complete rows": "geen volledige rijen",
    "one group: nothing to compare": "één groep: er is niets te vergelijken",
    "no events: the curves cannot differ": "geen gebeurtenissen: de curves kunnen niet verschillen",
    "the model needs an intercept or at least one predictor": (
        "het model heeft een intercept of minstens één voorspeller nodig"
    ),
    "a predictor is constant or a linear combination of the others (collinear design)": (
        "een voorspeller is constant of een lineaire combinatie van de andere (collineair ontwerp)"
    ),
    "a missing score is skipped; its neighbours are compared": (
        "een ontbrekende score wordt overgeslagen; de scores ervoor en erna worden vergeleken"
    ),
    "a scale needs at least 2 items": "een schaal heeft minstens 2 items nodig",
    "the scale score does not vary in these rows": "de schaalscore varieert niet in deze rijen",
    # Reasons from deeper in the analyses (core.research: data, reliability, cfa, growth,
    # agreement, outcomes, cox, survival), matched with their variable parts by
    # :data:`ANALYSIS_REASONS`.
    "client: {problem}": "cliënt: {problem}",
    "professional: {problem}": "professional: {problem}",
    "{n} complete rows; alpha needs at least {minimum}": (
        "{n} volledige rijen; α heeft er minstens {minimum} nodig"
    ),
    "{n} rows with an answer; alpha needs at least {minimum}": (
        "{n} rijen met een antwoord; α heeft er minstens {minimum} nodig"
    ),
    "{n} rows for {k} items: the one-factor model needs more rows than items": (
        "{n} rijen voor {k} items: het eenfactormodel heeft meer rijen dan items nodig"
    ),
    "a one-factor model needs at least 3 items": "een eenfactormodel heeft minstens 3 items nodig",
    "the covariance matrix has a missing or non-positive variance": (
        "de covariantiematrix heeft een ontbrekende variantie of een variantie van nul of minder"
    ),
    "{n} complete row(s) for a model with {parameters} free parameters and {k} items": (
        "{n} volledige rij(en) voor een model met {parameters} vrije parameters en {k} items"
    ),
    "{n} complete row(s) for {parameters} free parameters": (
        "{n} volledige rij(en) voor {parameters} vrije parameters"
    ),
    "group {group} has {n} complete row(s), {k} items": (
        "groep {group} heeft {n} volledige rij(en), {k} items"
    ),
    "the estimator did not converge (largest gradient element {gradient})": (
        "de schatter convergeerde niet (grootste element van de gradiënt {gradient})"
    ),
    "a factor with two items is identified only through its correlations with the other "
    "factors, and these may be too close to zero in these data": (
        "een factor met twee items is alleen identificeerbaar via de correlaties met de andere "
        "factoren, en die liggen in deze gegevens misschien te dicht bij nul"
    ),
    "item(s) without variance in these rows: {items}": (
        "item(s) zonder variantie in deze rijen: {items}"
    ),
    "the item covariance matrix is not positive definite (items are linearly dependent)": (
        "de covariantiematrix van de items is niet positief definiet (items zijn lineair "
        "afhankelijk)"
    ),
    "{n} trajectories with {min_rounds}+ scores; the largest model needs {needed}": (
        "{n} trajecten met {min_rounds}+ scores; het grootste model heeft er {needed} nodig"
    ),
    "{n} complete pair(s); agreement needs at least {minimum}": (
        "{n} volledige paren; overeenstemming heeft er minstens {minimum} nodig"
    ),
    "the outcome {outcome} does not vary ({events} events in {n})": (
        "de uitkomst {outcome} varieert niet ({events} gebeurtenissen op {n})"
    ),
    "{n} complete rows for {p} coefficients": "{n} volledige rijen voor {p} coëfficiënten",
    "separation: a combination of the predictors predicts the outcome (almost) perfectly, so "
    "the estimates have no finite maximum likelihood": (
        "separatie: een combinatie van de voorspellers voorspelt de uitkomst (bijna) perfect, "
        "dus de schattingen hebben geen eindige maximum likelihood"
    ),
    "no convergence in {iterations} iterations": "geen convergentie in {iterations} iteraties",
    "no events": "geen gebeurtenissen",
    "a predictor is constant or a linear combination of the others": (
        "een voorspeller is constant of een lineaire combinatie van de andere"
    ),
    "the partial likelihood keeps rising (monotone likelihood: a predictor separates those "
    "with and without an event) or no convergence": (
        "de partiële likelihood blijft stijgen (monotone likelihood: een voorspeller scheidt "
        "wie wel en wie geen gebeurtenis heeft) of er is geen convergentie"
    ),
    "the client's mean alliance takes too few distinct values for tertiles": (
        "de gemiddelde werkalliantie van de cliënt heeft te weinig verschillende waarden "
        "voor tertielen"
    ),
    "column {column}: is constant (every answer is {value})": (
        "kolom {column}: is constant (elk antwoord is {value})"
    ),
    "a constant item carries no information": "een constant item draagt geen informatie",
    "column {column}: has no answers": "kolom {column}: heeft geen antwoorden",
    "column {column}: holds true/false, not answers": (
        "kolom {column}: bevat waar/onwaar, geen antwoorden"
    ),
    "column {column}: not a number in row(s) {rows} (found {examples})": (
        "kolom {column}: geen getal in rij(en) {rows} (gevonden: {examples})"
    ),
    "column {column}: value(s) outside the answer range {range} in row(s) {rows}": (
        "kolom {column}: waarde(n) buiten het antwoordbereik {range} in rij(en) {rows}"
    ),
    "column {column}: appears more than once in the data": (
        "kolom {column}: komt meer dan eens voor in de gegevens"
    ),
    "the group column {column} is not in the data": (
        "de groepskolom {column} staat niet in de gegevens"
    ),
    "the mapping names column(s) not in the data: {columns}": (
        "de koppeling noemt kolom(men) die niet in de gegevens staan: {columns}"
    ),
    "the data have no rows": "de gegevens hebben geen rijen",
    "the instrument {instrument} is not installed": (
        "het instrument {instrument} is niet geïnstalleerd"
    ),
    "the data hold no {items} items": "de gegevens bevatten geen items van {items}",
    "the data have no key column(s) {columns}": (
        "de gegevens hebben geen sleutelkolom(men) {columns}"
    ),
    "column(s) not in the data: {columns}": "kolom(men) niet in de gegevens: {columns}",
    "the data have no {column} column": "de gegevens hebben geen kolom {column}",
    "group column {column} has {count} group(s) among the complete rows; invariance needs at "
    "least two": (
        "groepskolom {column} heeft {count} groep(en) onder de volledige rijen; meetinvariantie "
        "heeft er minstens twee nodig"
    ),
    "group column {column} is not in the data": "groepskolom {column} staat niet in de gegevens",
    "group column {column} is also mapped as an item": (
        "groepskolom {column} is ook als item gekoppeld"
    ),
    "group column {column} has labels that coincide as text": (
        "groepskolom {column} heeft groepen die als tekst samenvallen"
    ),
    "group {group}: {problem}": "groep {group}: {problem}",
}

#: Reasons the analyses write with a variable part: each is matched whole against a reason
#: (its fields standing for any text) and shown with its Dutch text, the variable parts as
#: they were. A field named ``reason`` or ``problem`` is itself a reason, looked up again.
#: More specific patterns come first.
ANALYSIS_REASONS: tuple[str, ...] = (
    "could not be estimated: {reason}",
    "the data could not be analysed: {reason}",
    "the data have no column(s) {columns}",
    "the trajectories table has no column(s) {columns}",
    "{n} complete rows; alpha needs at least {minimum}",
    "{n} rows with an answer; alpha needs at least {minimum}",
    "{n} rows for {k} items: the one-factor model needs more rows than items",
    "{n} complete row(s) for a model with {parameters} free parameters and {k} items",
    "{n} complete row(s) for {parameters} free parameters",
    "group {group} has {n} complete row(s), {k} items",
    "the estimator did not converge (largest gradient element {gradient})",
    "item(s) without variance in these rows: {items}",
    "{n} trajectories with {min_rounds}+ scores; the largest model needs {needed}",
    "{n} complete pair(s); agreement needs at least {minimum}",
    "the outcome {outcome} does not vary ({events} events in {n})",
    "{n} complete rows for {p} coefficients",
    "no convergence in {iterations} iterations",
    "column {column}: is constant (every answer is {value})",
    "column {column}: has no answers",
    "column {column}: holds true/false, not answers",
    "column {column}: not a number in row(s) {rows} (found {examples})",
    "column {column}: value(s) outside the answer range {range} in row(s) {rows}",
    "column {column}: appears more than once in the data",
    "the group column {column} is not in the data",
    "the mapping names column(s) not in the data: {columns}",
    "the instrument {instrument} is not installed",
    "the data hold no {items} items",
    "the data have no key column(s) {columns}",
    "column(s) not in the data: {columns}",
    "the data have no {column} column",
    "group column {column} has {count} group(s) among the complete rows; invariance needs at "
    "least two",
    "group column {column} is not in the data",
    "group column {column} is also mapped as an item",
    "group column {column} has labels that coincide as text",
    "group {group}: {problem}",
    "client: {problem}",
    "professional: {problem}",
)
#: Fields of :data:`ANALYSIS_REASONS` that hold a reason of their own.
_NESTED_FIELDS = ("reason", "problem")
#: Fields that hold a value from the data (a group, quoted): shown as :func:`lookup` shows it.
_VALUE_FIELDS = ("group",)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"{(\w+)}", template)
    regex = "".join(
        re.escape(part)
        if index % 2 == 0
        # A count or a column holds no "; ": that separates one reason from the next.
        else f"(?P<{part}>.+?)"
        if part in _NESTED_FIELDS
        else f"(?P<{part}>[^;]+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


_PATTERNS = tuple((template, _pattern(template)) for template in ANALYSIS_REASONS)


def check_language(language: str) -> str:
    """``language`` if the report is written in it; ``ValueError`` otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"the report is written in {' or '.join(LANGUAGES)}, not {language!r}")
    return language


def text(msg: str, language: str, **fields: object) -> str:
    """``msg`` (an English key of :data:`DUTCH`) in ``language``, with ``fields`` filled in.

    A key missing from the table is a programming error and raises ``KeyError`` in Dutch,
    so a test rendering the Dutch report finds it.
    """
    translated = msg if check_language(language) == "en" else DUTCH[msg]
    return translated.format(**fields) if fields else translated


def lookup(value: object, language: str) -> str:
    """A value from the data (a rater, a pattern, a reason) in ``language`` when the table has it.

    A reason with a variable part is matched against :data:`ANALYSIS_REASONS`; reasons joined
    by ``"; "`` are looked up one by one. Values the table does not hold (a domain, a column
    name) stay as they are.
    """
    shown = str(value)
    if language == "en":
        return shown
    return _dutch(shown) or shown


def knows(value: object) -> bool:
    """Whether :func:`lookup` gives ``value`` wholly in Dutch (nothing English left in it)."""
    return _dutch(str(value), partial=False) is not None


def _dutch(shown: str, *, partial: bool = True) -> str | None:
    """``shown`` in Dutch, or ``None`` when neither the table nor a pattern knows it.

    With ``partial`` a known pattern around an unknown reason gives the pattern in Dutch and
    the inner reason as it is (better than all English); without, it gives ``None``.
    """
    if shown in DUTCH:
        return DUTCH[shown]
    if "; " in shown:
        # Reasons joined one after another; a pattern with "; " of its own comes below.
        parts = [_dutch(part, partial=False) for part in shown.split("; ")]
        if all(parts):
            return "; ".join(part for part in parts if part)
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(shown)
        if found is None:
            continue
        fields: dict[str, str] = {}
        for name, part in found.groupdict().items():
            inner = _dutch(part, partial=partial) if name in _NESTED_FIELDS else part
            if name in _VALUE_FIELDS:
                inner = _quoted_value(part)
            if inner is None:
                if not partial:
                    return None
                inner = part
            fields[name] = inner
        return text(template, "nl", **fields)
    return None


def _quoted_value(part: str) -> str:
    """A value as an analysis quotes it (``'False'``), in Dutch when the table has it."""
    bare = part.strip("'")
    return part.replace(bare, DUTCH.get(bare, bare)) if bare else part


def characteristic_names(
    names: Mapping[str, Mapping[str, str]] | None, language: str
) -> dict[str, str]:
    """Characteristic key → its name in ``language`` (else Dutch, else any), from the instrument."""
    chosen = {}
    for key, translated in (names or {}).items():
        for option in (language, DEFAULT_LANGUAGE, *translated):
            if translated.get(option):
                chosen[key] = translated[option]
                break
    return chosen


@dataclass(frozen=True)
class Words:
    """The report's words in one language, and the instrument's characteristic names in it."""

    language: str
    names: Mapping[str, str]

    def __call__(self, msg: str, **fields: object) -> str:
        return text(msg, self.language, **fields)

    def value(self, value: object) -> str:
        """A value from the data (rater, pattern, reason, level) in the page's language."""
        return lookup(value, self.language)

    def term(self, key: object) -> str:
        """A characteristic (by the instrument's name) or another model term."""
        return self.names.get(str(key)) or self.value(key)


def fields_of(msg: str) -> set[str]:
    """The ``{fields}`` of a text (the test checks a translation keeps them all)."""
    return set(re.findall(r"{(\w+)}", msg))
