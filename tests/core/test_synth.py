"""The synthetic data generator: reproducible, well-formed, and showing the assumed relationships.

The statistical tests run on one sample of 2,000 trajectories with bounds that are tolerant of
sampling noise but would fail if a relationship were missing or reversed. Characteristic means
are computed here with plain pandas (reverse = 6 − x), independent of ``core.scoring``.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from alliantiemonitor.core.instrument import (
    CHARACTERISTIC_KEYS,
    Characteristic,
    Instrument,
    Item,
    Scale,
    ScalePoint,
)
from alliantiemonitor.core.synth import (
    DEFAULT_DOMAINS,
    EVENT_KINDS,
    SynthDataset,
    SynthParams,
    generate,
)

#: Items per characteristic per rater (direction, trust, bond, friction) in the test instrument.
ITEMS_PER_CHARACTERISTIC = (4, 4, 4, 3)
REVERSE = frozenset({"c_trust_2", "p_trust_2", "c_friction_3", "p_friction_3"})


def make_instrument() -> Instrument:
    """A small instrument built straight from the dataclasses, with reverse-keyed items."""
    points = tuple(ScalePoint(v, {"nl": str(v), "en": str(v)}) for v in range(1, 6))
    characteristics = tuple(
        Characteristic(key, {"nl": key}, "negative" if key == "friction" else "positive")
        for key in CHARACTERISTIC_KEYS
    )
    items = []
    for rater, own, other in (("client", "c", "p"), ("professional", "p", "c")):
        for key, count in zip(CHARACTERISTIC_KEYS, ITEMS_PER_CHARACTERISTIC, strict=True):
            for j in range(1, count + 1):
                item_id = f"{own}_{key}_{j}"
                items.append(
                    Item(
                        id=item_id,
                        characteristic=key,
                        rater=rater,  # type: ignore[arg-type]
                        mirror=f"{other}_{key}_{j}",
                        text={"nl": f"Stelling {item_id}"},
                        reverse=item_id in REVERSE,
                    )
                )
    return Instrument(
        id="testset",
        version="1.0.0",
        title={"nl": "Testinstrument"},
        languages=("nl",),
        scale=Scale(points, {"nl": "Weet ik niet"}),
        characteristics=characteristics,
        items=tuple(items),
    )


INSTRUMENT = make_instrument()
CLIENT_ITEMS = [i.id for i in INSTRUMENT.items_for("client")]
PROFESSIONAL_ITEMS = [i.id for i in INSTRUMENT.items_for("professional")]


@pytest.fixture(scope="module")
def big() -> SynthDataset:
    return generate(INSTRUMENT, trajectories=2000, seed=20250106)


def characteristic_means(responses: pd.DataFrame, rater: str) -> pd.DataFrame:
    """Per response of ``rater``: the mean item score per characteristic (reverse = 6 − x)."""
    rows = responses[(responses["rater"] == rater) & responses["submitted"]]
    out = rows[["trajectory_id", "round_index"]].copy()
    for key in CHARACTERISTIC_KEYS:
        items = INSTRUMENT.items_of(key, rater)  # type: ignore[arg-type]
        scores = pd.DataFrame({i.id: (6 - rows[i.id]) if i.reverse else rows[i.id] for i in items})
        out[key] = scores.mean(axis=1)
    return out


# --- reproducibility and shape -------------------------------------------------------------------


def test_same_seed_gives_identical_tables() -> None:
    a = generate(INSTRUMENT, trajectories=60, seed=7)
    b = generate(INSTRUMENT, trajectories=60, seed=7)
    for name in ("trajectories", "assignments", "rounds", "responses", "events"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.to_long().to_csv(index=False) == b.to_long().to_csv(index=False)


def test_different_seed_gives_different_answers() -> None:
    a = generate(INSTRUMENT, trajectories=60, seed=7)
    b = generate(INSTRUMENT, trajectories=60, seed=8)
    assert not a.responses[CLIENT_ITEMS].equals(b.responses[CLIENT_ITEMS])


def test_same_seed_gives_the_same_trajectories_whichever_variant_is_answered() -> None:
    """Only the answers depend on the instrument; trajectories and events stay the same."""
    shorter = dataclasses.replace(
        INSTRUMENT,
        items=tuple(i for i in INSTRUMENT.items if not i.id.endswith("_4")),
    )
    full = generate(INSTRUMENT, trajectories=80, seed=21)
    short = generate(shorter, trajectories=80, seed=21)
    for name in ("trajectories", "assignments", "rounds", "events"):
        pd.testing.assert_frame_equal(getattr(full, name), getattr(short, name))
    assert "c_direction_4" in full.responses.columns
    assert "c_direction_4" not in short.responses.columns


def test_tables_have_the_documented_columns() -> None:
    data = generate(INSTRUMENT, trajectories=30, seed=1)
    assert list(data.trajectories.columns) == [
        "trajectory_id",
        "client_id",
        "domain",
        "legal_frame",
        "start_date",
        "end_date",
        "substance_use",
        "motivated",
        "course",
        "handover",
        "n_rounds",
        "end_kind",
        "no_shows",
        "formal_warning",
        "recidivism_4y",
        "course_type",
        "changed_characteristic",
        "stopped_round",
        "planned_rounds",
        "true_alliance",
        "true_trust",
        "true_friction",
        "recidivism_months",
        "recidivism_observed",
    ]
    assert list(data.assignments.columns) == [
        "trajectory_id",
        "professional_id",
        "start_date",
        "end_date",
    ]
    assert list(data.rounds.columns) == [
        "trajectory_id",
        "round_index",
        "round_date",
        "professional_id",
        "after_handover",
    ]
    assert list(data.responses.columns) == [
        "response_id",
        "trajectory_id",
        "round_index",
        "round_date",
        "after_handover",
        "rater",
        "professional_id",
        "domain",
        "instrument",
        "instrument_version",
        *CLIENT_ITEMS,
        *PROFESSIONAL_ITEMS,
        "submitted",
    ]
    assert list(data.events.columns) == ["trajectory_id", "date", "kind", "detail"]
    long = data.to_long()
    assert len(long) == len(data.responses)
    assert {"rater", "course", "end_kind", "recidivism_4y", *CLIENT_ITEMS} <= set(long.columns)


def test_counts_are_consistent_across_tables() -> None:
    data = generate(INSTRUMENT, trajectories=200, seed=3)
    traj = data.trajectories
    assert len(traj) == 200
    assert traj["trajectory_id"].is_unique
    assert traj["n_rounds"].between(2, 6).all()
    # Two responses (client, professional) per round, one round row per round.
    assert len(data.rounds) == traj["n_rounds"].sum()
    assert len(data.responses) == 2 * traj["n_rounds"].sum()
    assert data.responses["response_id"].is_unique
    # One assignment per trajectory plus one per handover.
    assert len(data.assignments) == 200 + traj["handover"].sum()
    # Exactly one end event per trajectory, matching end_kind and end_date.
    ends = data.events[
        data.events["kind"].isin(["premature_end_negative", "premature_end_positive", "completion"])
    ]
    merged = ends.merge(traj, on="trajectory_id")
    assert len(merged) == 200
    assert (merged["kind"] == merged["end_kind"]).all()
    assert (merged["date"] == merged["end_date"]).all()
    no_shows = (data.events["kind"] == "no_show").sum()
    assert no_shows == traj["no_shows"].sum()
    assert set(data.events["kind"]) <= set(EVENT_KINDS)
    assert set(traj["domain"]) <= set(DEFAULT_DOMAINS)


def test_answers_are_on_the_scale_or_missing_and_on_the_right_rows() -> None:
    data = generate(INSTRUMENT, trajectories=300, seed=11)
    responses = data.responses
    values = responses[CLIENT_ITEMS + PROFESSIONAL_ITEMS].stack().dropna()
    assert set(values.unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    client_rows = responses["rater"] == "client"
    assert responses.loc[client_rows, PROFESSIONAL_ITEMS].isna().all().all()
    assert responses.loc[~client_rows, CLIENT_ITEMS].isna().all().all()
    unsubmitted = ~responses["submitted"]
    assert unsubmitted.any()
    assert responses.loc[unsubmitted, CLIENT_ITEMS + PROFESSIONAL_ITEMS].isna().all().all()


def test_rounds_are_dated_in_order_about_three_months_apart() -> None:
    data = generate(INSTRUMENT, trajectories=200, seed=5, start=date(2024, 3, 4))
    rounds = data.rounds.merge(data.trajectories, on="trajectory_id")
    assert (rounds["round_date"] > rounds["start_date"]).all()
    assert (rounds["round_date"] < rounds["end_date"]).all()
    gaps = rounds.groupby("trajectory_id")["round_date"].diff().dropna().dt.days
    assert gaps.min() >= 28
    assert 80 <= gaps.median() <= 100
    assert data.trajectories["start_date"].min() >= pd.Timestamp("2024-03-04")


def test_handover_is_recorded_with_date_and_both_professionals() -> None:
    data = generate(INSTRUMENT, trajectories=300, seed=9)
    handed = data.trajectories[data.trajectories["handover"]]
    assert len(handed) > 0
    tid = handed["trajectory_id"].iloc[0]
    assignments = data.assignments[data.assignments["trajectory_id"] == tid]
    assert len(assignments) == 2
    old, new = assignments["professional_id"].tolist()
    assert old != new
    event = data.events[(data.events["trajectory_id"] == tid) & (data.events["kind"] == "handover")]
    assert event["detail"].tolist() == [f"{old} -> {new}"]
    assert event["date"].iloc[0] == assignments["start_date"].iloc[1]
    rounds = data.rounds[data.rounds["trajectory_id"] == tid]
    # Rounds before the handover date are with the old professional, after it with the new one.
    before = rounds["round_date"] < event["date"].iloc[0]
    assert (rounds.loc[before, "professional_id"] == old).all()
    assert (rounds.loc[~before, "professional_id"] == new).all()
    assert (rounds["after_handover"] == ~before).all()


def test_professionals_carry_caseloads_within_one_domain() -> None:
    data = generate(INSTRUMENT, trajectories=700, seed=2, params=SynthParams(caseload=20))
    per_professional = data.assignments.merge(data.trajectories, on="trajectory_id").groupby(
        "professional_id"
    )
    assert per_professional["domain"].nunique().max() == 1
    # 700 trajectories over pools sized for 20 each: on average well above one per professional.
    assert per_professional.size().mean() > 10


def test_rejects_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="trajectories"):
        generate(INSTRUMENT, trajectories=0, seed=1)
    with pytest.raises(ValueError, match="seed"):
        generate(INSTRUMENT, trajectories=5, seed=-1)
    with pytest.raises(ValueError, match="rounds_min"):
        SynthParams(rounds_min=3, rounds_max=2)
    with pytest.raises(ValueError, match="positive definite"):
        generate(
            INSTRUMENT,
            trajectories=5,
            seed=1,
            params=SynthParams(positive_correlation=-0.9),
        )


def test_own_domains_and_params_are_used() -> None:
    params = SynthParams(rounds_min=3, rounds_max=3, handover_probability=0.0)
    data = generate(INSTRUMENT, trajectories=50, seed=4, domains=["reclassering"], params=params)
    assert set(data.trajectories["domain"]) == {"reclassering"}
    assert (data.trajectories["planned_rounds"] == 3).all()
    completed = data.trajectories["end_kind"] == "completion"
    assert (data.trajectories.loc[completed, "n_rounds"] == 3).all()  # a premature end: fewer
    assert not data.trajectories["handover"].any()


# --- statistical properties --------------------------------------------------------------------


def test_client_and_professional_agree_moderately(big: SynthDataset) -> None:
    keys = ["trajectory_id", "round_index"]
    client = characteristic_means(big.responses, "client")
    professional = characteristic_means(big.responses, "professional")
    both = client.merge(professional, on=keys, suffixes=("_c", "_p"))
    for key in CHARACTERISTIC_KEYS:
        r = both[f"{key}_c"].corr(both[f"{key}_p"])
        assert 0.2 < r < 0.8, (key, r)


def test_friction_relates_negatively_to_the_positive_characteristics(big: SynthDataset) -> None:
    client = characteristic_means(big.responses, "client")
    assert client["friction"].corr(client["trust"]) < -0.2
    assert client["friction"].corr(client["bond"]) < -0.2
    assert client["trust"].corr(client["bond"]) > 0.3


def test_deterioration_is_more_common_after_handover_and_with_substance_use(
    big: SynthDataset,
) -> None:
    traj = big.trajectories
    deteriorating = traj["course"] == "deteriorating"
    assert (traj["course"] == "stable").mean() > 0.65
    assert deteriorating[traj["handover"]].mean() > 1.4 * deteriorating[~traj["handover"]].mean()
    assert (
        deteriorating[traj["substance_use"]].mean()
        > 1.3 * deteriorating[~traj["substance_use"]].mean()
    )
    assert 0.10 <= traj["handover"].mean() <= 0.20


def test_courses_show_up_in_the_answers(big: SynthDataset) -> None:
    client = characteristic_means(big.responses, "client").merge(
        big.trajectories[["trajectory_id", "course", "n_rounds"]], on="trajectory_id"
    )
    first = client[client["round_index"] == 0].set_index("trajectory_id")
    last = client[client["round_index"] == client["n_rounds"] - 1].set_index("trajectory_id")
    change = (last["trust"] - first["trust"]).dropna()
    course = first.loc[change.index, "course"]
    # Default total change is 0.9 points; stable courses hover around zero.
    assert change[course == "improving"].mean() > 0.4
    assert change[course == "deteriorating"].mean() < -0.4
    assert abs(change[course == "stable"].mean()) < 0.15


def test_premature_negative_end_follows_low_client_trust(big: SynthDataset) -> None:
    client = characteristic_means(big.responses, "client")
    trust = client.groupby("trajectory_id")["trust"].mean()
    tercile = pd.qcut(trust, 3, labels=["low", "mid", "high"])
    ended = big.trajectories.set_index("trajectory_id")["end_kind"] == "premature_end_negative"
    rate = ended.loc[trust.index].groupby(tercile, observed=True).mean()
    assert rate["low"] > 1.5 * rate["high"]


def test_item_nonresponse_is_near_the_parameter(big: SynthDataset) -> None:
    responses = big.responses[big.responses["submitted"]]
    client = responses.loc[responses["rater"] == "client", CLIENT_ITEMS]
    professional = responses.loc[responses["rater"] == "professional", PROFESSIONAL_ITEMS]
    for block in (client, professional):
        rate = block.isna().to_numpy().mean()
        assert 0.02 < rate < 0.04, rate
    # Whole-round nonresponse: a few percent of clients, fewer professionals.
    by_rater = (~big.responses["submitted"]).groupby(big.responses["rater"]).mean()
    assert 0.02 < by_rater["client"] < 0.07
    assert by_rater["professional"] < 0.025


def test_reverse_keyed_items_run_against_their_characteristic(big: SynthDataset) -> None:
    responses = big.responses
    for reverse_id in sorted(REVERSE):
        item = INSTRUMENT.item(reverse_id)
        others = [
            i.id for i in INSTRUMENT.items_of(item.characteristic, item.rater) if not i.reverse
        ]
        rows = responses[responses["rater"] == item.rater]
        rest = rows[others].mean(axis=1)
        assert rows[reverse_id].corr(rest) < -0.15, reverse_id


def test_reverse_keying_follows_the_instrument_not_the_item_name() -> None:
    """Flip one item to reverse: its raw answers mirror (6 − x) those of the plain version."""
    flipped = dataclasses.replace(
        INSTRUMENT,
        items=tuple(
            dataclasses.replace(i, reverse=not i.reverse) if i.id == "c_bond_1" else i
            for i in INSTRUMENT.items
        ),
    )
    plain = generate(INSTRUMENT, trajectories=40, seed=13).responses["c_bond_1"]
    mirrored = generate(flipped, trajectories=40, seed=13).responses["c_bond_1"]
    pd.testing.assert_series_equal(mirrored, 6 - plain)


def test_recidivism_follows_client_trust_and_only_in_justice_domains(big: SynthDataset) -> None:
    traj = big.trajectories.set_index("trajectory_id")
    justice = traj["domain"].isin(["reclassering", "jeugdreclassering", "justitiehuis"])
    assert not traj.loc[~justice, "recidivism_4y"].any()
    client = characteristic_means(big.responses, "client")
    # A client who stopped responding early may have no scores at all: left out.
    trust = client.groupby("trajectory_id")["trust"].mean().reindex(traj.index[justice]).dropna()
    low = trust < trust.median()
    recid = traj.loc[trust.index, "recidivism_4y"]
    assert recid[low].mean() > recid[~low].mean()


def test_friction_goes_with_more_warnings_and_no_shows(big: SynthDataset) -> None:
    client = characteristic_means(big.responses, "client")
    friction = client.groupby("trajectory_id")["friction"].mean()
    traj = big.trajectories.set_index("trajectory_id").loc[friction.index]
    high = friction > friction.median()
    assert traj.loc[high, "formal_warning"].mean() > traj.loc[~high, "formal_warning"].mean()
    per_round = traj["no_shows"] / traj["n_rounds"]
    assert per_round[high].mean() > per_round[~high].mean()


def test_narrower_truths_for_the_signals(big: SynthDataset) -> None:
    traj = big.trajectories
    stable_alliance = traj["course"] == "stable"
    # The narrower course types only occur where the whole alliance is stable.
    narrow = traj["course_type"].isin(["one_characteristic", "disagreement"])
    assert stable_alliance[narrow].all()
    assert 0.06 < narrow[stable_alliance].mean() < 0.14
    one = traj["course_type"] == "one_characteristic"
    assert (traj.loc[one, "changed_characteristic"] != "").all()
    assert (traj.loc[~one, "changed_characteristic"] == "").all()
    assert (traj["course"] == traj["course_type"]).where(~narrow, True).all()


def test_a_client_who_stops_responding_skips_every_later_round(big: SynthDataset) -> None:
    traj = big.trajectories.set_index("trajectory_id")
    stopped = traj.index[traj["stopped_round"] >= 0]
    assert len(stopped) > 0
    resp = big.responses
    client = resp[(resp["rater"] == "client") & resp["trajectory_id"].isin(stopped)]
    after = client["round_index"] >= client["trajectory_id"].map(traj["stopped_round"])
    assert not client.loc[after, "submitted"].any()
    assert client.loc[~after, "submitted"].mean() > 0.8


def test_a_premature_end_stops_the_rounds(big: SynthDataset) -> None:
    traj = big.trajectories
    premature = traj["end_kind"] != "completion"
    assert (traj["n_rounds"] <= traj["planned_rounds"]).all()
    assert (traj.loc[~premature, "n_rounds"] == traj.loc[~premature, "planned_rounds"]).all()
    assert (traj.loc[premature, "n_rounds"] < traj.loc[premature, "planned_rounds"]).mean() > 0.5
    counts = big.rounds.groupby("trajectory_id").size()
    assert (counts == traj.set_index("trajectory_id")["n_rounds"]).all()


def test_one_characteristic_moves_alone(big: SynthDataset) -> None:
    scored = pd.concat(
        [characteristic_means(big.responses, r).assign(rater=r) for r in ("client", "professional")]
    )
    traj = big.trajectories.set_index("trajectory_id")
    one = traj.index[(traj["course_type"] == "one_characteristic") & (traj["n_rounds"] >= 4)]
    rows = scored[scored["trajectory_id"].isin(one)]
    first = rows[rows["round_index"] == 0].set_index(["trajectory_id", "rater"])
    last_round = rows["trajectory_id"].map(traj["n_rounds"]) - 1
    last = rows[rows["round_index"] == last_round].set_index(["trajectory_id", "rater"])
    delta = (last[list(CHARACTERISTIC_KEYS)] - first[list(CHARACTERISTIC_KEYS)]).dropna()
    which = delta.index.get_level_values(0).map(traj["changed_characteristic"])
    for key in CHARACTERISTIC_KEYS:
        sign = 1 if key == "friction" else -1
        moved = delta.loc[which == key, key].mean() * sign
        others = delta.loc[which != key, key].mean() * sign
        assert moved > 0.4
        assert abs(others) < 0.15
