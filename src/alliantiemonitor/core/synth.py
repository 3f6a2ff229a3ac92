"""Synthetic trajectories for demos, tests and benchmarks: believable, seeded, reproducible.

Every relationship in this module is an *assumption* chosen to resemble what the research on the
working alliance in mandated settings reports (see docs/synthetic-data.md and INSTRUMENT.md). The
data are not a finding and must never be presented as one.

The model, per trajectory (one client with one or, after a handover, two professionals):

1. a latent level per characteristic and rater, drawn from a multivariate normal whose correlation
   is ``rater agreement ⊗ characteristic correlation``;
2. a course type (stable, improving, deteriorating) — deterioration more likely with substance use
   and after a change of professional, less likely for motivated clients;
3. per round: level + course trend + professional effect + occasion noise;
4. item answers: latent + item offset + noise, rounded and clipped to the scale, reverse-keyed
   items mirrored; item and whole-round nonresponse;
5. outcomes at trajectory level from logistic / Poisson models on the client-rated alliance;
6. a time to recidivism (Weibull proportional hazards on client trust and substance use,
   censored at 48 months) from a random stream of its own, so earlier columns are unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliantiemonitor.core.instrument import RATERS, Instrument, Item

__all__ = [
    "COURSES",
    "COURSE_TYPES",
    "DEFAULT_DOMAINS",
    "EVENT_KINDS",
    "LEGAL_FRAMES",
    "OutcomeCoefficients",
    "SynthDataset",
    "SynthParams",
    "generate",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

DEFAULT_DOMAINS: tuple[str, ...] = (
    "reclassering",
    "jeugdbescherming",
    "jeugdreclassering",
    "schuldhulpverlening",
    "arbeidsintegratie",
    "woonbegeleiding",
    "justitiehuis",
)

COURSES: tuple[str, ...] = ("stable", "improving", "deteriorating")
#: The course types: the three whole-alliance courses, then the narrower truths that the
#: signals are measured against (only in trajectories whose whole alliance is stable).
COURSE_TYPES: tuple[str, ...] = (*COURSES, "one_characteristic", "disagreement")

EVENT_KINDS: tuple[str, ...] = (
    "handover",
    "no_show",
    "formal_warning",
    "premature_end_negative",
    "premature_end_positive",
    "completion",
    "recidivism",
)

#: Truth columns of ``trajectories`` (and, at the end, of ``to_long()``) for the signals.
TRUTH_COLUMNS: tuple[str, ...] = (
    "course_type",
    "changed_characteristic",
    "stopped_round",
    "planned_rounds",
)

#: Typical legal frames per domain (Dutch, as a professional would type them). Illustrative only.
LEGAL_FRAMES: Mapping[str, tuple[str, ...]] = {
    "reclassering": (
        "bijzondere voorwaarden bij voorwaardelijke straf",
        "voorwaardelijke invrijheidstelling",
        "schorsing voorlopige hechtenis met voorwaarden",
    ),
    "jeugdbescherming": ("ondertoezichtstelling", "voogdij"),
    "jeugdreclassering": ("jeugdreclasseringsmaatregel", "toezicht bij voorwaardelijke straf"),
    "schuldhulpverlening": ("minnelijk schuldhulptraject", "budgetbeheer met afspraken"),
    "arbeidsintegratie": ("re-integratie Participatiewet", "verplichtingen Participatiewet"),
    "woonbegeleiding": ("beschermd wonen", "maatschappelijke opvang", "begeleid wonen"),
    "justitiehuis": (
        "probatie-uitstel",
        "voorwaardelijke invrijheidstelling",
        "elektronisch toezicht",
    ),
}
_OTHER_FRAME = ("overig kader",)

#: Latent means on a 1–5 scale; used when ``SynthParams`` leaves a characteristic out.
_DEFAULT_CLIENT_MEANS: Mapping[str, float] = {
    "direction": 3.9,
    "trust": 3.6,
    "bond": 3.8,
    "friction": 2.3,
}
_DEFAULT_PROFESSIONAL_MEANS: Mapping[str, float] = {
    "direction": 4.0,
    "trust": 3.6,
    "bond": 3.8,
    "friction": 2.1,
}
_FALLBACK_MEAN = {"positive": 3.8, "negative": 2.2}


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _expit(x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _check_probability(name: str, value: float, *, open_interval: bool = False) -> None:
    if open_interval and not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value}")
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie between 0 and 1, got {value}")


@dataclass(frozen=True)
class OutcomeCoefficients:
    """Trajectory outcome models; probabilities hold at average client-rated alliance.

    Predictors are the client's latent scores averaged over the rounds, centred on the client
    means in :class:`SynthParams` (so 0 = an average client, 1 = one point higher on the 1–5
    scale). Coefficients are log-odds (or log-rate) per point.
    """

    #: Expected no-shows per round interval for an average client (Poisson rate).
    no_show_rate: float = 0.25
    no_show_alliance: float = -0.6
    no_show_friction: float = 0.5
    #: Probability of at least one formal warning / violation during the trajectory.
    warning_probability: float = 0.15
    warning_alliance: float = -0.8
    warning_friction: float = 0.8
    warning_substance: float = 0.5
    #: Probability of a premature negative end (dropout, revocation, return to court).
    premature_negative_probability: float = 0.15
    premature_negative_trust: float = -1.2
    premature_negative_friction: float = 0.9
    premature_negative_substance: float = 0.4
    #: Share of the remaining trajectories that end early for a good reason (goal reached early).
    premature_positive_probability: float = 0.05
    #: Probability of recidivism within four years after the end (synthetic, not a finding).
    recidivism_probability: float = 0.30
    recidivism_trust: float = -0.9
    recidivism_substance: float = 0.5
    #: Domains where recidivism is followed up; elsewhere ``recidivism_4y`` is always false.
    recidivism_domains: tuple[str, ...] = ("reclassering", "jeugdreclassering", "justitiehuis")
    #: Time to recidivism after the end (a survival outcome, drawn from its own random stream):
    #: Weibull proportional hazards, censored after ``followup_months``. The probability holds
    #: for an average client without substance use; the effects are log hazard ratios per point.
    recidivism_followup_probability: float = 0.30
    recidivism_log_hazard_trust: float = -0.7
    recidivism_log_hazard_substance: float = 0.4
    recidivism_weibull_shape: float = 1.2
    followup_months: float = 48.0

    def __post_init__(self) -> None:
        for name in (
            "warning_probability",
            "premature_negative_probability",
            "recidivism_probability",
            "recidivism_followup_probability",
        ):
            _check_probability(name, getattr(self, name), open_interval=True)
        if not (self.recidivism_weibull_shape > 0 and self.followup_months > 0):
            raise ValueError("recidivism_weibull_shape and followup_months must be positive")
        _check_probability("premature_positive_probability", self.premature_positive_probability)
        if self.no_show_rate < 0:
            raise ValueError(f"no_show_rate must not be negative, got {self.no_show_rate}")


@dataclass(frozen=True)
class SynthParams:
    """Every assumption of the generator, with defaults documented in docs/synthetic-data.md."""

    # --- trajectories and rounds ---------------------------------------------------------------
    rounds_min: int = 2
    rounds_max: int = 6
    round_interval_days: int = 91
    round_interval_sd_days: float = 14.0
    #: Trajectories start spread over this many days from ``start``.
    intake_window_days: int = 365
    #: Trajectories per professional; sets the size of each domain's pool of professionals.
    caseload: int = 25
    substance_use_prevalence: float = 0.25
    motivated_prevalence: float = 0.6
    #: Share of trajectories (with at least two rounds) that change professional once.
    handover_probability: float = 0.15

    # --- latent alliance -----------------------------------------------------------------------
    client_means: Mapping[str, float] = field(default_factory=lambda: dict(_DEFAULT_CLIENT_MEANS))
    professional_means: Mapping[str, float] = field(
        default_factory=lambda: dict(_DEFAULT_PROFESSIONAL_MEANS)
    )
    #: Between-dyad SD of each latent characteristic, in scale points.
    latent_sd: float = 0.6
    #: Correlation between two positive characteristics (same rater).
    positive_correlation: float = 0.6
    #: Correlation between friction and each positive characteristic (same rater).
    friction_correlation: float = -0.45
    #: Correlation between the client's and the professional's view of the same characteristic.
    rater_agreement: float = 0.45
    #: Round-to-round wobble of a latent score, in points.
    occasion_sd: float = 0.2
    #: SD of a professional's effect on every alliance they are part of.
    professional_effect_sd: float = 0.15
    #: Level shift of the positive characteristics for motivated clients / with substance use.
    motivated_shift: float = 0.15
    substance_shift: float = -0.15
    #: Friction moves this many times as much as the positives, in the opposite direction.
    friction_shift_ratio: float = 0.7

    # --- course --------------------------------------------------------------------------------
    #: Course probabilities for a trajectory without risk factors (no substance use, no handover,
    #: not motivated); risk factors multiply the deterioration probability.
    p_improving: float = 0.14
    p_deteriorating: float = 0.08
    rr_deteriorating_substance: float = 2.0
    rr_deteriorating_handover: float = 2.5
    rr_deteriorating_motivated: float = 0.6
    #: Total change over an improving / deteriorating course, in points (normal, at least 0.3).
    change_mean: float = 0.9
    change_sd: float = 0.25
    #: Of the trajectories whose whole alliance is stable: the share where one characteristic
    #: alone deteriorates (both views), and the share where only the client's view deteriorates
    #: (a growing disagreement). Both use ``change_mean`` / ``change_sd``.
    p_one_characteristic: float = 0.05
    p_disagreement: float = 0.05
    #: Share of trajectories (with at least three rounds) whose client stops responding from a
    #: round on (every later client response is skipped).
    p_stops_responding: float = 0.04

    # --- answers -------------------------------------------------------------------------------
    item_noise: float = 0.7
    #: Friction's items are noisier: its internal consistency was reported to be weaker.
    friction_item_noise: float = 0.9
    #: SD of a fixed per-item offset (some statements are easier to agree with).
    item_offset_sd: float = 0.15
    item_missing_rate: float = 0.03
    #: Beta concentration of a response's own skipping propensity (lower = more uneven).
    item_missing_concentration: float = 8.0
    #: Client skips a whole round; more likely with lower client-rated trust.
    client_round_missing_rate: float = 0.04
    client_round_missing_trust: float = -0.5
    professional_round_missing_rate: float = 0.01

    outcomes: OutcomeCoefficients = field(default_factory=OutcomeCoefficients)

    def __post_init__(self) -> None:
        if self.rounds_min < 1 or self.rounds_max < self.rounds_min:
            raise ValueError(
                f"need 1 <= rounds_min <= rounds_max, got {self.rounds_min}..{self.rounds_max}"
            )
        if self.round_interval_days < 1 or self.caseload < 1 or self.intake_window_days < 0:
            raise ValueError("round_interval_days and caseload must be >= 1, window >= 0")
        for name in (
            "substance_use_prevalence",
            "motivated_prevalence",
            "handover_probability",
            "p_improving",
            "p_deteriorating",
            "p_one_characteristic",
            "p_disagreement",
            "p_stops_responding",
            "item_missing_rate",
            "client_round_missing_rate",
            "professional_round_missing_rate",
        ):
            _check_probability(name, getattr(self, name))
        if self.p_improving + self.p_deteriorating > 1.0:
            raise ValueError("p_improving + p_deteriorating must not exceed 1")
        if self.p_one_characteristic + self.p_disagreement > 1.0:
            raise ValueError("p_one_characteristic + p_disagreement must not exceed 1")
        for name in ("positive_correlation", "friction_correlation", "rater_agreement"):
            value = getattr(self, name)
            if not -1.0 < value < 1.0:
                raise ValueError(f"{name} must lie strictly between -1 and 1, got {value}")
        for name in (
            "latent_sd",
            "occasion_sd",
            "professional_effect_sd",
            "change_sd",
            "item_noise",
            "friction_item_noise",
            "item_offset_sd",
            "round_interval_sd_days",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.item_missing_concentration <= 0:
            raise ValueError("item_missing_concentration must be positive")
        for name in ("rr_deteriorating_substance", "rr_deteriorating_handover"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.rr_deteriorating_motivated < 0:
            raise ValueError("rr_deteriorating_motivated must not be negative")


@dataclass(frozen=True)
class SynthDataset:
    """The generated tables; see docs/synthetic-data.md for every column."""

    instrument: Instrument
    trajectories: pd.DataFrame
    assignments: pd.DataFrame
    rounds: pd.DataFrame
    responses: pd.DataFrame
    events: pd.DataFrame

    @property
    def item_columns(self) -> tuple[str, ...]:
        """Item ids in instrument order: client items first, then professional items."""
        return tuple(i.id for rater in RATERS for i in self.instrument.items_for(rater))

    def to_long(self, *, submitted_only: bool = False) -> pd.DataFrame:
        """One row per response with the trajectory's attributes and outcomes merged in.

        This is the table the ``synth`` CLI writes and ``score`` reads: a ``rater`` column and
        one column per item id (client items empty on professional rows and vice versa).
        ``submitted_only`` drops the rows of a party that skipped the round.
        """
        responses = self.responses
        if submitted_only:
            responses = responses[responses["submitted"]]
        traj = self.trajectories[
            [
                "trajectory_id",
                "client_id",
                "legal_frame",
                "substance_use",
                "motivated",
                "course",
                "handover",
                "n_rounds",
                "end_kind",
                "no_shows",
                "formal_warning",
                "recidivism_4y",
                *TRUTH_COLUMNS,
            ]
        ]
        long = responses.merge(traj, on="trajectory_id", how="left", validate="many_to_one")
        front = [
            "response_id",
            "trajectory_id",
            "client_id",
            "domain",
            "legal_frame",
            "round_index",
            "round_date",
            "after_handover",
            "rater",
            "professional_id",
            "instrument",
            "instrument_version",
            "submitted",
            "substance_use",
            "motivated",
            "course",
            "handover",
            "n_rounds",
            "end_kind",
            "no_shows",
            "formal_warning",
            "recidivism_4y",
        ]
        return long[front + list(self.item_columns) + list(TRUTH_COLUMNS)].reset_index(drop=True)


def _codes(prefix: str, count: int, *, minimum_width: int) -> list[str]:
    width = max(minimum_width, len(str(count)))
    return [f"{prefix}{n:0{width}d}" for n in range(1, count + 1)]


def _latent_correlation(polarities: Sequence[str], params: SynthParams) -> FloatArray:
    """Correlation of the 2·K latent scores: ``[[1, a], [a, 1]] ⊗ C`` (client block first)."""
    k = len(polarities)
    char_corr = np.eye(k)
    for i in range(k):
        for j in range(k):
            if i == j:
                continue
            same = polarities[i] == polarities[j]
            char_corr[i, j] = params.positive_correlation if same else params.friction_correlation
    agreement = np.array([[1.0, params.rater_agreement], [params.rater_agreement, 1.0]])
    return np.asarray(np.kron(agreement, char_corr), dtype=np.float64)


def _scale_map(instrument: Instrument) -> tuple[float, float]:
    """Slope and intercept that map a 1–5 latent value onto the instrument's scale."""
    lo, hi = instrument.scale.minimum, instrument.scale.maximum
    slope = (hi - lo) / 4.0
    return slope, lo - slope


