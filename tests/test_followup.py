"""Follow-ups made stand-alone: the elliptical forms by rule, the model's rewrite checked."""

from __future__ import annotations

import pytest

from rag.followup import checked_rewrite, rule_rewrite
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
])
def test_elliptical_follow_ups_are_rewritten_from_the_previous_question(question: str, expected: str) -> None:
    assert rule_rewrite(question, HISTORY) == expected


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
