"""A small suite end to end through `sourcebrief eval run` with the fake model (real embedded Chroma)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.runner import CaseResult, score_case
from evals.suite import Case
from rag.cli import app
from rag.config import REPO_ROOT
from rag.service import Service

SUITE = """
name: mini
cases:
  - id: zakharova
    question: What did Zakharova say about the negotiations?
    answerable: true
    key_facts: ["Maria Zakharova is the spokesperson of the Russian Ministry of Foreign Affairs."]
    expected_sources: [000_4cf79fb7c8a49485.txt]
    tags: [single-source]
  - id: follow-up
    question: And what did she say about the United States?
    history:
      - {role: user, content: "Who is Maria Zakharova?"}
      - {role: assistant, content: "She is the spokesperson of the Russian foreign ministry."}
    answerable: true
    key_facts: ["Zakharova criticised U.S. involvement."]
    expected_sources: [000_4cf79fb7c8a49485.txt]
    tags: [follow-up]
  - id: absent
    question: What is the recipe for Armenian lavash bread?
    answerable: false
    tags: [unanswerable]
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SOURCEBRIEF_DATA_DIR": str(tmp_path / "data"), "SOURCEBRIEF_LLM_PROVIDER": "fake",
            "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake", "SOURCEBRIEF_CHROMA_HOST": ""}


def _invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_run_writes_rows_summary_report_and_caches(env: dict[str, str], tmp_path: Path) -> None:
    assert _invoke(env, "ingest", str(REPO_ROOT / "seeds"))[0] == 0
    suite = tmp_path / "mini.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    code, output = _invoke(env, "eval", "run", str(suite), "--out", str(tmp_path / "a"))
    assert code == 0, output
    rows = [CaseResult.model_validate_json(line) for line in (tmp_path / "a" / "rows.jsonl").read_text().splitlines()]
    assert [r.id for r in rows] == ["zakharova", "follow-up", "absent"]
    first = rows[0]
    assert first.answer is not None and first.answer.provenance["prompts"].startswith("answer@")
    assert first.metrics["hit_at_k"] == float("000_4cf79fb7c8a49485.txt" in first.retrieved_sources)
    assert rows[2].metrics["hit_at_k"] is None and rows[2].metrics["key_facts"] is None
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["cases"] == 3 and summary["metrics"]["refusal_accuracy"]["n"] == 3
    assert set(summary["by_tag"]) == {"single-source", "follow-up", "unanswerable"}
    assert summary["provenance"]["settings_fingerprint"]
    html = (tmp_path / "a" / "report.html").read_text()
    assert "<svg" in html and "zakharova" in html

    code, output = _invoke(env, "eval", "run", str(suite), "--out", str(tmp_path / "b"))
    assert code == 0 and "3 from cache" in output
    code, output = _invoke(env, "eval", "compare", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 0 and "no case changed outcome" in output

    code, output = _invoke(env, "eval", "run", str(suite), "--out", str(tmp_path / "c"), "--limit", "1",
                           "--fail-under", "refusal_accuracy=1.01")
    assert code == 1 and "below threshold: refusal_accuracy" in output


def test_bad_fail_under_is_a_one_line_error(env: dict[str, str], tmp_path: Path) -> None:
    suite = tmp_path / "mini.yaml"
    suite.write_text(SUITE, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "rag", "eval", "run", str(suite), "--fail-under", "nonsense=1"],
                            env={**os.environ, **env}, capture_output=True, text=True)
    assert result.returncode == 3
    assert result.stderr.startswith("error: --fail-under wants metric=value") and result.stderr.count("\n") == 1