def generate(
    instrument: Instrument,
    *,
    trajectories: int,
    seed: int,
    domains: Sequence[str] = DEFAULT_DOMAINS,
    start: date = date(2025, 1, 6),
    params: SynthParams | None = None,
) -> SynthDataset:
    """Generate ``trajectories`` synthetic trajectories with answers on ``instrument``.

    The same ``instrument``, arguments and ``seed`` give identical tables. Every relationship
    (correlations, course probabilities, outcome models) is an assumption set in
    :class:`SynthParams`, not a research finding. Raises ``ValueError`` for a non-positive
    number of trajectories, no domains, or an instrument without items for both raters.
    """
    p = params or SynthParams()
    if trajectories < 1:
        raise ValueError(f"trajectories must be at least 1, got {trajectories}")
    if not domains:
        raise ValueError("domains must not be empty")
    for rater in RATERS:
        if not instrument.items_for(rater):
            raise ValueError(f"instrument {instrument.ref} has no items for the {rater}")
    if seed < 0:
        raise ValueError(f"seed must not be negative, got {seed}")
    # Two independent streams: everything about the trajectories comes from the first, the item
    # answers from the second, so the same seed gives the same trajectories, rounds and outcomes
    # whichever instrument variant is answered.
    # A third stream (added later) draws the truths for the signals, so the first two streams
    # — and with them the whole-alliance courses — stay what they were for a given seed.
    # A fourth stream (added later still) draws the time to recidivism; spawned children do not
    # depend on how many are spawned, so the first three streams are unchanged by it.
    structure_seed, answer_seed, truth_seed, survival_seed = np.random.SeedSequence(seed).spawn(4)
    rng = np.random.default_rng(structure_seed)
    truth_rng = np.random.default_rng(truth_seed)
    answer_rng = np.random.default_rng(answer_seed)
    n = trajectories
    chars = instrument.characteristics
    keys = [c.key for c in chars]
    polarities = [c.polarity for c in chars]
    k = len(chars)
    # +1 for a positive characteristic, −ratio for friction: how a shift of "the alliance" moves it.
    direction = np.array(
        [1.0 if pol == "positive" else -p.friction_shift_ratio for pol in polarities]
    )

    # --- trajectory attributes -----------------------------------------------------------------
    domain_idx = rng.integers(0, len(domains), size=n)
    substance = rng.random(n) < p.substance_use_prevalence
    motivated = rng.random(n) < p.motivated_prevalence
    n_rounds = rng.integers(p.rounds_min, p.rounds_max + 1, size=n)
    r_max = int(n_rounds.max())
    frame_draw = rng.random(n)

    # Professionals: a pool per domain, sized so that each carries about ``caseload`` trajectories.
    counts = np.bincount(domain_idx, minlength=len(domains))
    pool_sizes = np.maximum(1, np.ceil(counts / p.caseload)).astype(np.int64)
    pool_offsets = np.concatenate([[0], np.cumsum(pool_sizes)[:-1]]).astype(np.int64)
    n_professionals = int(pool_sizes.sum())
    professional_effect = rng.normal(0.0, p.professional_effect_sd, size=n_professionals)
    first_prof = pool_offsets[domain_idx] + rng.integers(0, pool_sizes[domain_idx])

    can_hand_over = (n_rounds >= 2) & (pool_sizes[domain_idx] >= 2)
    handover = can_hand_over & (rng.random(n) < p.handover_probability)
    # The first round with the new professional: 1 .. n_rounds − 1.
    handover_round = np.where(handover, 1 + rng.integers(0, np.maximum(n_rounds - 1, 1)), r_max + 1)
    step = 1 + rng.integers(0, np.maximum(pool_sizes[domain_idx] - 1, 1))
    second_prof = (
        pool_offsets[domain_idx]
        + (first_prof - pool_offsets[domain_idx] + step) % (pool_sizes[domain_idx])
    )
    second_prof = np.where(handover, second_prof, first_prof)

    # --- course --------------------------------------------------------------------------------
    p_det = (
        p.p_deteriorating
        * np.where(substance, p.rr_deteriorating_substance, 1.0)
        * np.where(handover, p.rr_deteriorating_handover, 1.0)
        * np.where(motivated, p.rr_deteriorating_motivated, 1.0)
    )
    p_det = np.minimum(p_det, 1.0 - p.p_improving)
    u = rng.random(n)
    course_idx = np.where(u < p_det, 2, np.where(u < p_det + p.p_improving, 1, 0))
    change = np.maximum(rng.normal(p.change_mean, p.change_sd, size=n), 0.3)
    course_sign = np.select([course_idx == 1, course_idx == 2], [1.0, -1.0], 0.0)

    rounds_grid = np.arange(r_max)[None, :]
    exists = rounds_grid < n_rounds[:, None]
    # Progress of the change from 0 (first round) to 1 (last round); after a handover a
    # deteriorating course starts at the first round with the new professional.
    span = np.maximum(n_rounds - 1, 1)[:, None]
    progress = rounds_grid / span
    late_start = (course_idx == 2) & handover
    after_span = np.maximum(n_rounds - handover_round, 1)[:, None]
    late_progress = np.clip((rounds_grid - handover_round[:, None] + 1) / after_span, 0.0, 1.0)
    progress = np.where(late_start[:, None], late_progress, progress)
    progress = np.where(exists, progress, 0.0)
    after_handover = rounds_grid >= handover_round[:, None]
    current_prof = np.where(after_handover, second_prof[:, None], first_prof[:, None])

    # --- latent alliance -----------------------------------------------------------------------
    means = np.array(
        [
            [float(source.get(c.key, _FALLBACK_MEAN.get(c.polarity, 3.0))) for c in chars]
            for source in (p.client_means, p.professional_means)
        ]
    )
    corr = _latent_correlation(polarities, p)
    try:
        chol = np.linalg.cholesky(corr)
    except np.linalg.LinAlgError as exc:
        raise ValueError(
            "the latent correlation structure is not positive definite; "
            "check positive_correlation, friction_correlation and rater_agreement"
        ) from exc
    z = rng.standard_normal((n, 2 * k)) @ chol.T
    level = means[None, :, :] + p.latent_sd * z.reshape(n, 2, k)
    shift = (
        (p.motivated_shift * motivated + p.substance_shift * substance)[:, None]
        + course_sign[:, None] * change[:, None] * progress
        + professional_effect[current_prof]
    )
    # latent[t, r, rater, k]
    latent = (
        level[:, None, :, :]
        + shift[:, :, None, None] * direction[None, None, None, :]
        + rng.normal(0.0, p.occasion_sd, size=(n, r_max, 2, k))
    )
    truths = _narrow_truths(
        truth_rng, p, course_idx=course_idx, n_rounds=n_rounds, k=k, r_max=r_max
    )
    latent -= _narrow_shift(truths, change=change, progress=progress, direction=direction)

    # --- answers -------------------------------------------------------------------------------
    slope, intercept = _scale_map(instrument)
    lo, hi = instrument.scale.minimum, instrument.scale.maximum
    char_index = {key: i for i, key in enumerate(keys)}
    answers: dict[str, FloatArray] = {}
    for rater_idx, rater in enumerate(RATERS):
        items = instrument.items_for(rater)
        idx = np.array([char_index[i.characteristic] for i in items])
        noise_sd = np.array(
            [
                p.item_noise
                if instrument.characteristic(i.characteristic).polarity == "positive"
                else p.friction_item_noise
                for i in items
            ]
        )
        offsets = answer_rng.normal(0.0, p.item_offset_sd, size=len(items))
        base = latent[:, :, rater_idx, :][:, :, idx] + offsets
        noisy = base + answer_rng.standard_normal(base.shape) * noise_sd
        scored = np.clip(np.rint(intercept + slope * noisy), lo, hi)
        reverse = np.array([i.reverse for i in items])
        raw = np.where(reverse, lo + hi - scored, scored)
        answers[rater] = raw.astype(np.float64)

    # Whole-round nonresponse; a client with lower trust skips more often.
    trust_key = "trust" if "trust" in char_index else None
    client_latent = latent[:, :, 0, :]
    if trust_key is not None:
        trust_dev = client_latent[:, :, char_index[trust_key]] - means[0, char_index[trust_key]]
    else:
        trust_dev = np.zeros((n, r_max))
    client_skip_p = (
        _expit(_logit(p.client_round_missing_rate) + p.client_round_missing_trust * trust_dev)
        if 0.0 < p.client_round_missing_rate < 1.0
        else np.full((n, r_max), p.client_round_missing_rate)
    )
    skipped = np.stack(
        [
            rng.random((n, r_max)) < client_skip_p,
            rng.random((n, r_max)) < p.professional_round_missing_rate,
        ],
        axis=2,
    )
    # A client who stops responding skips every round from ``stopped_round`` on.
    skipped[:, :, 0] |= (truths.stopped_round >= 0)[:, None] & (
        rounds_grid >= truths.stopped_round[:, None]
    )

    # --- outcomes ------------------------------------------------------------------------------
    n_f = n_rounds.astype(np.float64)
    mean_latent = (client_latent * exists[:, :, None]).sum(axis=1) / n_f[:, None]
    dev = mean_latent - means[0][None, :]
    pos_cols = [i for i, pol in enumerate(polarities) if pol == "positive"]
    neg_cols = [i for i, pol in enumerate(polarities) if pol == "negative"]
    alliance_c = dev[:, pos_cols].mean(axis=1) if pos_cols else np.zeros(n)
    friction_c = dev[:, neg_cols].mean(axis=1) if neg_cols else np.zeros(n)
    trust_c = dev[:, char_index[trust_key]] if trust_key is not None else alliance_c
    su = substance.astype(np.float64)
    o = p.outcomes

    no_show_rate = (
        o.no_show_rate
        * n_f
        * np.exp(o.no_show_alliance * alliance_c + o.no_show_friction * friction_c)
    )
    no_shows = rng.poisson(no_show_rate).astype(np.int64)
    p_warning = _expit(
        _logit(o.warning_probability)
        + o.warning_alliance * alliance_c
        + o.warning_friction * friction_c
        + o.warning_substance * su
    )
    formal_warning = rng.random(n) < p_warning
    p_negative = _expit(
        _logit(o.premature_negative_probability)
        + o.premature_negative_trust * trust_c
        + o.premature_negative_friction * friction_c
        + o.premature_negative_substance * su
    )
    end_draw = rng.random(n)
    end_kind_idx = np.where(
        end_draw < p_negative,
        0,
        np.where(end_draw < p_negative + (1 - p_negative) * o.premature_positive_probability, 1, 2),
    )
    p_recid = _expit(
        _logit(o.recidivism_probability)
        + o.recidivism_trust * trust_c
        + o.recidivism_substance * su
    )
    followed_up = np.isin(
        domain_idx, [i for i, d in enumerate(domains) if d in o.recidivism_domains]
    )
    recidivism = (rng.random(n) < p_recid) & followed_up

    # A premature end stops the rounds: the outcomes above were drawn over the planned rounds.
    planned_rounds = n_rounds
    n_rounds = _rounds_until_end(
        truth_rng, planned_rounds, premature=end_kind_idx < 2, handover_round=handover_round
    )
    exists = rounds_grid < n_rounds[:, None]
    stopped_round = np.where(truths.stopped_round < n_rounds, truths.stopped_round, -1)

    # --- dates ---------------------------------------------------------------------------------
    base_day = np.datetime64(start, "D")
    start_day = base_day + rng.integers(0, p.intake_window_days + 1, size=n)
    first_gap = rng.integers(7, 43, size=n)
    gaps = np.maximum(
        np.rint(rng.normal(p.round_interval_days, p.round_interval_sd_days, size=(n, r_max))),
        28,
    ).astype(np.int64)
    gaps[:, 0] = first_gap
    offsets_days = np.cumsum(gaps, axis=1)
    round_day = start_day[:, None] + offsets_days
    last_idx = n_rounds - 1
    last_day = round_day[np.arange(n), last_idx]
    end_day = last_day + rng.integers(14, 91, size=n)
    # The handover falls strictly between the last round with the old and the first with the new.
    safe_round = np.minimum(handover_round, r_max - 1)
    prev_round = np.maximum(safe_round - 1, 0)
    before = round_day[np.arange(n), prev_round]
    after = round_day[np.arange(n), safe_round]
    gap_days = np.maximum((after - before).astype(np.int64), 2)
    handover_day = before + 1 + rng.integers(0, gap_days - 1)
    traj_span = np.maximum((end_day - start_day).astype(np.int64), 1)
    recidivism_day = end_day + rng.integers(30, 4 * 365 + 1, size=n)
    warning_day = start_day + rng.integers(0, traj_span)

    # --- item nonresponse ----------------------------------------------------------------------
    a = p.item_missing_rate * p.item_missing_concentration
    b = (1.0 - p.item_missing_rate) * p.item_missing_concentration
    missing: dict[str, BoolArray] = {}
    for rater in RATERS:
        n_items = answers[rater].shape[2]
        if p.item_missing_rate <= 0.0:
            propensity = np.zeros((n, r_max))
        elif p.item_missing_rate >= 1.0:
            propensity = np.ones((n, r_max))
        else:
            propensity = answer_rng.beta(a, b, size=(n, r_max))
        missing[rater] = answer_rng.random((n, r_max, n_items)) < propensity[:, :, None]

    # --- tables --------------------------------------------------------------------------------
    traj_ids = np.array(_codes("T", n, minimum_width=5), dtype=object)
    client_ids = np.array(_codes("C", n, minimum_width=5), dtype=object)
    prof_codes = np.array(_codes("P", n_professionals, minimum_width=3), dtype=object)
    domain_arr = np.array(list(domains), dtype=object)
    frames = []
    for t in range(n):
        options = LEGAL_FRAMES.get(str(domain_arr[domain_idx[t]]), _OTHER_FRAME)
        frames.append(options[int(frame_draw[t] * len(options))])
    end_kinds = np.array(
        ["premature_end_negative", "premature_end_positive", "completion"], dtype=object
    )
    traj_df = pd.DataFrame(
        {
            "trajectory_id": traj_ids,
            "client_id": client_ids,
            "domain": domain_arr[domain_idx],
            "legal_frame": frames,
            "start_date": _dates(start_day),
            "end_date": _dates(end_day),
            "substance_use": substance,
            "motivated": motivated,
            "course": np.array(COURSES, dtype=object)[course_idx],
            "handover": handover,
            "n_rounds": n_rounds.astype(np.int64),
            "end_kind": end_kinds[end_kind_idx],
            "no_shows": no_shows,
            "formal_warning": formal_warning,
            "recidivism_4y": recidivism,
            "course_type": np.array(COURSE_TYPES, dtype=object)[truths.course_type],
            "changed_characteristic": np.array([*keys, ""], dtype=object)[truths.characteristic],
            "stopped_round": stopped_round.astype(np.int64),
            "planned_rounds": planned_rounds.astype(np.int64),
        }
    )
    for col in (
        "trajectory_id",
        "client_id",
        "domain",
        "legal_frame",
        "course",
        "end_kind",
        "course_type",
        "changed_characteristic",
    ):
        traj_df[col] = traj_df[col].astype("str")

    # Assignments: one row per professional per trajectory.
    ho = np.flatnonzero(handover)
    assign_traj = np.concatenate([np.arange(n), ho])
    assign_prof = np.concatenate([first_prof, second_prof[ho]])
    assign_start = np.concatenate([start_day, handover_day[ho]])
    assign_end = np.concatenate([np.where(handover, handover_day, end_day), end_day[ho]])
    order = np.lexsort((assign_start, assign_traj))
    assignments = pd.DataFrame(
        {
            "trajectory_id": traj_ids[assign_traj[order]],
            "professional_id": prof_codes[assign_prof[order]],
            "start_date": _dates(assign_start[order]),
            "end_date": _dates(assign_end[order]),
        }
    )

    t_idx, r_idx = np.nonzero(exists)
    rounds_df = pd.DataFrame(
        {
            "trajectory_id": traj_ids[t_idx],
            "round_index": r_idx.astype(np.int64),
            "round_date": _dates(round_day[t_idx, r_idx]),
            "professional_id": prof_codes[current_prof[t_idx, r_idx]],
            "after_handover": after_handover[t_idx, r_idx],
        }
    )

    responses = _responses_table(
        instrument,
        exists=exists,
        skipped=skipped,
        answers=answers,
        missing=missing,
        traj_ids=traj_ids,
        domains=domain_arr[domain_idx],
        prof_codes=prof_codes[current_prof],
        round_day=round_day,
        after_handover=after_handover,
    )

    events = _events_table(
        n=n,
        traj_ids=traj_ids,
        handover=handover,
        handover_day=handover_day,
        handover_detail=[
            f"{prof_codes[first_prof[t]]} -> {prof_codes[second_prof[t]]}" for t in ho
        ],
        no_shows=no_shows,
        start_day=start_day,
        traj_span=traj_span,
        formal_warning=formal_warning,
        warning_day=warning_day,
        end_kind=end_kinds[end_kind_idx],
        end_day=end_day,
        recidivism=recidivism,
        recidivism_day=recidivism_day,
        rng=rng,
    )
    survival = _time_to_recidivism(
        np.random.default_rng(survival_seed),
        o,
        trust_c=trust_c,
        substance=su,
        followed_up=followed_up,
    )
    traj_df["true_alliance"] = alliance_c
    traj_df["true_trust"] = trust_c
    traj_df["true_friction"] = friction_c
    traj_df["recidivism_months"] = survival[0]
    traj_df["recidivism_observed"] = survival[1]
    for frame in (assignments, rounds_df, events):
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = frame[col].astype("str")
    return SynthDataset(
        instrument=instrument,
        trajectories=traj_df,
        assignments=assignments,
        rounds=rounds_df,
        responses=responses,
        events=events,
    )


