"""Briefings end to end with scripted models: stages, resume, attribution, verbatim quotes, formats, CLI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from langchain_core.messages import BaseMessage
from typer.testing import CliRunner

from rag.brief import Briefing
from rag.brief.render import render_briefing
from rag.brief.scope import boilerplate_reason
from rag.chat_models import ScriptedChatModel
from rag.cli import app
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.providers import _fake_reply
from rag.service import Service
from rag.types import Verdict
from tests.conftest import SEEDS

CW, CHALENKO = "003_cb3a59321c21f76c.txt", "004_f1439a8cd7274eed.txt"


def _digest_reply(messages: Sequence[BaseMessage]) -> str | None:
    """A digest reply that leaves speakers out (as the small model often does) and names a wrong one."""
    prompt = str(messages[-1].content)
    if not prompt.startswith("Article:"):
        return None
    shown = dict(re.findall(r"^\[(\d+)\] (.+)$", prompt, re.M))
    claims = []
    for n, text in shown.items():
        if "no alternative" in text:
            claims.append({"who": "", "claim": "Russia's role in the dialogue has no alternative", "sentences": [n]})
        elif "fake monitors" in text:
            claims.append({"who": "Zakharova", "claim": "The CSTO can play a stabilizing role", "sentences": [n]})
    if "(Igor Chalenko)" in prompt.splitlines()[0]:
        n = next(iter(shown))
        claims.append({"who": "Putin", "claim": "Russia acted in the region", "sentences": [int(n), 999]})
    if not claims:
        n, text = next(iter(shown.items()))
        claims.append({"who": "", "claim": " ".join(text.split()[:10]), "sentences": [int(n)]})
    return json.dumps({"claims": claims[:3]})


def _responder(messages: Sequence[BaseMessage]) -> str:
    return _digest_reply(messages) or _fake_reply(list(messages))


class _Judge:
    """Supported when every word of the claim after the attribution occurs in the passages."""

    name = "test-judge"

    def __init__(self) -> None:
        self.calls = 0

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        self.calls += 1
        words = set(re.findall(r"\w+", " ".join(passages).lower()))
        body = claim.split(",", 1)[-1]
        ok = set(re.findall(r"\w+", body.lower())) - {"said", "writes", "that"} <= words
        return Verdict(label="supported" if ok else "unsupported", score=0.9 if ok else 0.1, judge=self.name)


@pytest.fixture
def brief_service(settings: Settings, seeds_copy: Path) -> tuple[Service, ScriptedChatModel, _Judge]:
    model = ScriptedChatModel(responder=_responder)
    judge = _Judge()
    service = Service(settings, embeddings=HashingEmbeddings(), chat_model=model, verifier=judge)
    service.ingest([seeds_copy])
    return service, model, judge


def _all_citations(briefing: Briefing) -> list:
    cites = [c for s in briefing.sentences for c in s.citations]
    cites += [cell.quote for g in briefing.matrix for cell in g.cells if cell.quote is not None]
    return cites


def test_briefing_covers_every_document_with_verbatim_quotes(brief_service) -> None:
    service, _model, _judge = brief_service
    briefing = service.brief(verify="annotate", run_id="t1")
    assert len(briefing.documents) == 5
    assert [s.key for s in briefing.sections] == ["summary", "facts", "who_says_what", "contention", "missing",
                                                  "timeline"]
    assert 3 <= len(briefing.section("summary").sentences) <= 6
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    cited_docs = set()
    for c in _all_citations(briefing):
        assert texts[c.doc_id][c.start:c.end] == c.quote
        assert c.n >= 1
        cited_docs.add(c.doc_id)
    assert cited_docs == {d.doc_id for d in briefing.documents}
    for s in briefing.sentences:
        if "note" not in s.flags:
            assert s.citations and s.verdict is not None
        for c in s.citations:  # never a cookie notice or a table row; a headline only as the source's headline
            sentence = next(x.text for x in __import__("rag.ingest.sentences", fromlist=["x"]).split_sentences(
                texts[c.doc_id]) if x.start <= c.start < x.end)
            assert boilerplate_reason(sentence) is None or ("headline" in s.flags and c.quote in sentence), sentence
    assert [e.sort_key for e in briefing.timeline] == sorted(e.sort_key for e in briefing.timeline)
    assert briefing.provenance.prompts["digest"] == "brief_digest@2"
    assert set(briefing.provenance.documents) == {p.name for p in SEEDS.iterdir()}


def test_attribution_is_enforced_in_code(brief_service) -> None:
    service, _model, _judge = brief_service
    briefing = service.brief(verify="off")
    texts = [s.text for s in briefing.sentences]
    galuzin = [t for t in texts if "no alternative" in t.lower() and not t.startswith("Caucasus Watch reports")]
    assert galuzin and all(t.startswith("According to Caucasus Watch, Mikhail Galuzin said") for t in galuzin)
    zakharova = [t for t in texts if "CSTO can play" in t]
    assert zakharova and all("Zakharova" in t and "Caucasus Watch" in t for t in zakharova)
    for s in briefing.sentences:
        if any(c.file_name == CHALENKO for c in s.citations):
            assert "Chalenko" in s.text, s.text
        assert "Putin said" not in s.text  # a speaker the rules do not find in the text is not believed
    digest = json.loads((service.settings.data_dir / "briefs").glob("*/stage-2-digest.json").__next__().read_text())
    flags = [f for d in digest["data"] for f in d["flags"]]
    assert "dropped-sentence:999" in flags
    # the pronoun-led sentence keeps its speaker: the naming sentence is cited with it
    zak = next(s for s in briefing.sentences if "CSTO can play" in s.text and "position" not in s.flags)
    assert any("Zakharova" in c.quote for c in zak.citations)


def test_stages_are_saved_and_a_run_resumes(brief_service) -> None:
    service, model, judge = brief_service
    first = service.brief(verify="annotate", run_id="resume-me")
    run_dir = service.settings.data_dir / "briefs" / "resume-me"
    assert sorted(p.name for p in run_dir.iterdir()) == [
        "stage-1-scope.json", "stage-2-digest.json", "stage-3-group.json", "stage-4-write.json",
        "stage-5-verify.json"]
    calls, verifications = len(model.calls), judge.calls
    again = service.brief(verify="annotate", run_id="resume-me")
    assert len(model.calls) == calls and judge.calls == verifications
    assert all(again.timings.get(f"{stage}_resumed") for stage in ("scope", "digest", "group", "write", "verify"))
    assert again.sections == first.sections
    # a changed verify mode re-runs only the last stage
    (run_dir / "stage-3-group.json").write_text((run_dir / "stage-3-group.json").read_text())
    off = service.brief(verify="off", run_id="resume-me")
    assert len(model.calls) == calls and off.timings.get("digest_resumed") and "verify" in off.timings
    assert all(s.verdict is None or s.verdict.judge.startswith("verbatim") for s in off.sentences)


def test_strict_drops_unsupported_sentences(brief_service) -> None:
    service, _model, _judge = brief_service
    annotated = service.brief(verify="annotate")
    strict = service.brief(verify="strict")
    unsupported = [s for s in annotated.sentences if s.verdict is not None and s.verdict.label != "supported"]
    assert unsupported
    assert all(s.verdict is not None and s.verdict.label == "supported" for s in strict.sentences
               if "note" not in s.flags)
    assert len(strict.sentences) == len(annotated.sentences) - len(unsupported)


def test_sources_filter_and_topic(brief_service) -> None:
    service, _model, _judge = brief_service
    briefing = service.brief(sources=["003", CHALENKO], verify="off")
    assert {d.file_name for d in briefing.documents} == {CW, CHALENKO}
    assert all(c.file_name in {CW, CHALENKO} for c in _all_citations(briefing))
    topical = service.brief(topic="arms imports from Russia", verify="off")
    assert topical.topic == "arms imports from Russia" and topical.title.endswith("arms imports from Russia")
    assert topical.documents


def test_disputes_found_by_the_stance_check(settings: Settings, seeds_copy: Path) -> None:
    def responder(messages: Sequence[BaseMessage]) -> str:
        if str(messages[-1].content).endswith("Answer (agree, neither or contradict):"):
            return "contradict"
        return _responder(messages)

    service = Service(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel(responder=responder))
    service.ingest([seeds_copy])
    briefing = service.brief(verify="off")
    assert any(c.position == "disputes" for g in briefing.matrix for c in g.cells)
    contention = briefing.section("contention")
    assert contention is not None and any(s.text.startswith("In contrast, ") for s in contention.sentences)


def test_formats_carry_quotes_verdicts_and_provenance(brief_service) -> None:
    service, _model, _judge = brief_service
    briefing = service.brief(verify="annotate")
    md = render_briefing(briefing, "md")
    assert "## Who says what" in md and "| Claim |" in md
    assert re.search(r'^\[\^1\]: \S+, characters \d+-\d+: ".+" \((supported|unsupported)', md, re.M)
    assert briefing.provenance.settings_fingerprint in md and "brief_digest@2" in md
    page = render_briefing(briefing, "html")
    assert 'href="#fn-1"' in page and 'id="fn-1"' in page and "<script" not in page and "<link" not in page
    assert briefing.provenance.settings_fingerprint in page
    again = Briefing.model_validate_json(render_briefing(briefing, "json"))
    assert again == briefing


def test_cli_brief_writes_a_file_and_errors_are_one_line(tmp_path: Path) -> None:
    env = {"SOURCEBRIEF_DATA_DIR": str(tmp_path / "data"), "SOURCEBRIEF_LLM_PROVIDER": "fake",
           "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake", "SOURCEBRIEF_CHROMA_HOST": ""}
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(SEEDS)], env=env).exit_code == 0
    out = tmp_path / "b.html"
    result = runner.invoke(app, ["brief", "--format", "html", "--out", str(out), "--verify", "off",
                                 "--sources", "003,004"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("<!doctype html>")
    full = {**os.environ, **env}
    for args, code, message in ((["--sources", "nope"], 6, "error: no document 'nope'"),
                                (["--format", "pdf"], 2, "error: sourcebrief brief: Invalid value for '--format'"),
                                (["--run-id", "../up"], 3, "error: bad run id"),
                                (["--topic", "x" * 3000], 3, "error: question too long")):
        run = subprocess.run([sys.executable, "-m", "rag", "brief", *args], env=full, capture_output=True, text=True,
                             check=False)
        assert run.returncode == code, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1 and run.stderr.startswith(message), run.stderr


_AGREEING = [
    "Moscow has again offered to host talks between the foreign ministers of Armenia and Azerbaijan.",
    "Russian diplomats say the peace process between Armenia and Azerbaijan needs Russia's mediation.",
    "The Kremlin presents itself as the guarantor of the ceasefire agreements signed in 2020.",
    "Officials in Moscow stress that the trilateral format has produced results for the peace process.",
    "Russia's foreign ministry said it is ready to help draft the peace treaty between Armenia and Azerbaijan.",
    "Russian peacekeepers remain deployed under the ceasefire agreement, according to the defence ministry.",
    "A Russian deputy foreign minister said Moscow's role in the Armenia-Azerbaijan talks cannot be replaced.",
    "State television described Russia's mediation between Baku and Yerevan as indispensable for peace.",
    "Moscow said the border commissions of Armenia and Azerbaijan could meet on Russian territory.",
    "The Russian side has maps that could help delimit the border between Armenia and Azerbaijan, officials said.",
    "Commentators in Moscow argued that Western mediators lack Russia's experience in the region.",
    "Russia's ambassador in Baku praised the progress made in talks held under Russian auspices.",
]


@pytest.mark.slow
def test_a_topic_briefing_judges_every_document_on_its_own_and_keeps_the_short_dissenting_one(
        settings: Settings, seeds_copy: Path) -> None:
    """Seeds plus ten long agreeing reports and two off-topic texts (17 documents): the short op-ed that
    alone calls Russia the obstacle is used, the off-topic ones are not, and the notes say how each was judged."""
    for i in range(10):
        lines = [_AGREEING[(i + j) % len(_AGREEING)] for j in range(12)]
        (seeds_copy / f"report_{i:02d}.txt").write_text(
            f"Moscow's mediation, report {i}\n\n" + "\n\n".join(lines * 2) + "\n", encoding="utf-8")
    (seeds_copy / "cake.txt").write_text(
        "Lemon cake\n\nBeat four eggs with sugar until pale, then fold in flour and lemon zest. Bake the batter for "
        "forty minutes at 180 degrees and let the cake cool before slicing it.\n", encoding="utf-8")
    (seeds_copy / "final.txt").write_text(
        "Cup final\n\nThe home side won the cup final 2-1 after extra time, with the captain scoring the winner. "
        "Fans celebrated in the streets until the early morning, and the coach praised the team's spirit.\n",
        encoding="utf-8")
    real = settings.model_copy(update={"embedding_provider": "local"})  # the product's embeddings: real relevance
    service = Service(real, chat_model=ScriptedChatModel(responder=_responder), verifier=_Judge())
    service.ingest([seeds_copy])
    briefing = service.brief(topic="Russia's role in the peace process between Armenia and Azerbaijan", verify="off")
    used = {d.file_name for d in briefing.documents}
    assert CHALENKO in used
    assert len(used) == 15 and not used & {"cake.txt", "final.txt"}
    notes = " ".join(s.text for s in briefing.sentences if "note" in s.flags)
    assert "cake.txt (the article “Lemon cake”) is not used: its closest passage scores" in notes
    assert "15 of 17 speak to it" in notes


def test_who_says_what_opens_with_each_sources_position_in_its_own_words(brief_service) -> None:
    """One row per source before the claims: the op-ed's headline (its thesis) and each document's sentence
    closest to the topic, verbatim at its offsets under the source's own name."""
    service, _model, _judge = brief_service
    briefing = service.brief(topic="Russia's role in the peace process", verify="off")
    section = next(s for s in briefing.sections if s.key == "who_says_what")
    positions = [s for s in section.sentences if "position" in s.flags]
    headlines = [s for s in section.sentences if "headline" in s.flags]
    assert {s.citations[0].file_name for s in positions} == {d.file_name for d in briefing.documents}
    [chalenko] = [s for s in headlines if s.citations[0].file_name == CHALENKO]
    assert chalenko.text == ("Igor Chalenko writes: “Russia – main obstacle in negotiations between Armenia and "
                             "Azerbaijan”")
    texts = {r.file_name: service.source(r.id).text for r in service.sources()}
    for sentence in positions + headlines:
        [c] = sentence.citations
        assert texts[c.file_name][c.start:c.end] == c.quote and c.quote in sentence.text
        assert not sentence.text.startswith("Igor Chalenko writes: “Igor Chalenko is")