def test_compare_reports_changed_cases(service: Service, tmp_path: Path) -> None:
    from evals.report import compare_runs, write_run
    from evals.runner import summarize
    from evals.suite import Suite

    service.ingest([REPO_ROOT / "seeds"])
    case = Case(id="z", question="What did Zakharova say?", answerable=True, key_facts=["Zakharova spoke."],
                expected_sources=["000_4cf79fb7c8a49485.txt"])
    suite = Suite(name="s", path="s.yaml", cases=[case])
    answer = service.ask(case.question, verify="annotate")
    before = score_case(case, answer, _judge(service), 6)
    after = before.model_copy(update={"refused": True, "metrics": {**before.metrics, "refusal_accuracy": 0.0}})
    write_run(tmp_path / "a", [before], summarize(suite, [before], {}, 1.0))
    write_run(tmp_path / "b", [after], summarize(suite, [after], {}, 1.0))
    result = compare_runs(tmp_path / "a", tmp_path / "b")
    assert result.deltas["refusal_accuracy"][2] == -1.0
    assert result.changed[0]["id"] == "z" and result.changed[0]["refusal_accuracy"] == [1.0, 0.0]


def _judge(service: Service) -> object:
    from evals.runner import _Judge

    return _Judge(service)


class _CheckJudge:
    """The deterministic checks as the judge: a sentence naming a source is supported only where that
    name is in the passages."""

    def supports(self, claim: str, passages: list[str]) -> bool:
        from rag.verify.checks import deterministic_checks

        return bool(passages) and deterministic_checks(claim, " ".join(passages)).ok

    def sentence_supported(self, sentence: object) -> bool:
        return False  # no cited quote supports it: faithfulness falls back to what the model was shown

    def citation_rows(self, sentence: object, supported: bool) -> list[dict[str, bool]]:
        return []


def test_faithfulness_judges_a_sentence_against_the_evidence_as_the_model_saw_it() -> None:
    """The model saw each evidence line with its source label: "According to Alwaght, ..." rests on
    "Alwaght: <text>" even where the text alone never names Alwaght."""
    from rag.types import AnswerSentence, CitedAnswer, Evidence

    evidence = Evidence(n=1, doc_id="d", file_name="d.txt", title="T", source="Alwaght", start=0, end=40,
                        text="Azerbaijan has blocked the Lachin crossing.", score=0.9)
    case = Case(id="c", question="Who blocked the Lachin crossing?", answerable=True)
    sentence = AnswerSentence(text="According to Alwaght, Azerbaijan has blocked the Lachin crossing.")
    answer = CitedAnswer(question=case.question, standalone_question=case.question, sentences=(sentence,),
                         refused=False, evidence=(evidence,))
    assert score_case(case, answer, _CheckJudge(), 6).metrics["faithfulness"] == 1.0  # type: ignore[arg-type]
    other = sentence.model_copy(update={"text": "According to Caucasus Watch, Azerbaijan has blocked the crossing."})
    assert score_case(case, answer.model_copy(update={"sentences": (other,)}), _CheckJudge(),  # type: ignore[arg-type]
                      6).metrics["faithfulness"] == 0.0