#: Days per month (a Julian year over twelve): survival times are whole days shown in months.
DAYS_PER_MONTH = 365.25 / 12


def _time_to_recidivism(
    rng: np.random.Generator,
    o: OutcomeCoefficients,
    *,
    trust_c: FloatArray,
    substance: FloatArray,
    followed_up: BoolArray,
) -> tuple[FloatArray, BoolArray]:
    """Months from the end to recidivism or to the end of follow-up, and whether it occurred.

    Weibull proportional hazards: the cumulative hazard is ``λ · t^shape · exp(η)`` with
    ``η = trust effect · trust + substance effect · substance use``; ``λ`` makes the chance of
    recidivism within the follow-up ``recidivism_followup_probability`` at ``η = 0``. Times are
    drawn by inverting the survival function, rounded up to whole days and censored at the end
    of follow-up. Outside the followed-up domains the time is NaN and nothing is observed.
    """
    n = len(trust_c)
    # Drawn for every trajectory, so that a trajectory's time does not depend on the others'.
    unit_exponential = rng.standard_exponential(n)
    scale = -math.log1p(-o.recidivism_followup_probability) / (
        o.followup_months**o.recidivism_weibull_shape
    )
    linear = o.recidivism_log_hazard_trust * trust_c + o.recidivism_log_hazard_substance * substance
    months = (unit_exponential / (scale * np.exp(linear))) ** (1.0 / o.recidivism_weibull_shape)
    limit_days = round(o.followup_months * DAYS_PER_MONTH)
    days = np.maximum(np.ceil(months * DAYS_PER_MONTH), 1.0)
    observed = (days <= limit_days) & followed_up
    shown = np.where(followed_up, np.minimum(days, limit_days) / DAYS_PER_MONTH, np.nan)
    return np.asarray(shown, dtype=np.float64), np.asarray(observed, dtype=np.bool_)


