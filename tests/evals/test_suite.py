"""Suite files load, and bad ones fail with one line naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.suite import is_judge_suite, load_suite
from rag.config import REPO_ROOT
from rag.errors import InputError

SEEDS_SUITE = REPO_ROOT / "evals" / "suites" / "seeds.yaml"


def _write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_yaml_and_jsonl_suites_load(tmp_path: Path) -> None:
    yaml_suite = load_suite(_write(tmp_path, "name: mini\ncases:\n  - {id: a, question: \"Q?\", answerable: true}\n"))
    assert yaml_suite.name == "mini" and yaml_suite.cases[0].key_facts == []
    jsonl = _write(tmp_path, '{"id": "a", "question": "Q?", "answerable": false}\n', "mini.jsonl")
    assert load_suite(jsonl).cases[0].answerable is False
    assert not is_judge_suite(jsonl)
    pairs = _write(tmp_path, '{"premise": "P", "claim": "C", "label": 1}\n', "pairs.jsonl")
    assert is_judge_suite(pairs)


@pytest.mark.parametrize(("text", "message"), [
    ("cases:\n  - {id: a, question: \"Q?\"}\n", "case a: answerable: Field required"),
    ("cases:\n  - {id: a, question: \"Q?\", answerable: true}\n  - {id: a, question: \"R?\", answerable: true}\n",
     "duplicate case ids: a"),
    ("cases: [\n", "not valid YAML"),
    ("- just a list\n", "a mapping with a `cases` list"),
    ("cases: []\n", "no cases"),
])
def test_bad_suites_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_suite(_write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_the_seeds_suite_is_complete_and_points_at_real_files() -> None:
    suite = load_suite(SEEDS_SUITE)
    assert len(suite.cases) >= 40
    seeds = {p.name for p in (REPO_ROOT / "seeds").iterdir()}
    tags = [t for c in suite.cases for t in c.tags]
    for tag in ("single-source", "multi-source", "follow-up", "unanswerable", "false-premise"):
        assert tags.count(tag) >= 4, tag
    for case in suite.cases:
        assert set(case.expected_sources) <= seeds, case.id
        if case.answerable:
            assert case.key_facts and case.expected_sources, case.id
        else:
            assert not case.key_facts, case.id
        if "follow-up" in case.tags:
            assert case.history, case.id
