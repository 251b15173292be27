"""Timeline questions in chat: the sources' dated lines in date order, quoted, no model call."""

from __future__ import annotations

from collections.abc import Callable

from rag.chat_models import ScriptedChatModel
from rag.dates import find_dates
from rag.service import Service
from rag.timeline import asked_date, timeline_topic


def test_a_timeline_question_gives_what_it_is_a_timeline_of() -> None:
    assert timeline_topic("Give me a timeline of the events in the sources.") == set()
    assert timeline_topic("What is the chronology of the Lachin blockade?") == {"lachi", "block"}
    assert timeline_topic("timeline of Russian mediation according to Chalenko") == {"russi", "media"}
    assert timeline_topic("What happened in autumn 2020?") is None
    assert timeline_topic("What did Galuzin say about the timeline of the peace treaty?") is not None


def _every_quote_has(service: Service, question: str, word: str) -> bool:
    """The answer quotes at least one line, and every line it quotes has `word`."""
    answer = service.ask(question)
    return bool(answer.sentences) and all(word in s.citations[0].quote for s in answer.sentences)


def test_a_timeline_quotes_dated_lines_of_every_source_in_date_order(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    model = ScriptedChatModel(replies=[])  # no model call
    service = quoting_service(model)
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    answer = service.ask("Give me a timeline of the events in the sources.")
    assert not answer.refused and not model.calls
    keys = []
    for sentence in answer.sentences:
        (c,) = sentence.citations
        when, _, rest = sentence.text.partition(": ")
        assert "timeline" in sentence.flags and texts[c.doc_id][c.start:c.end] == c.quote and c.quote in rest
        keys.append(dict(find_dates(c.quote))[when])
    assert keys == sorted(keys)  # every seed with a year is heard (000 gives none)
    assert len({c.doc_id for s in answer.sentences for c in s.citations}) == 4
    assert _every_quote_has(service, "What is the chronology of the Lachin blockade?", "Lachin")
    # A topic word nearly every dated line uses ("Russia") does not make a line about the topic.
    assert _every_quote_has(service, "What is the chronology of Russia's arms exports to the region?", "exporter")
    none = service.ask("Give me a timeline of the Zangezor corridor according to Caucasus Watch")
    assert none.refused and none.sentences[0].text == "The sources give no dates for this."


def test_what_happened_on_a_date_quotes_the_lines_of_that_date(
        quoting_service: Callable[[ScriptedChatModel], Service]) -> None:
    """"What happened on May 19?" is answered from every text's lines dated May 19 (a year stated or not),
    quoted and led by their date; a date no line gives is said to be missing. It had been refused."""
    assert asked_date("What happened on May 19?") == (("May 19", "9999-05-19"), set())
    assert asked_date("Which events took place in 2016?") == (("2016", "2016-00-00"), set())
    assert asked_date("What happened to the peacekeepers in 2020?") == (("2020", "2020-00-00"), {"peace"})
    assert asked_date("What did Lavrov say on May 19?") is None and asked_date("What happened?") is None
    model = ScriptedChatModel(replies=[])  # no model call
    service = quoting_service(model)
    may = service.ask("What happened on May 19?")
    assert not may.refused and not model.calls and may.sentences
    assert all(s.text.startswith("May 19: ") and "May 19" in s.citations[0].quote for s in may.sentences)
    assert _every_quote_has(service, "What happened in 2016?", "2016")
    assert _every_quote_has(service, "What happened to the Russian troops in 2020?", "troops")
    none = service.ask("What happened on March 3, 2021?")
    assert none.refused and none.sentences[0].text == "The sources report nothing dated March 3, 2021."
