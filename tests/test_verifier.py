"""The verifier's combination, cache, passage trimming, judge parsing, and its use at answer time."""

from __future__ import annotations

import json
import re
from pathlib import Path

from langchain_core.messages import BaseMessage

from rag.chat_models import ScriptedChatModel
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.prompts import REFUSAL, load_prompt
from rag.service import Service
from rag.verify.judge import LlmJudge, _logprob_yes, trim_passage
from rag.verify.verifier import Calibration, VerdictCache, Verifier, combine

PASSAGE = "Russia deployed 2,000 troops in autumn 2020. The Kremlin called them peacekeepers."


class CountingScorer:
    """A backend that scores by word containment and counts its calls."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def probability(self, claim: str, passage: str) -> float:
        self.calls += 1
        words = set(re.findall(r"\w+", passage.lower()))
        return 0.9 if set(re.findall(r"\w+", claim.lower())) <= words else 0.2


def test_combine_rules() -> None:
    assert combine([0.8, 0.6], [], False, 0.5) == ("supported", 0.7)
    assert combine([0.9], ["number 3 not in the passage"], True, 0.5) == ("contradicted", 0.05)
    label, score = combine([0.99], ["name(s) Lavrov not in the passage"], False, 0.6)
    assert label == "unsupported" and score < 0.6
    assert combine([0.3], [], False, 0.5)[0] == "unsupported"


def test_checks_override_a_confident_backend() -> None:
    verifier = Verifier([CountingScorer()], calibration=Calibration(0.5))
    assert verifier.verify("Russia deployed 2,000 troops in autumn 2020.", [PASSAGE]).label == "supported"
    wrong = verifier.verify("Russia deployed 3,000 troops in autumn 2020.", [PASSAGE])
    assert wrong.label == "contradicted" and "number 3000" in wrong.judge


def test_a_claim_of_several_sentences_is_as_strong_as_its_weakest() -> None:
    scorer = CountingScorer()
    verifier = Verifier([scorer], calibration=Calibration(0.5))
    both = verifier.verify("Russia deployed 2,000 troops in autumn 2020. The Kremlin called them peacekeepers.",
                           [PASSAGE])
    assert both.label == "supported" and scorer.calls == 2
    one_wrong = verifier.verify("Russia deployed 2,000 troops in autumn 2020. The Kremlin called them invaders.",
                                [PASSAGE])
    assert one_wrong.label == "unsupported" and one_wrong.score == 0.2
    assert verifier.verify("Russia deployed troops. Yes.", [PASSAGE]).label == "supported"  # "Yes." is no claim


def test_verdicts_are_cached_on_disk(tmp_path: Path) -> None:
    scorer = CountingScorer()
    first = Verifier([scorer], cache=VerdictCache(tmp_path / "v.sqlite"))
    verdict = first.verify("Russia deployed 2,000 troops in autumn 2020.", [PASSAGE])
    first.verify("Russia deployed 2,000 troops in autumn 2020.", [PASSAGE])
    assert scorer.calls == 1
    again = Verifier([scorer], cache=VerdictCache(tmp_path / "v.sqlite"))
    assert again.verify("Russia deployed 2,000 troops in autumn 2020.", [PASSAGE]) == verdict  # from disk
    assert scorer.calls == 1


def test_long_passages_are_trimmed_to_what_bears_on_the_claim() -> None:
    filler = " ".join(f"Unrelated sentence number {i} about the weather in spring." for i in range(40))
    passage = filler + " Lavrov met Bayramov in Moscow on Tuesday. " + filler
    trimmed = trim_passage("Lavrov met Bayramov in Moscow.", passage, HashingEmbeddings(), max_chars=300)
    assert "Lavrov met Bayramov in Moscow on Tuesday." in trimmed and len(trimmed) <= 300
    assert trim_passage("x", "Short passage.", None) == "Short passage."


def test_judge_reads_text_and_logprobs() -> None:
    prompt = load_prompt(Settings(_env_file=None).prompts_dir, "verify_claim")
    assert LlmJudge(ScriptedChatModel(replies=["Yes."]), prompt, "fake").probability("c", "p") > 0.9
    assert LlmJudge(ScriptedChatModel(replies=["No"]), prompt, "fake").probability("c", "p") < 0.1
    assert LlmJudge(ScriptedChatModel(), prompt, "a").name != LlmJudge(ScriptedChatModel(), prompt, "b").name
    meta = {"logprobs": {"content": [{"top_logprobs": [{"token": "Yes", "logprob": -0.2231},
                                                       {"token": "No", "logprob": -1.6094}]}]}}
    assert abs(_logprob_yes(meta) - 0.8 / (0.8 + 0.2)) < 1e-3


def _model(answer: dict, ignored: frozenset[str] = frozenset()) -> ScriptedChatModel:
    """Answers with `answer`; as a judge, Yes when the claim's words (but `ignored`) are all in the passage."""
    def respond(messages: list[BaseMessage]) -> str:
        prompt = str(messages[-1].content)
        if "Is the claim fully supported" in prompt:
            passage = prompt.split("Passage:", 1)[1].split("\nClaim:", 1)[0].lower()
            claim = prompt.split("Claim:", 1)[1].split("\n", 1)[0].lower()
            words = set(re.findall(r"\w+", claim)) - ignored
            return "Yes" if words <= set(re.findall(r"\w+", passage)) else "No"
        return json.dumps(answer)
    return ScriptedChatModel(responder=respond)




