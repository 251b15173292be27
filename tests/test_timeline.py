"""Timeline questions in chat: the sources' dated lines in date order, quoted, no model call."""

from __future__ import annotations

from collections.abc import Callable

from rag.chat_models import ScriptedChatModel
from rag.dates import find_dates
from rag.service import Service
from rag.timeline import timeline_topic


def test_a_timeline_question_gives_what_it_is_a_timeline_of() -> None:
    assert timeline_topic("Give me a timeline of the events in the sources.") == set()
    assert timeline_topic("What is the chronology of the Lachin blockade?") == {"lachi", "block"}
    assert timeline_topic("timeline of Russian mediation according to Chalenko") == {"russi", "media"}
    assert timeline_topic("What happened in autumn 2020?") is None
    assert timeline_topic("What did Galuzin say about the timeline of the peace treaty?") is not None


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
    lachin = service.ask("What is the chronology of the Lachin blockade?")
    assert lachin.sentences and all("Lachin" in s.citations[0].quote for s in lachin.sentences)
    # A topic word nearly every dated line uses ("Russia") does not make a line about the topic.
    arms = service.ask("What is the chronology of Russia's arms exports to the region?")
    assert arms.sentences and all("exporter" in s.citations[0].quote for s in arms.sentences)
    none = service.ask("Give me a timeline of the Zangezor corridor according to Caucasus Watch")
    assert none.refused and none.sentences[0].text == "The sources give no dates for this."
