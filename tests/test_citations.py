"""Parsing model output into cited sentences, and the checks on those citations."""

from __future__ import annotations

import json
from collections.abc import Callable

from rag.chat_models import ScriptedChatModel
from rag.citations import check_quotes, parse_answer, partial_text, resolve_citations
from rag.prompts import REFUSAL
from rag.service import Service
from rag.types import Evidence

TEXT = "Alpha said the talks failed. Beta disagreed strongly. Gamma stayed silent."
EVIDENCE = [
    Evidence(n=1, doc_id="d", file_name="d.txt", title="D", source="Outlet", start=0, end=28, text=TEXT[0:28], score=1),
    Evidence(n=2, doc_id="d", file_name="d.txt", title="D", source="Outlet", start=29, end=52, text=TEXT[29:52],
             score=1),
]


def test_json_answer() -> None:
    raw = json.dumps({"sentences": [{"text": "Alpha says the talks failed.", "citations": [1]},
                                    {"text": "Beta disagrees.", "citations": [2, 2]}]})
    assert parse_answer(raw) == [("Alpha says the talks failed.", [1]), ("Beta disagrees.", [2])]


def test_truncated_json_is_repaired() -> None:
    raw = '{"sentences": [{"text": "Alpha says the talks failed.", "citations": [1]}, {"text": "Beta dis'
    assert parse_answer(raw) == [("Alpha says the talks failed.", [1]), ("Beta dis", [])]


def test_marker_fallback_and_inline_markers_in_json() -> None:
    assert parse_answer("Alpha says the talks failed [1]. Beta disagrees [2, 3].") == [
        ("Alpha says the talks failed.", [1]), ("Beta disagrees.", [2, 3])]
    raw = json.dumps({"sentences": [{"text": "Alpha says so [1].", "citations": []}]})
    assert parse_answer(raw) == [("Alpha says so.", [1])]


def test_unknown_citation_is_removed_and_uncited_flagged() -> None:
    sentences = resolve_citations([("Alpha says.", [1, 9]), ("Made up.", [])], EVIDENCE)
    assert [c.n for c in sentences[0].citations] == [1]
    assert "dropped-citation:9" in sentences[0].flags
    assert sentences[1].citations == () and "uncited" in sentences[1].flags


def test_refusal_sentence_is_recognised() -> None:
    sentences = resolve_citations([(REFUSAL.lower().rstrip("."), [])], EVIDENCE)
    assert sentences[0].flags == ("refusal",) and sentences[0].text == REFUSAL


def test_quotes_must_be_verbatim_at_their_offsets() -> None:
    sentences = resolve_citations([("Alpha says.", [1]), ("Beta disagrees.", [2])], EVIDENCE)
    assert check_quotes(sentences, {"d": TEXT}) == sentences
    tampered = TEXT.replace("Beta", "Zeta")
    checked = check_quotes(sentences, {"d": tampered})
    assert checked[0] == sentences[0]
    assert checked[1].citations == () and "quote-mismatch:2" in checked[1].flags


def test_partial_text_while_streaming() -> None:
    assert partial_text('{"sentences": [{"text": "Alpha sa') == "Alpha sa"
    assert partial_text('{"sentences": [{"text": "A \\u201cq\\u201d [1].", "citations": [1]}, {"text": "B') \
        == "A “q”. B"


def test_partial_plain_text_hides_markers_even_half_written() -> None:
    """A server answering in plain text (structured output off) streams `[n]` markers; none is shown."""
    assert partial_text("Russia sent 2,000 troops [1") == "Russia sent 2,000 troops"
    assert partial_text("Russia sent 2,000 troops [1, 2]. According to Alwaght") == \
        "Russia sent 2,000 troops. According to Alwaght"


def test_a_view_attributed_to_the_evidence_is_attributed_to_its_source() -> None:
    """"According to the evidence" reads as fact: the cited lines' source labels replace it (flagged)."""
    other = Evidence(n=3, doc_id="e", file_name="e.txt", title="E", source="Alwaght", start=0, end=5, text="Gamma",
                     score=1)
    sentences = resolve_citations([("According to the evidence, the talks failed.", [1]),
                                   ("According to the sources provided, Beta disagreed.", [2, 3]),
                                   ("According to Outlet, the talks failed.", [1]),
                                   ("According to the evidence, nothing is cited.", [])], [*EVIDENCE, other])
    assert sentences[0].text == "According to Outlet, the talks failed." and "source-named" in sentences[0].flags
    assert sentences[1].text == "According to Outlet and Alwaght, Beta disagreed."
    assert sentences[2].text == "According to Outlet, the talks failed." and "source-named" not in sentences[2].flags
    assert sentences[3].text == "According to the evidence, nothing is cited."