def test_sources_represented_and_misattributions_read_whom_each_sentence_credits() -> None:
    """Three sources speak; the answer hears Alwaght and Chalenko correctly, and credits Chalenko's line to
    Alwaght: one misattribution, and that line does not represent Chalenko's source."""
    from rag.types import AnswerSentence, Citation, CitedAnswer, Evidence, Verdict

    class Judge(_CheckJudge):
        def sentence_supported(self, sentence: AnswerSentence) -> bool:  # type: ignore[override]
            return sentence.verdict is not None and sentence.verdict.label == "supported"

    def line(n: int, source: str, text: str) -> Evidence:
        return Evidence(n=n, doc_id=f"d{n}", file_name=f"{n}.txt", title="T", source=source, start=0,
                        end=len(text), text=text, score=0.9)

    evidence = (line(1, "Alwaght", "Moscow mediates."), line(2, "Igor Chalenko", "Russia is the main obstacle."),
                line(3, "Caucasus Watch", "Galuzin sees no alternative."))
    cite = {e.n: Citation(n=e.n, doc_id=e.doc_id, file_name=e.file_name, title="T", quote=e.text, start=0,
                          end=e.end) for e in evidence}
    verdict = Verdict(label="supported", score=0.9)
    right = AnswerSentence(text="Alwaght says Moscow mediates.", citations=(cite[1],), verdict=verdict)
    quoted = AnswerSentence(text="Chalenko writes: “Russia is the main obstacle.”", citations=(cite[2],),
                            flags=("quote",), verdict=verdict)
    wrong = AnswerSentence(text="Alwaght calls Russia the main obstacle.", citations=(cite[2],), verdict=verdict)
    case = Case(id="c", question="How do the sources differ?", answerable=True,
                expected_sources=["1.txt", "2.txt", "3.txt"])

    def metrics(*sentences: AnswerSentence) -> dict[str, float | None]:
        answer = CitedAnswer(question=case.question, standalone_question=case.question, sentences=sentences,
                             refused=False, evidence=evidence)
        return score_case(case, answer, Judge(), 6).metrics  # type: ignore[arg-type]

    assert metrics(right, quoted)["sources_represented"] == pytest.approx(2 / 3)
    assert metrics(right, quoted)["misattributed"] == 0.0
    assert metrics(right, wrong)["sources_represented"] == pytest.approx(1 / 3)
    assert metrics(right, wrong)["misattributed"] == 1.0
    premise = AnswerSentence(text="The sources do not say that Alwaght calls Russia the obstacle.", flags=("premise",))
    assert metrics(premise, quoted)["misattributed"] == 0.0  # it cites nothing, so it credits no one
    single = case.model_copy(update={"expected_sources": ["1.txt"]})
    answer = CitedAnswer(question=case.question, standalone_question=case.question, sentences=(right,),
                         refused=False, evidence=evidence)
    assert score_case(single, answer, Judge(), 6).metrics["sources_represented"] is None  # type: ignore[arg-type]


def test_judge_runs_are_written_by_the_report_module_and_compare_reads_them(tmp_path: Path) -> None:
    from evals.judge import judge_report
    from evals.report import compare_runs, write_judge_run

    def rows(verdicts: list[str]) -> list[dict[str, object]]:
        return [{"id": f"p{i}", "dataset": "frank", "file": "", "label": i % 2, "score": 0.9 if v == "supported"
                 else 0.1, "verdict": v} for i, v in enumerate(verdicts)]

    before = ["unsupported", "supported", "supported", "supported"]  # pair p2 (label 0) wrongly supported
    after = ["unsupported", "supported", "unsupported", "supported"]
    for name, verdicts in (("a", before), ("b", after)):
        write_judge_run(tmp_path / name, judge_report(rows(verdicts), judge="j", threshold=0.5,
                                                      threshold_provenance="t", files=[], seconds=1.0))
    result = compare_runs(tmp_path / "a", tmp_path / "b")
    assert result.deltas["balanced_accuracy"] == (0.75, 1.0, 0.25)
    assert result.deltas["frank: roc_auc"][2] is not None
    assert [c["id"] for c in result.changed] == ["p2"]


def test_parts_answered_counts_the_parts_of_a_multi_part_question_the_answer_addresses() -> None:
    from evals.runner import parts_answered
    from rag.types import AnswerSentence, CitedAnswer

    question = "When did the talks start and how many rounds were held?"

    def answer(*texts: str) -> CitedAnswer:
        return CitedAnswer(question=question, standalone_question=question, refused=False, evidence=(),
                           sentences=tuple(AnswerSentence(text=t) for t in texts))

    assert parts_answered(answer("The talks started in March 2024.", "Five rounds were held.")) == 1.0
    assert parts_answered(answer("The talks started in March 2024.")) == 0.5
    one = CitedAnswer(question="Who mediates?", standalone_question="Who mediates?", refused=False, evidence=(),
                      sentences=(AnswerSentence(text="Russia mediates."),))
    assert parts_answered(one) is None  # one part: nothing to count
