"""The support signals beside the judge, the calibration that weighs them, and its fit on labelled rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from evals.calibrate import fit_calibration, held_out, rescore, transfer, write_calibration
from evals.judge import judge_report
from rag.embeddings import HashingEmbeddings
from rag.verify.signals import closest_similarity, word_coverage
from rag.verify.verifier import Calibration, Verifier, combine, load_calibration

PASSAGE = "Armenia and Azerbaijan negotiated in Washington in August 2025. Russia was not invited."


class ConfidentScorer:
    """A backend that says Yes to everything: the signals must still tell claims apart."""

    name = "confident"

    def probability(self, claim: str, passage: str) -> float:
        return 0.9


def test_word_coverage_counts_the_claims_words_the_passage_uses() -> None:
    assert word_coverage("Armenia and Azerbaijan negotiated in Washington.", PASSAGE) == 1.0
    assert word_coverage("The negotiations in Washington", PASSAGE) == 1.0  # folded: negotiations ~ negotiated
    assert word_coverage("Turkey mediated in Washington.", PASSAGE) == 1 / 3
    assert word_coverage("According to Asbarez, Russia was not invited.", "Asbarez: " + PASSAGE) == 1.0
    assert word_coverage("Armenia negotiated in August 2024.", PASSAGE) == 3 / 4  # numbers are never folded
    assert word_coverage("It was.", PASSAGE) == 1.0  # no content words: nothing to miss


def test_closest_similarity_is_the_weakest_parts_best_match() -> None:
    sentences = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert closest_similarity(np.array([[1.0, 0.0]]), sentences) == 1.0
    assert closest_similarity(np.array([[1.0, 0.0], [0.6, 0.8]]), sentences) == 0.8
    assert closest_similarity(np.array([[1.0, 0.0]]), np.zeros((0, 2))) == 0.0


def test_combine_weighs_signals_beside_the_judge() -> None:
    label, score = combine([0.9], [], False, 0.7, {"coverage": 0.3, "similarity": 0.6}, {"coverage": 1.0})
    assert label == "unsupported" and score == (0.9 + 0.3) / 2
    assert combine([0.9], [], False, 0.7, {"coverage": 0.3}, {"coverage": 0.0}) == ("supported", 0.9)
    assert combine([0.9], [], False, 0.7, {}, {"similarity": 1.0}) == ("supported", 0.9)  # signal missing


def test_a_weighted_verifier_tells_apart_what_a_confident_judge_does_not() -> None:
    calibration = Calibration(0.75, coverage_weight=1.0, similarity_weight=0.2)
    verifier = Verifier([ConfidentScorer()], calibration=calibration, embeddings=HashingEmbeddings())
    good = verifier.verify("Armenia and Azerbaijan negotiated in Washington.", [PASSAGE])
    bad = verifier.verify("A ceasefire commission mediated the talks.", [PASSAGE])
    assert good.label == "supported" and bad.label == "unsupported"
    assert set(good.signals) == {"model", "coverage", "similarity"} and good.signals["coverage"] == 1.0
    assert verifier.name == "confident+checks+coverage+similarity"
    unweighted = Verifier([ConfidentScorer()], calibration=Calibration(0.75)).verify(
        "A ceasefire commission mediated the talks.", [PASSAGE])
    assert unweighted.label == "supported" and "similarity" not in unweighted.signals
    wrong_year = verifier.verify("Armenia and Azerbaijan negotiated in Washington in August 2024.", [PASSAGE])
    assert wrong_year.label == "contradicted" and wrong_year.issues


def _rows() -> list[dict[str, object]]:
    """Labelled rows where the judge ranks nothing right and word coverage ranks everything right."""
    rows = []
    for i in range(20):
        label = i % 2
        rows.append({"id": str(i), "dataset": "d", "file": "a.jsonl" if i < 10 else "b.jsonl", "label": label,
                     "score": 0.8, "verdict": "supported", "judge": "j", "issues": [],
                     "signals": {"model": 0.8 + 0.01 * (i % 3), "coverage": 0.9 if label else 0.4,
                                 "similarity": 0.5}, "premise_key": str(i // 2)})
    rows[0] = {**rows[0], "issues": ["name(s) X not in the passage"], "verdict": "unsupported"}
    return rows


def test_calibration_fits_the_weights_and_threshold_and_round_trips(tmp_path: Path) -> None:
    rows = _rows()
    calibration = fit_calibration(rows, judge="j", files=["a.jsonl", "b.jsonl"])
    assert calibration.coverage_weight > 0 and calibration.similarity_weight == 0.0
    before = judge_report(rows, judge="j", threshold=0.5, threshold_provenance="", files=["a", "b"], seconds=1.0)
    after = rescore(before, calibration, "j+checks+coverage")
    assert before.overall.balanced_accuracy < 0.6 and after.overall.balanced_accuracy == 1.0
    assert after.rows[0]["verdict"] == "unsupported"  # the checks still cap a flagged row
    path = tmp_path / "judge.json"
    write_calibration(path, calibration, after)
    assert load_calibration(path) == calibration
    assert json.loads(path.read_text())["by_file"]["a.jsonl"]["balanced_accuracy"] == 1.0
    assert load_calibration(tmp_path / "missing.json") == Calibration()


def test_the_held_out_estimate_fits_on_one_fold_and_scores_the_other() -> None:
    rows = _rows()
    assert held_out(rows, ["a.jsonl", "b.jsonl"], splits=3) == {"a.jsonl": 1.0, "b.jsonl": 1.0}
    # Coverage that separates only by chance within each premise does not carry over to unseen premises.
    noise = [{**r, "signals": {**r["signals"], "coverage": 0.9 if int(r["premise_key"]) % 2 == r["label"] else 0.4}}
             for r in rows]
    assert max(held_out(noise, ["a.jsonl", "b.jsonl"], splits=3).values()) < 0.9


def _transfer_rows() -> list[dict[str, object]]:
    """Two datasets where word coverage separates the labels, and a third (CNN/DM-like) where unsupported
    claims recombine the passage's own words: full coverage, lower for the supported ones."""
    import random

    rng = random.Random(1)
    rows: list[dict[str, object]] = []

    def add(dataset: str, label: int, model: float, coverage: float) -> None:
        rows.append({"id": str(len(rows)), "dataset": dataset, "file": "f.jsonl", "label": label, "score": 0.5,
                     "verdict": "supported", "judge": "j", "issues": [], "premise_key": str(len(rows)),
                     "signals": {"model": model, "coverage": coverage, "similarity": 0.5}})

    for dataset in ("a", "b"):
        for i in range(40):
            add(dataset, i % 2, 0.4 + 0.4 * rng.random() + 0.1 * (i % 2), 0.95 if i % 2 else 0.6)
    for i in range(40):
        add("c", i % 2, 0.4 + 0.4 * rng.random() + 0.3 * (i % 2), 0.8 if i % 2 else 1.0)
    return rows


