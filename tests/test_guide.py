"""Source guides with scripted models: cited and verified summary, caching by content hash, answerable
questions, stance attribution, one-line errors, the CLI."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from rag.chat_models import ScriptedChatModel
from rag.cli import app
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import NotFoundError
from rag.guide import SourceGuide, parse_guide_reply
from rag.providers import _fake_reply
from rag.service import Service
from rag.types import Verdict
from tests.conftest import SEEDS

CW, CHALENKO = "003_cb3a59321c21f76c.txt", "004_f1439a8cd7274eed.txt"


def _responder(messages: Sequence[BaseMessage]) -> str:
    """The fake provider, plus one guide question the documents cannot answer and an author's own claim."""
    prompt = str(messages[-1].content)
    if prompt.startswith("Guide for:"):
        data = json.loads(_fake_reply(list(messages)))
        data["questions"].insert(0, "What is the boiling point of tungsten in kelvin?")
        return json.dumps(data)
    if prompt.startswith("Article:") and "(Igor Chalenko)" in prompt.splitlines()[0]:
        n, text = re.findall(r"^\[(\d+)\] (.+)$", prompt, re.M)[0]
        return json.dumps({"claims": [{"who": "", "claim": " ".join(text.split()[:8]), "sentences": [int(n)]}]})
    return _fake_reply(list(messages))


class _Judge:
    """Supported when every word after the attribution occurs in the passages."""

    name = "test-judge"

    def __init__(self) -> None:
        self.calls = 0

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        self.calls += 1
        words = set(re.findall(r"\w+", " ".join(passages).lower()))
        body = re.split(r", | that ", claim, maxsplit=1)[-1]
        ok = set(re.findall(r"\w+", body.lower())) - {"said", "writes", "that", "argues"} <= words
        return Verdict(label="supported" if ok else "unsupported", score=0.9 if ok else 0.1, judge=self.name)


@pytest.fixture
def guide_service(settings: Settings, seeds_copy: Path) -> tuple[Service, ScriptedChatModel, _Judge]:
    model = ScriptedChatModel(responder=_responder)
    judge = _Judge()
    settings = settings.model_copy(update={"verify_mode": "annotate"})
    service = Service(settings, embeddings=HashingEmbeddings(), chat_model=model, verifier=judge)
    service.ingest([seeds_copy])
    return service, model, judge


def test_summary_cites_its_own_document_verbatim_and_is_verified(guide_service) -> None:
    service, _model, judge = guide_service
    record = service.resolve_source(CW)
    text = service.source(CW).text
    guide = service.guide(CW)
    assert guide.content_hash == record.id == guide.doc_id and guide.doc.outlet == "Caucasus Watch"
    assert 3 <= len(guide.summary) <= 5
    for sentence in guide.sentences:
        assert sentence.citations and sentence.verdict is not None and sentence.verdict.label == "supported"
        assert sentence.text.startswith(("Caucasus Watch", "According to Caucasus Watch"))  # attributed
        for c in sentence.citations:
            assert c.doc_id == record.id and c.file_name == CW and text[c.start:c.end] == c.quote
    assert judge.calls >= 1 and any("verbatim" not in s.flags for s in guide.summary)  # a model claim kept
    assert next(c.n for s in guide.summary for c in s.citations) == 1
    assert 3 <= len(guide.topics) <= 6
    assert guide.provenance.prompts["guide"] == "guide@1"
    assert guide.provenance.prompts["digest"].startswith("brief_digest@")
    assert guide.provenance.settings_fingerprint == service.settings.fingerprint()


def test_every_suggested_question_has_a_passage_in_the_document(guide_service) -> None:
    service, _model, _judge = guide_service
    guide = service.guide(CW)
    text = service.source(CW).text
    assert 3 <= len(guide.questions) <= 5
    for q in guide.questions:
        assert q.text.endswith("?") and q.passage.doc_id == guide.doc_id and text[q.passage.start:q.passage.end] \
            == q.passage.quote and q.score >= service.settings.min_evidence_score
    assert "tungsten" not in " ".join(q.text for q in guide.questions)
    assert any(f.startswith("unanswerable:") and "tungsten" in f for f in guide.flags)


def test_second_call_is_cached_and_never_calls_the_model(guide_service) -> None:
    service, model, judge = guide_service
    first = service.guide(CW)
    calls, judged = len(model.calls), judge.calls
    assert calls >= 2  # digest + topics/questions
    path = service.guide_path(first.doc_id)
    assert path.is_file() and path.name.startswith(first.doc_id + "-")
    again = Service(service.settings, embeddings=HashingEmbeddings(), chat_model=model, verifier=judge).guide(CW)
    assert again == first and len(model.calls) == calls and judge.calls == judged
    assert service.guide(first.doc_id[:6]) == first  # by id prefix too
    service.guide(CW, refresh=True)
    assert len(model.calls) > calls


