"""Multi-part questions: split into parts, a line of evidence for each, and a part left open is said so."""

from __future__ import annotations

import pytest

from rag.embeddings import HashingEmbeddings
from rag.evidence import select_evidence
from rag.parts import missing_parts, question_parts, unanswered_parts
from rag.types import AnswerSentence, Chunk, DocumentRecord, SearchHit


@pytest.mark.parametrize(("question", "parts"), [
    ("When did the talks start and how many rounds were held?",
     ["When did the talks start", "how many rounds were held"]),
    ("Which countries mediate, and which ones object?", ["Which countries mediate", "which ones object"]),
    ("Who blamed the United States and why?", ["Who blamed the United States", "why (blamed united state)"]),
    ("When and where did they meet Lavrov?", ["When (meet lavrov)", "where did they meet Lavrov"]),
    ("What did Lavrov offer; what did Pashinyan answer?", ["What did Lavrov offer", "what did Pashinyan answer"]),
    # One question: "and" between nouns, or a wh-word inside a clause, does not split it.
    ("What do Armenia and Azerbaijan want from Russia?", ["What do Armenia and Azerbaijan want from Russia?"]),
    ("How do the sources differ on what Russia wants?", ["How do the sources differ on what Russia wants?"]),
])
def test_a_question_is_split_at_a_conjunction_before_a_question_word(question: str, parts: list[str]) -> None:
    assert question_parts(question) == parts


def test_a_part_is_answered_by_a_sentence_on_its_own_subject_with_the_kind_of_fact_it_asks_for() -> None:
    parts = ["When did the talks start", "how many rounds were held"]
    assert unanswered_parts(parts, ["The talks started in March 2024.", "Five rounds were held in Moscow."]) == []
    # A sentence on the rounds without a number does not answer "how many".
    assert unanswered_parts(parts, ["The talks started in March 2024.", "The rounds were held in Moscow."]) == \
        ["how many rounds were held"]
    # "When" needs a date.
    assert unanswered_parts(parts, ["The talks started after a long pause.", "Five rounds were held."]) == \
        ["When did the talks start"]
    assert unanswered_parts(["Who mediates?"], []) == []  # a one-part question is the refusal's business


def test_an_open_part_becomes_a_sentence_flagged_like_a_refusal() -> None:
    parts = ["Who mediates the talks", "how many rounds were held"]
    said = [AnswerSentence(text="Russia mediates the talks.")]
    [extra] = missing_parts(parts, said)
    assert "how many rounds were held" in extra.text and {"refusal", "unanswered-part"} <= set(extra.flags)
    assert not extra.citations


TEXT = ("The talks between the two foreign ministers started in Moscow in March 2024 after a long pause. "
        "The ministers praised the hosts and the talks and the venue in Moscow at length. "
        "The talks in Moscow were long, the ministers said, and the talks were difficult. "
        "Officials counted five rounds of negotiations before the summer recess.")


def test_each_part_gets_its_best_line_whatever_the_margin() -> None:
    chunk = Chunk(id="c1", doc_id="d1", index=0, start=0, end=len(TEXT), text=TEXT)
    hits = [SearchHit(chunk=chunk, file_name="a.txt", title="T", score=1.0)]
    records = {"d1": DocumentRecord(id="d1", file_name="a.txt", paths=("a.txt",), title="T", outlet="Outlet",
                                    format="txt", chars=len(TEXT), chunks=1, pipeline="p", ingested_at="2026-12-02")}
    question = "When did the talks in Moscow start and how many rounds of negotiations were counted?"
    whole = select_evidence(question, hits, HashingEmbeddings(), records, max_sentences=1, max_chars=2000,
                            margin=0.01)
    split = select_evidence(question, hits, HashingEmbeddings(), records, max_sentences=3, max_chars=2000,
                            margin=0.01, parts=question_parts(question))
    assert len(whole) == 1
    texts = " ".join(e.text for e in split)
    assert "March 2024" in texts and "five rounds" in texts


def test_evidence_is_chosen_for_what_is_asked_not_for_the_words_that_designate_the_source() -> None:
    from rag.parts import evidence_parts, without_designation

    assert without_designation("Why did Russia deploy troops, according to Chalenko?") == \
        "Why did Russia deploy troops?"
    assert without_designation("In the piece about Moscow condemning U.S. involvement, what role does the U.S. play?") \
        == "what role does the U.S. play?"
    assert without_designation("What did the sources say, per the Lavrov explainer?") == "What did the sources say?"
    # Places and people that are the question's subject stay.
    assert without_designation("What did Lavrov discuss in Moscow?") == "What did Lavrov discuss in Moscow?"
    assert without_designation("According to Alwaght?") == "According to Alwaght?"  # nothing would be left
    assert evidence_parts("What did Lavrov discuss in Moscow?") == []  # one part, nothing designated
    assert evidence_parts("Who blocked the Lachin crossing, according to Alwaght?") == \
        ["Who blocked the Lachin crossing?"]
    assert evidence_parts("According to Alwaght, who blocked the crossing and how many people does it affect?") == \
        ["who blocked the crossing", "how many people does it affect (blocked crossing)"]
