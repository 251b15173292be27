"""Evidence selection: what may be evidence, how a source is labelled, and the relevance margin."""

from __future__ import annotations

import pytest

from rag.embeddings import HashingEmbeddings
from rag.evidence import is_evidence, refers_back, select_evidence, source_label
from rag.types import Chunk, DocumentRecord, SearchHit


def _record(title: str, outlet: str | None = None, author: str | None = None) -> DocumentRecord:
    return DocumentRecord(id="d1", file_name="a.txt", paths=("a.txt",), title=title, outlet=outlet, author=author,
                          format="txt", chars=100, chunks=1, pipeline="p", ingested_at="2026-11-30")


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Russia deployed 2,000 troops to Karabakh in autumn 2020.", True),
    # 15 words or more, unpunctuated: a sentence cut short
    ("Zakharova said the EU mission in Armenia was a fake and that its monitors should leave the country", True),
    ("Influence of the Russo-Ukrainian War", False),  # a subheading
    ("How has the Russo-Ukrainian War affected the region?", False),  # a question states nothing
    ("By Igor Chalenko", False),  # debris
])
def test_headings_questions_and_debris_are_not_evidence(sentence: str, expected: bool) -> None:
    assert is_evidence(sentence) is expected


def test_a_source_is_labelled_by_outlet_then_author_then_as_the_article_its_headline_names() -> None:
    assert source_label(_record("Any title", outlet="Caucasus Watch", author="A. Writer")) == "Caucasus Watch"
    assert source_label(_record("Any title", author="Igor Chalenko")) == "Igor Chalenko"
    # A headline is never presented as a publisher: "the article '...'", cut marked with an ellipsis.
    assert source_label(_record("Russia Steps In: Lavrov Offers to Mend Armenia-Azerbaijan Ties")) == \
        "the article “Russia Steps In…”"
    assert source_label(_record("Moscow accuses Washington - a report")) == "the article “Moscow accuses Washington…”"
    assert source_label(_record("One two three four five six seven eight")) == \
        "the article “One two three four five six…”"
    assert source_label(_record("Short headline")) == "the article “Short headline”"
    assert source_label(None) == "unknown source"


def _hits(text: str) -> list[SearchHit]:
    chunk = Chunk(id="c1", doc_id="d1", index=0, start=0, end=len(text), text=text)
    return [SearchHit(chunk=chunk, file_name="a.txt", title="T", score=1.0)]


TEXT = ("Lavrov met Bayramov in Moscow on Tuesday to discuss the peace treaty. "
        "Lavrov and Bayramov discussed the peace treaty text in Moscow for hours. "
        "The talks in Moscow covered the border commission and the peace treaty. "
        "Separately, the weather in Baku was mild and sunny for the whole week. "
        "Farmers near Ganja reported a good harvest of grapes and pomegranates this year.")


def test_the_margin_keeps_the_best_sentences_and_drops_the_distant_ones() -> None:
    question = "What did Lavrov and Bayramov discuss in Moscow about the peace treaty?"
    records = {"d1": _record("T", outlet="Outlet")}
    embeddings = HashingEmbeddings()
    full = select_evidence(question, _hits(TEXT), embeddings, records, max_sentences=8, max_chars=2000)
    assert len(full) == 5  # no margin: the budget's worth, weather and harvest included
    narrow = select_evidence(question, _hits(TEXT), embeddings, records, max_sentences=8, max_chars=2000,
                             min_sentences=2, margin=0.1)
    best = max(e.score for e in full)
    assert 2 <= len(narrow) < len(full)
    assert all(e.score >= best - 0.1 for e in sorted(narrow, key=lambda e: -e.score)[2:])
    assert not any("harvest" in e.text for e in narrow)


CONTEXT = ("Galuzin emphasized that Russia is assisting in various aspects related to signing a peace treaty. "
           "He also mentioned that the Russian side possesses the necessary materials for delimiting the border. "
           "Separately, the weather in Baku was mild and sunny for the whole week. "
           "Farmers near Ganja reported a good harvest of grapes and pomegranates this year. "
           "Officials said the border crossing would reopen for trucks carrying grapes next month.")


def test_a_sentence_that_refers_back_is_scored_with_and_shown_with_the_sentence_it_refers_to() -> None:
    """"He also mentioned ..." names Galuzin only through the sentence before it: scored with that sentence,
    it wins over a sentence that merely shares 'border', and that sentence comes with it so the model knows
    who "he" is. The quote cited stays the sentence itself."""
    question = "What did Galuzin say about materials for delimiting the border?"
    records = {"d1": _record("T", outlet="Outlet")}
    picked = select_evidence(question, _hits(CONTEXT), HashingEmbeddings(), records, max_sentences=1,
                             max_chars=2000)
    texts = [e.text for e in picked]
    assert texts[0].startswith("Galuzin emphasized") and texts[1].startswith("He also mentioned")
    assert len(picked) == 2 and all(CONTEXT[e.start:e.end] == e.text for e in picked)
    assert refers_back("He also mentioned that ...") and refers_back("The ministry cautioned that ...")
    assert not refers_back("Galuzin said ...") and not refers_back("Theirs was a long week.")
