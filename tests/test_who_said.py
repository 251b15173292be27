"""'Who said ...?' questions: the lines stating what the question quotes, with the line naming the speaker."""

from __future__ import annotations

from collections.abc import Callable

from rag.chat_models import ScriptedChatModel
from rag.compare import thesis_question
from rag.service import Service
from rag.who_said import said_statement


def test_a_who_said_question_gives_what_it_quotes() -> None:
    assert said_statement("Who said Russia's role has no alternative?") == "Russia's role has no alternative"
    assert said_statement("who described russia as the main obstacle") == "russia as the main obstacle"
    assert said_statement("Who said what about Iran?") is None  # every source's view: a comparison
    assert said_statement("Who said it?") is None and said_statement("Who met Lavrov?") is None


def test_who_said_quotes_the_stating_line_with_its_speaker(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    """The probes were answered "According to the article 'Moscow Condemns ...'" and nothing after; now the
    lines are found by their words and quoted at their offsets, with the line that names a speaker the
    stating line only calls "the Russian FM spox"."""
    model = ScriptedChatModel(replies=[])  # no model call
    service = quoting_service(model)
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    galuzin = service.ask("Who said Russia's role has no alternative?")
    assert not galuzin.refused and not model.calls
    assert "Galuzin" in galuzin.sentences[0].text and "no alternative" in galuzin.sentences[0].text
    monitors = service.ask("Who called the EU monitors fake?")
    [sentence] = monitors.sentences
    assert "fake monitors" in sentence.text and "Zakharova" in sentence.text  # the naming line comes along
    for c in sentence.citations:
        assert texts[c.doc_id][c.start:c.end] == c.quote
    assert [e.n for e in monitors.evidence] == [c.n for c in sentence.citations]


def test_a_headline_can_be_what_was_said(quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    """An op-ed says its thesis in its headline, which is no body line: "Who described Russia as the main
    obstacle?" had been answered with an Alwaght line on Russia's borders."""
    model = ScriptedChatModel(replies=[])
    answer = quoting_service(model).ask("Who described Russia as the main obstacle?")
    assert not model.calls
    assert answer.sentences[0].text == ("Igor Chalenko writes: “Russia – main obstacle in negotiations between "
                                        "Armenia and Azerbaijan”")


def test_a_comparison_naming_one_source_and_nothing_it_says_is_asked_on_its_headline(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    """"Do the sources disagree with Chalenko?" (also a follow-up's "Does anyone disagree?") named no subject:
    every source was silent and the answer a refusal. It is now asked on Chalenko's headline, his thesis."""
    service = quoting_service(ScriptedChatModel(replies=[]))
    records = {r.id: r for r in service.store.list_documents()}
    text_of = {r.id: service.source(r.id).text for r in service.sources()}.__getitem__
    assert thesis_question("Do the sources disagree with Chalenko?", records, text_of) == (
        "Do the sources disagree with Chalenko that Russia – main obstacle in negotiations between Armenia and "
        "Azerbaijan?")
    assert thesis_question("Do the sources agree with Chalenko on Iran?", records, text_of) == \
        "Do the sources agree with Chalenko on Iran?"