def test_an_answer_cut_at_any_character_never_shows_json_punctuation() -> None:
    """A reply cut off anywhere, escaped quotes included, is repaired or read as text, never shown raw."""
    raw = json.dumps({"sentences": [{"text": 'He called it "a dead end" and left.', "citations": [1]},
                                    {"text": "Moscow said \\ it \"won't\" wait.", "citations": [2, 3]}]})
    assert '\\"' in raw
    for cut in range(len(raw) + 1):
        for text, _ in parse_answer(raw[:cut]):
            assert not any(mark in text for mark in ('{"', '"text"', '"citations"', '"sentences"')), (cut, text)


def test_an_item_of_several_sentences_is_checked_sentence_by_sentence() -> None:
    """Each sentence of a model's item is its own claim with the item's citations; a quotation, a lower-case
    continuation after a closing quote and a short fragment are never cut off."""
    sentences = resolve_citations([("Alpha said the talks failed in May. The ministry blamed Beta for it.", [1]),
                                   ("He said: “We tried. We failed.” Nobody answered him then.", [2]),
                                   ("According to the article “Talks…” and Outlet, the talks failed.", [1]),
                                   ("It failed. Alpha said so.", [1])], EVIDENCE)
    texts = [s.text for s in sentences]
    assert texts[:4] == ["Alpha said the talks failed in May.", "The ministry blamed Beta for it.",
                         "He said: “We tried. We failed.”", "Nobody answered him then."]
    assert texts[4].startswith("According to ") and texts[4].endswith(", the talks failed.")  # one sentence
    assert texts[5:] == ["It failed. Alpha said so."]
    assert [[c.n for c in s.citations] for s in sentences[:4]] == [[1], [1], [2], [2]]
    # Each sentence keeps the item's lines it draws on (every line when it shares no word with any).
    split = resolve_citations([("Alpha said the talks failed. Beta disagreed strongly with Alpha then.", [1, 2]),
                               ("Alpha said the talks failed badly. Nobody knows anything more.", [1, 2])], EVIDENCE)
    assert [[c.n for c in s.citations] for s in split] == [[1], [2], [1], [1, 2]]


def test_a_bad_sentence_no_longer_removes_the_supported_one_beside_it(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    """The model put two sentences into one item and the first names a country no line names: the guard
    removes that one only, and the answer keeps the other (before, both went, and the answer was refused)."""
    reply = json.dumps({"sentences": [{"text": "Kazakhstan hosted the talks on Karabakh. Russia offers to mediate "
                                               "peace talks between Armenia and Azerbaijan.", "citations": [1]}]})
    service = quoting_service(ScriptedChatModel(replies=[reply]))
    answer = service.ask("What role does Russia play in the talks between Armenia and Azerbaijan?")
    assert not answer.refused
    assert [s.text for s in answer.sentences][-1].endswith("Russia offers to mediate peace talks between Armenia "
                                                            "and Azerbaijan.")
    assert [r.text for r in answer.removed] == ["Kazakhstan hosted the talks on Karabakh."]


def test_an_attribution_that_says_nothing_is_no_sentence() -> None:
    """The model wrote only "According to the article '<title>...'": nothing is claimed, so nothing is shown
    (it had been shown, as supported, as the whole answer)."""
    sentences = resolve_citations([("According to the article 'Talks Fail in Geneva...'", [1]),
                                   ("According to Outlet.", [1]), ("According to Outlet, Alpha said so.", [1])],
                                  EVIDENCE)
    assert [s.text for s in sentences] == ["According to Outlet, Alpha said so."]


def test_a_source_named_twice_in_a_sentence_is_named_once() -> None:
    """The model echoed the question's "according to Chalenko" after opening with the source's label."""
    chalenko = [Evidence(n=1, doc_id="c", file_name="c.txt", title="C", source="Igor Chalenko", start=0, end=5,
                         text="Russia – main obstacle", score=1)]
    sentences = resolve_citations([("According to Igor Chalenko, Russia is the main obstacle to peace according to "
                                    "Chalenko.", [1]),
                                   ("According to Igor Chalenko, Russia delays talks, according to Alwaght.", [1])],
                                  chalenko)
    assert [s.text for s in sentences] == [
        "According to Igor Chalenko, Russia is the main obstacle to peace.",
        "According to Igor Chalenko, Russia delays talks, according to Alwaght."]
