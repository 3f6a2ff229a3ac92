"""Pure-Python core: instruments, scoring, change and synthetic data. No Django imports.

Everything a researcher needs in a notebook is importable from here::

    from alliantiemonitor.core import default_registry, score_frame, reliable_change
"""

from alliantiemonitor.core.change import (
    Pattern,
    ReliableChange,
    classify_pattern,
    cronbach_alpha,
    estimate_reference,
    minimum_detectable_change,
    reliable_change,
    reliable_change_array,
)
from alliantiemonitor.core.domains import default_domains
from alliantiemonitor.core.instrument import (
    Characteristic,
    Instrument,
    Item,
    ReferenceValues,
    Scale,
    ScalePoint,
)
from alliantiemonitor.core.loader import (
    InstrumentError,
    Problem,
    load_instrument,
    parse_instrument,
    validate_file,
)
from alliantiemonitor.core.registry import InstrumentRegistry, default_registry, parse_ref
from alliantiemonitor.core.scoring import (
    AnswerError,
    alliance_total,
    answers_to_frame,
    characteristic_discrepancies,
    discrepancy_frame,
    pair_discrepancies,
    score_answers,
    score_array,
    score_frame,
    validate_answers,
)
from alliantiemonitor.core.synth import SynthDataset, SynthParams, generate

__all__ = [
    "AnswerError",
    "Characteristic",
    "Instrument",
    "InstrumentError",
    "InstrumentRegistry",
    "Item",
    "Pattern",
    "Problem",
    "ReferenceValues",
    "ReliableChange",
    "Scale",
    "ScalePoint",
    "SynthDataset",
    "SynthParams",
    "alliance_total",
    "answers_to_frame",
    "characteristic_discrepancies",
    "classify_pattern",
    "cronbach_alpha",
    "default_domains",
    "default_registry",
    "discrepancy_frame",
    "estimate_reference",
    "generate",
    "load_instrument",
    "minimum_detectable_change",
    "pair_discrepancies",
    "parse_instrument",
    "parse_ref",
    "reliable_change",
    "reliable_change_array",
    "score_answers",
    "score_array",
    "score_frame",
    "validate_answers",
    "validate_file",
]
