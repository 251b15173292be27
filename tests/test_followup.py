"""Follow-ups made stand-alone: the elliptical forms by rule, the model's rewrite checked."""

from __future__ import annotations

import pytest

from rag.followup import checked_rewrite, rule_rewrite, topic_question
from rag.types import ChatTurn

HISTORY = [ChatTurn(role="user", content="What did Galuzin say about Russia's role in the talks?"),
           ChatTurn(role="assistant", content="According to Caucasus Watch, Galuzin said it has no alternative.")]


@pytest.mark.parametrize("question, expected", [
    ("And what about Zakharova?", "What did Zakharova say about Russia's role in the talks?"),
    ("How about Alwaght?", "What did Alwaght say about Russia's role in the talks?"),
    ("And Chalenko?", "What did Chalenko say about Russia's role in the talks?"),
    ("What about the ceasefire?", "What did Galuzin say about Russia's role in the talks, regarding the ceasefire?"),
    ("Does Chalenko agree?", "Do Chalenko and Galuzin agree on Russia's role in the talks?"),
    ("does Alwaght disagree with that?", "Do Alwaght and Galuzin disagree on Russia's role in the talks?"),
    # "Does anyone disagree?" sets the sources against the one asked before (2026-12-04 probe: "Do anyone and
    # Chalenko disagree on the Chalenko piece?").
    ("Does anyone disagree?", "Do the sources disagree with Galuzin on Russia's role in the talks?"),
    ("do any of the other outlets agree with that?", "Do the sources agree with Galuzin on Russia's role in the "
                                                      "talks?"),
])
def test_elliptical_follow_ups_are_rewritten_from_the_previous_question(question: str, expected: str) -> None:
    assert rule_rewrite(question, HISTORY) == expected


def test_and_x_replaces_the_name_of_xs_kind_a_source_or_what_the_source_is_asked_about() -> None:
    # 2026-12-04 probe: "And Iran?" after "What does Alwaght say about Turkey?" became "What does Iran say about
    # Turkey?".
    history = [ChatTurn(role="user", content="What does Alwaght say about Turkey?")]
    sources = {"Alwaght", "Chalenko", "Igor Chalenko"}
    assert rule_rewrite("And Iran?", history, sources.__contains__) == "What does Alwaght say about Iran?"
    assert rule_rewrite("And Chalenko?", history, sources.__contains__) == "What does Chalenko say about Turkey?"
    # A source asked what a person was asked: the person's question, asked of the source.
    assert rule_rewrite("How about Alwaght?", HISTORY, sources.__contains__) == \
        "What did Alwaght say about Russia's role in the talks?"


def test_other_follow_ups_and_first_questions_are_left_to_the_model() -> None:
    assert rule_rewrite("Why does he think so?", HISTORY) is None
    assert rule_rewrite("And what about Zakharova?", []) is None


def test_a_rewrite_that_drops_the_new_name_or_repeats_the_last_question_is_not_used() -> None:
    previous = HISTORY[0].content
    # the model answered "And what did Zakharova say?" with the Galuzin question itself
    assert checked_rewrite("And what did Zakharova say?", previous, HISTORY) == \
        f"And what did Zakharova say? ({previous})"
    assert checked_rewrite("And what did Zakharova say?", "What did Zakharova say about the talks?", HISTORY) == \
        "What did Zakharova say about the talks?"
    assert checked_rewrite("Why does he think so?", "Why does Galuzin think Russia's role has no alternative?",
                           HISTORY) == "Why does Galuzin think Russia's role has no alternative?"


def test_a_bare_topic_is_asked_as_what_the_sources_say_about_it() -> None:
    # 2026-12-04 probe: "Lachin crossing?" was refused.
    assert topic_question("Lachin crossing?") == "What do the sources say about Lachin crossing?"
    assert topic_question("Russian peacekeepers") == "What do the sources say about Russian peacekeepers?"
    for question in ("What about Iran?", "Is it true?", "Summarize Alwaght", "thanks!", "ok",
                     "Russia deployed troops in 2020 to Karabakh", "Who is Chalenko?"):
        assert topic_question(question) == question, question