def test_the_weights_are_chosen_for_the_dataset_left_out_not_for_the_mean_of_the_sets() -> None:
    """Full coverage weight is best on average (a and b perfect) and worst on c: the transfer criterion takes
    the weighting whose worst left-out dataset scores best."""
    rows = _transfer_rows()
    calibration = fit_calibration(rows, judge="j", files=["f.jsonl"])
    chosen = transfer(rows, calibration)
    full = transfer(rows, Calibration(coverage_weight=1.0))
    assert sum(full.values()) / 3 > sum(chosen.values()) / 3  # the mean would pick full coverage ...
    assert min(chosen.values()) > min(full.values()) + 0.02  # ... and lose on the set it did not see
    assert 0 < calibration.coverage_weight < 1.0
    assert "leave-one-dataset-out" in calibration.provenance
    refit = transfer(rows)  # weights and threshold both fitted without the dataset scored
    assert set(refit) == {"a", "b", "c"} and all(0.0 <= v <= 1.0 for v in refit.values())


def test_the_calibration_file_keeps_one_profile_for_cited_lines_and_one_for_whole_documents(tmp_path: Path) -> None:
    """`eval judge --calibrate` fits on article/claim pairs and writes the `documents` section; the top level
    (claims against their cited lines) is kept."""
    path = tmp_path / "judge.json"
    cited = Calibration(0.68, coverage_weight=0.9, similarity_weight=0.3, provenance="cited fit")
    rows = _rows()
    report = judge_report(rows, judge="j", threshold=0.5, threshold_provenance="", files=["a", "b"], seconds=1.0)
    write_calibration(path, cited, report, profile="cited")
    documents = Calibration(0.6, coverage_weight=0.0, similarity_weight=0.1, provenance="documents fit")
    write_calibration(path, documents, report, transfer_accuracy={"a": 0.7})
    assert load_calibration(path) == cited
    assert load_calibration(path, "documents") == documents
    assert json.loads(path.read_text())["documents"]["transfer_balanced_accuracy"] == {"a": 0.7}
    fresh = tmp_path / "fresh.json"
    write_calibration(fresh, documents, report)  # a new file: the fit serves both until a cited fit is written
    assert load_calibration(fresh) == documents == load_calibration(fresh, "documents")