@dataclass(frozen=True)
class _Truths:
    """The narrower truths per trajectory (see :func:`_narrow_truths`)."""

    #: Index into :data:`COURSE_TYPES`.
    course_type: IntArray
    #: The characteristic that alone deteriorates (index), ``k`` when none.
    characteristic: IntArray
    #: From this round (0-based) on the client no longer responds; −1 when they keep going.
    stopped_round: IntArray
    k: int


def _narrow_truths(
    rng: np.random.Generator,
    p: SynthParams,
    *,
    course_idx: IntArray,
    n_rounds: IntArray,
    k: int,
    r_max: int,
) -> _Truths:
    """Draw the truths the signals are measured against, from the third random stream.

    Only a trajectory whose whole alliance is stable can get a narrower course: one
    characteristic deteriorating in both views, or only the client's view deteriorating
    (growing disagreement). Any trajectory with at least three rounds can get a client who
    stops responding, from a round between the second and the last.
    """
    n = len(course_idx)
    u = rng.random(n)
    stable = course_idx == 0
    course_type = course_idx.astype(np.int64).copy()
    course_type[stable & (u < p.p_one_characteristic)] = COURSE_TYPES.index("one_characteristic")
    disagreement = (u >= p.p_one_characteristic) & (u < p.p_one_characteristic + p.p_disagreement)
    course_type[stable & disagreement] = COURSE_TYPES.index("disagreement")
    which = rng.integers(0, max(k, 1), size=n)
    characteristic = np.where(course_type == COURSE_TYPES.index("one_characteristic"), which, k)
    stops = (n_rounds >= 3) & (rng.random(n) < p.p_stops_responding)
    stop_at = 1 + rng.integers(0, np.maximum(n_rounds - 1, 1))
    stopped_round = np.where(stops, np.minimum(stop_at, r_max - 1), -1).astype(np.int64)
    return _Truths(course_type, characteristic.astype(np.int64), stopped_round, k)


