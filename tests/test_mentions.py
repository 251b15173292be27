"""Questions about what the sources mention: read off every whole text, answered by quoting the mentions."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rag.chat_models import ScriptedChatModel
from rag.mentions import mention_subject
from rag.service import Service


@pytest.mark.parametrize("question, subject, who", [
    ("Is Israel mentioned anywhere in the sources?", "Israel", ""),
    ("are sanctions mentioned at all?", "sanctions", ""),
    ("Do any of the articles mention Stepanakert?", "Stepanakert", "any of the articles"),
    ("Does Alwaght mention the CSTO?", "CSTO", "Alwaght"),
    ("Which articles talk about sanctions?", "sanctions", ""),
    ("Is there any mention of the OSCE Minsk Group?", "OSCE Minsk Group", ""),
])
def test_a_mention_question_gives_its_subject_and_whom_it_asks(question: str, subject: str, who: str) -> None:
    mention = mention_subject(question)
    assert mention is not None and (mention.subject, mention.who) == (subject, who)


def test_a_question_about_what_a_person_mentioned_or_anything_else_is_no_mention_question() -> None:
    lavrov = mention_subject("Did Lavrov mention confidence-building measures?")
    assert lavrov is not None and not lavrov.asks_sources(designated=False)  # what Lavrov said: the usual path
    assert lavrov.asks_sources(designated=True)  # had "Lavrov" been an outlet or author of the collection
    for question in ("Was Erdogan named as a mediator?", "What did Lavrov say about Turkey?",
                     "Why is Israel mentioned by Alwaght as a partner of Azerbaijan?"):
        assert mention_subject(question) is None, question


def test_a_mention_is_found_in_any_form_of_its_words() -> None:
    sanctions = mention_subject("Which articles talk about sanctions?")
    csto = mention_subject("Is the CSTO mentioned?")
    assert sanctions is not None and csto is not None
    assert sanctions.in_line("Armenia is the largest hub for supplies of sanctioned goods.")
    assert not sanctions.in_line("Armenia is the largest hub for supplies of goods.")
    against = mention_subject("Do the sources discuss sanctions against Russia?")
    assert against is not None and against.words == ("sanction",)
    assert not against.in_line("Russia has been a key player in the conflict for decades.")  # no sanctions
    assert against.in_line("Russia's actions in Ukraine have drawn global attention, leading to sanctions.")
    assert against.in_line("Russia has been a key player in the conflict for decades.", names_only=True)
    # A dotted acronym is a name, not the words "u" and "s", and only an acronym or its spelling names it.
    us = mention_subject("Is the U.S. mentioned?")
    assert us is not None and us.words == ()
    assert us.in_line("Moscow condemned U.S. involvement.") and us.in_line("The United States seeks a role.")
    assert not us.in_line("Let us see what the talks bring.")
    assert csto.in_line("Armenia benefits from the Collective Security Treaty Organization guarantees.")
    assert not csto.in_line("Armenia benefits from security guarantees.")


def test_a_mention_question_quotes_every_source_that_mentions_it_and_names_the_others(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    model = ScriptedChatModel(replies=[])  # no model call: the mentions are read off the texts
    service = quoting_service(model)
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    answer = service.ask("Which articles talk about sanctions?")
    assert not answer.refused and not model.calls
    assert len(answer.sentences) == 2 and len(answer.silent) == 3  # the explainer and Chalenko; three silent
    for sentence in answer.sentences:
        (c,) = sentence.citations
        assert "mention" in sentence.flags and texts[c.doc_id][c.start:c.end] == c.quote and c.quote in sentence.text
        assert "sanction" in c.quote.lower()


def test_a_source_that_never_mentions_it_is_said_so(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    model = ScriptedChatModel(replies=[])
    service = quoting_service(model)
    answer = service.ask("Does Alwaght mention the CSTO?")  # Caucasus Watch and the explainer do; Alwaght never
    assert answer.refused and not model.calls
    assert answer.sentences[0].text == "Alwaght does not mention CSTO."
    assert service.ask("Do any of the articles mention Stepanakert?").sentences[0].text == \
        "The sources do not mention Stepanakert."
