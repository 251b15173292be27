"""The `sourcebrief` commands end to end (fake chat model, hashing embeddings, real embedded Chroma)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from tests.conftest import SEEDS


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SOURCEBRIEF_DATA_DIR": str(tmp_path / "data"), "SOURCEBRIEF_LLM_PROVIDER": "fake",
            "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake", "SOURCEBRIEF_VERIFY_MODE": "annotate",
            "SOURCEBRIEF_OPENAI_API_KEY": "sk-secret-value", "SOURCEBRIEF_CHROMA_HOST": ""}


def _run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_ingest_sources_retrieve_ask(env: dict[str, str], tmp_path: Path) -> None:
    first = json.loads(_run(env, "ingest", str(SEEDS), "--json"))
    assert first == {"documents": 5, "chunks": first["chunks"], "added": 5, "updated": 0, "unchanged": 0,
                     "removed": 0}
    assert json.loads(_run(env, "ingest", str(SEEDS), "--json"))["unchanged"] == 5
    sources = json.loads(_run(env, "sources", "--json"))
    assert {s["file_name"] for s in sources} == {p.name for p in SEEDS.iterdir()}
    removed = _run(env, "sources", "show", "003_cb3a59321c21f76c.txt", "--removed")
    assert "cookie-notice" in removed and "newsletter-or-recruitment" in removed
    hits = json.loads(_run(env, "retrieve", "SIPRI arms imports", "--k", "2", "--json"))
    assert len(hits) == 2 and {"rrf", "dense"} <= set(hits[0]["scores"])
    answer = json.loads(_run(env, "ask", "What did Zakharova say about the CSTO?", "--json"))
    assert answer["sentences"][0]["citations"][0]["quote"]
    assert answer["sentences"][0]["verdict"]["label"] in {"supported", "unsupported", "contradicted"}
    assert answer["provenance"]["answer_prompt"] == "answer@2"
    markdown = _run(env, "ask", "What did Zakharova say about the CSTO?", "--markdown", "--verify", "off")
    assert "[^" in markdown and '"' in markdown.split("[^", 2)[-1]


def test_config_masks_secrets(env: dict[str, str]) -> None:
    data = json.loads(_run(env, "config", "--json"))
    assert data["openai_api_key"] == "***" and "sk-secret-value" not in json.dumps(data)
    assert data["llm_provider"] == "fake" and len(data["fingerprint"]) == 12


def test_eval_judge_on_a_small_file(env: dict[str, str], tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.jsonl"
    rows = [{"premise": "Lavrov met Bayramov in Moscow on Tuesday.", "claim": "Lavrov met Bayramov.", "label": 1},
            {"premise": "Lavrov met Bayramov in Moscow on Tuesday.", "claim": "Putin met Aliyev.", "label": 0}]
    pairs.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    report = json.loads(_run(env, "eval", "judge", str(pairs), "--json"))
    assert report["overall"]["n"] == 2 and report["overall"]["balanced_accuracy"] == 1.0


def test_errors_are_one_line_with_exit_codes(env: dict[str, str], tmp_path: Path) -> None:
    full = {**os.environ, **env}
    shown = subprocess.run([sys.executable, "-m", "rag", "sources", "show", "no-such-doc"], env=full,
                           capture_output=True, text=True, check=False)
    assert shown.returncode == 6
    assert shown.stderr.strip().startswith("error: no document") and len(shown.stderr.strip().splitlines()) == 1
    empty = subprocess.run([sys.executable, "-m", "rag", "ask", "  "], env=full, capture_output=True, text=True,
                           check=False)
    assert empty.returncode == 3 and empty.stderr.strip().splitlines()[-1] == "error: empty question"


@pytest.mark.parametrize("args, named", [
    (["ask", "Who?", "--verify", "bogus"], "'bogus' is not one of 'off', 'annotate', 'guarded', 'strict'"),
    (["brief", "--format", "pdf"], "'pdf' is not one of 'md', 'html', 'json'"),
    (["summarize", "x", "--format", "html"], "'html' is not one of 'md', 'json'"),
    (["no-such-command"], "No such command"),
])
def test_usage_errors_are_one_line_with_exit_code_2(env: dict[str, str], args: list[str], named: str) -> None:
    done = subprocess.run([sys.executable, "-m", "rag", *args], env={**os.environ, **env}, capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: sourcebrief") and named in lines[0], done.stderr