def _narrow_shift(
    truths: _Truths, *, change: FloatArray, progress: FloatArray, direction: FloatArray
) -> FloatArray:
    """How far the narrower courses pull the latent scores down: ``[t, round, rater, k]``."""
    n = progress.shape[0]
    k = truths.k
    amount = (change[:, None] * progress)[:, :, None, None] * direction[None, None, None, :]
    mask = np.zeros((n, 1, 2, k), dtype=bool)
    one = np.flatnonzero(truths.course_type == COURSE_TYPES.index("one_characteristic"))
    mask[one, 0, :, truths.characteristic[one]] = True
    mask[truths.course_type == COURSE_TYPES.index("disagreement"), 0, 0, :] = True
    return np.asarray(np.where(mask, amount, 0.0), dtype=np.float64)


def _rounds_until_end(
    rng: np.random.Generator,
    planned: IntArray,
    *,
    premature: BoolArray,
    handover_round: IntArray,
) -> IntArray:
    """The rounds a trajectory gets: fewer than planned after a premature end.

    A premature end falls after a round drawn uniformly from the second (or, after a handover,
    the first with the new professional) up to the last but one planned round; with too few
    planned rounds for that, the trajectory keeps them all.
    """
    with_new = np.where(handover_round < planned, handover_round + 1, 0)
    lowest = np.maximum(np.minimum(2, planned), with_new)
    room = planned - lowest
    draw = lowest + np.floor(rng.random(len(planned)) * np.maximum(room, 0)).astype(np.int64)
    return np.where(premature & (room > 0), draw, planned).astype(np.int64)


