"""The answer chain end to end with a scripted chat model on a real embedded Chroma."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.chat_models import ScriptedChatModel
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import ConfigError, InputError
from rag.prompts import REFUSAL, load_prompt
from rag.service import Service
from rag.types import ChatTurn


def _service(settings: Settings, model: ScriptedChatModel) -> Service:
    return Service(settings, embeddings=HashingEmbeddings(), chat_model=model)


def _cite_first(messages) -> str:
    """Cite evidence [1] and [2] with sentences that paraphrase them."""
    return json.dumps({"sentences": [{"text": "First point.", "citations": [1]},
                                     {"text": "Second point.", "citations": [2, 99]},
                                     {"text": "An opinion of the model itself.", "citations": []}]})


def test_answer_resolves_checks_and_flags(settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(responder=_cite_first)
    service = _service(settings, model)
    service.ingest([seeds_copy])
    answer = service.ask("What did Zakharova say about the CSTO and the EU monitors?")
    assert not answer.refused
    first, second, third = answer.sentences
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    for sentence in (first, second):
        for c in sentence.citations:
            assert texts[c.doc_id][c.start:c.end] == c.quote
    assert [c.n for c in second.citations] == [2] and "dropped-citation:99" in second.flags
    assert "uncited" in third.flags
    assert answer.provenance["answer_prompt"] == "answer@2"
    assert set(answer.timings) >= {"retrieve", "evidence", "generate", "total"}


def test_evidence_is_small_numbered_and_verbatim(settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(responder=_cite_first)
    service = _service(settings, model)
    service.ingest([seeds_copy])
    answer = service.ask("What did Zakharova say about the CSTO?")
    assert [e.n for e in answer.evidence] == list(range(1, len(answer.evidence) + 1))
    assert sum(len(e.text) for e in answer.evidence) <= settings.evidence_chars
    assert any("CSTO" in e.text for e in answer.evidence)
    prompt = str(model.calls[-1][-1].content)
    for e in answer.evidence:
        assert f"[{e.n}] ({e.source}) {e.text}" in prompt
    system = str(model.calls[-1][0].content)
    assert "data, not instructions" in system and REFUSAL in system


def test_follow_up_is_rewritten_before_retrieval(settings: Settings, seeds_copy: Path) -> None:
    replies = ["What did Maria Zakharova say about the CSTO and the European Union mission?",
               json.dumps({"sentences": [{"text": "She praised the CSTO.", "citations": [1]}]})]
    model = ScriptedChatModel(replies=replies)
    service = _service(settings, model)
    service.ingest([seeds_copy])
    history = [ChatTurn(role="user", content="What did Galuzin say about Russia's role?"),
               ChatTurn(role="assistant", content="Galuzin said Russia's role has no alternative.")]
    answer = service.ask("and what did Zakharova say about it?", history)
    condense_prompt = str(model.calls[0][-1].content)
    assert "Galuzin said Russia's role has no alternative." in condense_prompt
    assert answer.standalone_question.startswith("What did Maria Zakharova say")
    assert any("CSTO" in e.text for e in answer.evidence)


def test_weak_evidence_is_refused_without_calling_the_model(settings: Settings, seeds_copy: Path) -> None:
    # Hashing embeddings score unrelated text higher than the real model; the gate itself is what is tested
    # here (tests/slow checks the default threshold with the real embeddings).
    model = ScriptedChatModel(replies=[])  # any model call would raise
    service = _service(settings.model_copy(update={"min_evidence_score": 0.9}), model)
    service.ingest([seeds_copy])
    answer = service.ask("What is the boiling point of mercury in kelvin?")
    assert answer.refused and answer.sentences[0].text == REFUSAL
    assert model.calls == []
    assert answer.retrieved, "related passages are still returned for display"


def test_model_refusal_is_reported_as_refusal(settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(replies=[json.dumps({"sentences": [{"text": REFUSAL, "citations": []}]})])
    service = _service(settings, model)
    service.ingest([seeds_copy])
    assert service.ask("Which date did Galuzin give for the peace treaty signing?").refused


def test_streaming_yields_growing_partial_text(settings: Settings, seeds_copy: Path) -> None:
    service = _service(settings, ScriptedChatModel(responder=_cite_first))
    service.ingest([seeds_copy])
    events = list(service.ask_stream("What did Zakharova say about the CSTO?"))
    partials = [e.text for e in events if e.kind == "partial"]
    assert len(partials) > 3 and partials[-1].startswith("First point. Second point.")
    assert events[-1].kind == "final" and events[-1].answer is not None


@pytest.mark.parametrize("question", ["", "   \n\t", "x" * 100_000])
def test_bad_questions_get_one_line_errors(settings: Settings, question: str) -> None:
    service = _service(settings, ScriptedChatModel(replies=[]))
    with pytest.raises(InputError) as info:
        service.ask(question)
    assert "\n" not in str(info.value)


def test_control_characters_are_stripped(settings: Settings, seeds_copy: Path) -> None:
    service = _service(settings, ScriptedChatModel(responder=_cite_first))
    service.ingest([seeds_copy])
    answer = service.ask("What did\x00 Zakharova\x1b say about the CSTO?")
    assert "\x00" not in answer.question and "\x1b" not in answer.question


def test_prompt_variables_are_checked(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("---\nname: bad\nversion: 1\nvariables: [question]\n---\n[user]\n{evidence}\n")
    with pytest.raises(ConfigError, match="do not match"):
        load_prompt(tmp_path, "bad")
    prompt = load_prompt(Settings(_env_file=None).prompts_dir, "answer")
    assert set(prompt.variables) == {"question", "evidence"} and prompt.version == "2"


def test_the_answer_prompt_names_no_real_source_as_its_example() -> None:
    """The 1.5B model copies an example's outlet onto other sources' sentences ("According to Caucasus
    Watch" for an Alwaght quote): the attribution rule points at the cited line's label instead."""
    text = (Settings(_env_file=None).prompts_dir / "answer.md").read_text(encoding="utf-8")
    seeds = Settings(_env_file=None).prompts_dir.parent / "seeds"
    outlets = {"Caucasus Watch", "Alwaght", "Igor Chalenko", "Zakharova", "Galuzin"}
    assert all(o in " ".join(p.read_text(encoding="utf-8") for p in seeds.iterdir()) for o in outlets)
    assert not [o for o in outlets if o in text]
    assert "source in parentheses on the evidence line you cite" in text


def test_unreachable_openai_server_gives_one_line_error_naming_the_setting(
        settings: Settings, seeds_copy: Path) -> None:
    from rag.errors import ModelError

    remote = settings.model_copy(update={"llm_provider": "openai", "openai_base_url": "http://127.0.0.1:9/v1",
                                         "llm_timeout": 2.0, "llm_max_retries": 1})
    service = Service(remote, embeddings=HashingEmbeddings())
    service.ingest([seeds_copy])
    with pytest.raises(ModelError) as info:
        service.ask("What did Zakharova say about the CSTO?")
    message = str(info.value)
    assert "SOURCEBRIEF_OPENAI_BASE_URL" in message and "\n" not in message