def test_annotate_guarded_and_strict_modes(settings: Settings, seeds_copy: Path) -> None:
    probe = Service(settings, embeddings=HashingEmbeddings(), chat_model=_model({"sentences": []}))
    probe.ingest([seeds_copy])
    evidence = probe.ask("What did Zakharova say about the CSTO?", verify="off").evidence
    quote = next(e for e in evidence if "CSTO" in e.text)
    other = next(e for e in evidence if e.n != quote.n)
    answer = {"sentences": [
        {"text": quote.text, "citations": [quote.n]},                 # supported as cited
        {"text": quote.text, "citations": [other.n]},                 # supported only by re-citing
        {"text": "Zakharova praised NATO warmly.", "citations": [quote.n]},  # unsupported
    ]}
    service = Service(settings, embeddings=HashingEmbeddings(), chat_model=_model(answer))
    annotated = service.ask("What did Zakharova say about the CSTO?", verify="annotate")
    labels = [s.verdict.label for s in annotated.sentences]
    assert labels[0] == "supported" and "supported" not in labels[1:]
    assert not annotated.removed
    guarded = service.ask("What did Zakharova say about the CSTO?", verify="guarded")
    assert len(guarded.sentences) == 2 and not guarded.refused
    assert "re-cited" in guarded.sentences[1].flags and guarded.sentences[1].citations[0].n == quote.n
    assert all(s.verdict.label == "supported" for s in guarded.sentences)
    assert [r.text for r in guarded.removed] == ["Zakharova praised NATO warmly."]
    assert "NATO" in guarded.removed[0].reason  # the name check says why
    # strict: an answer that loses any sentence is refused whole, with what was removed.
    strict = service.ask("What did Zakharova say about the CSTO?", verify="strict")
    assert strict.refused and strict.sentences[-1].text == REFUSAL and len(strict.removed) == 1
    assert strict.related


def test_guarded_refuses_when_nothing_is_supported(settings: Settings, seeds_copy: Path) -> None:
    answer = {"sentences": [{"text": "Zakharova praised NATO warmly.", "citations": [1]}]}
    service = Service(settings, embeddings=HashingEmbeddings(), chat_model=_model(answer))
    service.ingest([seeds_copy])
    result = service.ask("What did Zakharova say about the CSTO?", verify="guarded")
    assert result.refused and result.sentences[-1].text == REFUSAL
    assert [r.text for r in result.removed] == ["Zakharova praised NATO warmly."]
    assert result.related and all(e.text for e in result.related)


def test_an_attribution_to_the_cited_source_is_judged_with_its_label(settings: Settings, seeds_copy: Path) -> None:
    """The answer prompt asks for "According to <source>, ..."; the judge must see that source's label,
    or the name check calls every attributed sentence unsupported."""
    probe = Service(settings, embeddings=HashingEmbeddings(), chat_model=_model({"sentences": []}))
    probe.ingest([seeds_copy])
    evidence = probe.ask("What did Zakharova say about the CSTO?", verify="off").evidence
    quote = next(e for e in evidence if "CSTO" in e.text)
    claim = f"According to {quote.source}, {quote.text[0].lower()}{quote.text[1:]}"
    service = Service(settings, embeddings=HashingEmbeddings(),
                      chat_model=_model({"sentences": [{"text": claim, "citations": [quote.n]}]},
                                        ignored=frozenset({"according", "to"})))
    verdict = service.ask("What did Zakharova say about the CSTO?", verify="annotate").sentences[0].verdict
    assert verdict is not None and verdict.label == "supported", verdict