def _dates(days: npt.NDArray[Any]) -> pd.Series:
    """Calendar days as a pandas datetime column (no time of day)."""
    return pd.Series(np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]"))


def _responses_table(
    instrument: Instrument,
    *,
    exists: BoolArray,
    skipped: BoolArray,
    answers: Mapping[str, FloatArray],
    missing: Mapping[str, BoolArray],
    traj_ids: npt.NDArray[Any],
    domains: npt.NDArray[Any],
    prof_codes: npt.NDArray[Any],
    round_day: npt.NDArray[Any],
    after_handover: BoolArray,
) -> pd.DataFrame:
    """One row per party per round: client row first, then the professional's."""
    n, r_max = exists.shape
    rows = np.broadcast_to(exists[:, :, None], (n, r_max, 2))
    t_idx, r_idx, rater_idx = np.nonzero(rows)
    count = len(t_idx)
    submitted = ~skipped[t_idx, r_idx, rater_idx]
    columns: dict[str, Any] = {
        "response_id": _codes("R", count, minimum_width=7),
        "trajectory_id": traj_ids[t_idx],
        "round_index": r_idx.astype(np.int64),
        "round_date": _dates(round_day[t_idx, r_idx]),
        "after_handover": after_handover[t_idx, r_idx],
        "rater": np.array(RATERS, dtype=object)[rater_idx],
        "professional_id": prof_codes[t_idx, r_idx],
        "domain": domains[t_idx],
        "instrument": np.full(count, instrument.id, dtype=object),
        "instrument_version": np.full(count, instrument.version, dtype=object),
    }
    for which, rater in enumerate(RATERS):
        items: tuple[Item, ...] = instrument.items_for(rater)
        mine = rater_idx == which
        values = answers[rater][t_idx, r_idx, :]
        blank = missing[rater][t_idx, r_idx, :] | ~mine[:, None] | ~submitted[:, None]
        values = np.where(blank, np.nan, values)
        for j, item in enumerate(items):
            columns[item.id] = values[:, j]
    columns["submitted"] = submitted
    frame = pd.DataFrame(columns)
    for col in (
        "response_id",
        "trajectory_id",
        "rater",
        "professional_id",
        "domain",
        "instrument",
        "instrument_version",
    ):
        frame[col] = frame[col].astype("str")
    return frame


