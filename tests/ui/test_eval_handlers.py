"""The Evals tab's handlers on a tiny suite with the fake model."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.config import REPO_ROOT
from rag.service import Service
from ui.eval_handlers import EvalHandlers
from ui.handlers import UserFacingError

SUITE = """name: tiny
cases:
  - {id: z, question: "What did Zakharova say?", answerable: true, key_facts: ["Zakharova spoke."],
     expected_sources: [000_4cf79fb7c8a49485.txt], tags: [single-source]}
  - {id: bread, question: "How is lavash baked?", answerable: false, tags: [unanswerable]}
"""


def test_run_open_and_compare(service: Service, tmp_path: Path) -> None:
    service.ingest([REPO_ROOT / "seeds"])
    suites = tmp_path / "suites"
    suites.mkdir()
    (suites / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    evals = EvalHandlers(service, suites_dir=suites)
    assert evals.suites() == ["tiny.yaml"] and evals.runs() == []
    seen: list[tuple[int, int]] = []
    first = evals.run("tiny.yaml", None, lambda done, total: seen.append((done, total)))
    assert seen[-1] == (2, 2)
    assert [r[0] for r in first.summary_rows][:2] == ["hit_at_k", "mrr"]
    assert [r[0] for r in first.case_rows] == ["z", "bread"]
    assert "<svg" in first.report and Path(first.folder, "rows.jsonl").exists()
    evals.run("tiny.yaml", 1)
    runs = evals.runs()
    assert len(runs) == 2 or runs[0] == runs[-1]  # same second: the second run overwrote the folder
    reopened = evals.open(runs[0])
    assert reopened.case_rows[0][0] == "z"
    deltas, changed = evals.compare(runs[-1], runs[0])
    assert deltas[0][0] == "hit_at_k" and isinstance(changed, str)


def test_bad_choices_are_one_line_errors(service: Service, tmp_path: Path) -> None:
    evals = EvalHandlers(service, suites_dir=tmp_path)
    with pytest.raises(UserFacingError, match="pick a suite"):
        evals.run("nope.yaml", None)
    with pytest.raises(UserFacingError, match="pick two runs"):
        evals.compare(None, "x")
    with pytest.raises(UserFacingError, match="not an eval run folder"):
        evals.open("missing")