def test_a_changed_document_gets_a_new_guide(guide_service, tmp_path: Path) -> None:
    service, model, _judge = guide_service
    folder = tmp_path / "edited"
    folder.mkdir()
    copy = folder / "note.txt"
    shutil.copy(SEEDS / CW, copy)
    with copy.open("a", encoding="utf-8") as handle:  # not the seed's bytes: a document of its own
        handle.write("\nThe delegations met again in Vienna in the spring after a long pause.\n")
    service.ingest([copy])
    old = service.guide(service.resolve_file(copy).id)
    calls = len(model.calls)
    assert service.guide(old.doc_id) == old and len(model.calls) == calls
    copy.write_text(copy.read_text(encoding="utf-8") + "\nThe talks resumed in Geneva on 3 March 2026 after a "
                    "long pause in the negotiations.\n", encoding="utf-8")
    service.ingest([copy])
    new = service.guide(service.resolve_file(copy).id)
    assert new.doc_id != old.doc_id and len(model.calls) > calls
    assert service.guide_path(old.doc_id).is_file() and service.guide_path(new.doc_id).is_file()
    assert all(c.doc_id == new.doc_id for s in new.sentences for c in s.citations)


def test_an_authors_own_claim_is_stated_as_their_argument(guide_service) -> None:
    service, _model, _judge = guide_service
    guide = service.guide(CHALENKO)
    assert guide.doc.author == "Igor Chalenko"
    assert guide.stance is not None and guide.stance.text.startswith("The author, Igor Chalenko, argues")
    assert guide.stance.verdict is not None and guide.stance.verdict.label == "supported"


def test_bad_refs_are_one_line_errors(guide_service, tmp_path: Path) -> None:
    service, _model, _judge = guide_service
    with pytest.raises(NotFoundError, match="no document 'nope'"):
        service.guide("nope")
    stray = tmp_path / "stray.txt"
    stray.write_text("Never ingested. It has two sentences.", encoding="utf-8")
    with pytest.raises(NotFoundError, match="not ingested") as info:
        service.resolve_file(stray)
    assert "\n" not in str(info.value)


def test_parse_guide_reply_keeps_short_topics_and_real_questions() -> None:
    topics, questions = parse_guide_reply('{"topics": ["Russia", "a topic that is far far too long to be one", '
                                          '"russia", "CSTO"], "questions": ["Who?", "What did Galuzin say?", '
                                          '"not a question"]}')
    assert topics == ["Russia", "CSTO"] and questions == ["What did Galuzin say?"]
    assert parse_guide_reply("not json") == ([], [])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"SOURCEBRIEF_DATA_DIR": str(tmp_path / "data"), "SOURCEBRIEF_LLM_PROVIDER": "fake",
            "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake", "SOURCEBRIEF_VERIFY_MODE": "annotate",
            "SOURCEBRIEF_CHROMA_HOST": ""}


def test_cli_summarize_by_id_file_and_all(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(SEEDS)], env=env).exit_code == 0
    md = runner.invoke(app, ["summarize", CW], env=env, catch_exceptions=False)
    assert md.exit_code == 0 and md.stdout.startswith("# Guide: ") and "## Suggested questions" in md.stdout
    by_file = runner.invoke(app, ["summarize", str(SEEDS / CW), "--format", "json"], env=env)
    guide = SourceGuide.model_validate_json(by_file.stdout)
    assert guide.doc.file_name == CW
    everything = runner.invoke(app, ["summarize", "--all", "--format", "json"], env=env)
    assert everything.exit_code == 0 and len(json.loads(everything.stdout)) == 5


def test_cli_summarize_errors_are_one_line(env: dict[str, str], tmp_path: Path) -> None:
    import subprocess
    import sys

    stray = tmp_path / "stray.txt"
    stray.write_text("Never ingested. It has two sentences.", encoding="utf-8")
    for args, expected in ((["nope"], "no document 'nope'"), ([str(stray)], "is not ingested"),
                           ([], "give one document"), ([CW, "--format", "pdf"], "'pdf' is not one of 'md', 'json'")):
        done = subprocess.run([sys.executable, "-m", "rag", "summarize", *args], env={**__import__("os").environ,
                              **env}, capture_output=True, text=True)
        assert done.returncode != 0 and expected in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_a_recalibrated_judge_gets_a_new_guide_and_new_eval_cache_keys(guide_service, tmp_path: Path) -> None:
    service, model, judge = guide_service
    first = service.guide(CW)
    calibration = tmp_path / "judge.json"
    calibration.write_text('{"threshold": 0.42, "provenance": "test"}', encoding="utf-8")
    moved = Service(service.settings.model_copy(update={"verify_calibration": calibration}),
                    embeddings=HashingEmbeddings(), chat_model=model, verifier=judge)
    assert moved.provenance()["judge_calibration"] == "0.42/0.0/0.0" != service.provenance()["judge_calibration"]
    calls = len(model.calls)
    assert moved.guide_path(first.doc_id) != service.guide_path(first.doc_id)
    moved.guide(CW)
    assert len(model.calls) > calls  # verdicts under another threshold are not served from the old guide