def _events_table(
    *,
    n: int,
    traj_ids: npt.NDArray[Any],
    handover: BoolArray,
    handover_day: npt.NDArray[Any],
    handover_detail: list[str],
    no_shows: IntArray,
    start_day: npt.NDArray[Any],
    traj_span: IntArray,
    formal_warning: BoolArray,
    warning_day: npt.NDArray[Any],
    end_kind: npt.NDArray[Any],
    end_day: npt.NDArray[Any],
    recidivism: BoolArray,
    recidivism_day: npt.NDArray[Any],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Outcome and handover events, sorted by trajectory, date and kind."""
    ho = np.flatnonzero(handover)
    ns_traj = np.repeat(np.arange(n), no_shows)
    ns_day = start_day[ns_traj] + rng.integers(0, traj_span[ns_traj])
    fw = np.flatnonzero(formal_warning)
    rc = np.flatnonzero(recidivism)
    all_traj = np.arange(n)
    parts: list[tuple[IntArray, npt.NDArray[Any], npt.NDArray[Any], list[str]]] = [
        (ho, handover_day[ho], np.full(len(ho), "handover", dtype=object), handover_detail),
        (ns_traj, ns_day, np.full(len(ns_traj), "no_show", dtype=object), [""] * len(ns_traj)),
        (fw, warning_day[fw], np.full(len(fw), "formal_warning", dtype=object), [""] * len(fw)),
        (all_traj, end_day, end_kind, [""] * n),
        (
            rc,
            recidivism_day[rc],
            np.full(len(rc), "recidivism", dtype=object),
            ["synthetic: new offence within four years after the end"] * len(rc),
        ),
    ]
    traj = np.concatenate([part[0] for part in parts])
    day = np.concatenate([part[1] for part in parts])
    kind = np.concatenate([part[2] for part in parts])
    detail = np.array([d for part in parts for d in part[3]], dtype=object)
    kind_rank = np.array([EVENT_KINDS.index(str(k)) for k in kind])
    order = np.lexsort((kind_rank, day, traj))
    return pd.DataFrame(
        {
            "trajectory_id": traj_ids[traj[order]],
            "date": _dates(day[order]),
            "kind": kind[order],
            "detail": detail[order],
        }
    )
