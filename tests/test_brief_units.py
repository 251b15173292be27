"""Pure parts of the briefing: speakers, attribution, figures and dates, stance parsing, boilerplate."""

from __future__ import annotations

import json
import threading
import time

from rag.brief.attribution import attribute, find_speakers, quote_sentence, speaker_in
from rag.brief.digest import digest_documents
from rag.brief.facts import find_figures
from rag.brief.group import citation_for, parse_stance
from rag.brief.scope import boilerplate_reason
from rag.brief.types import ScopedDocument, SourceDoc
from rag.chat_models import ScriptedChatModel
from rag.config import REPO_ROOT
from rag.dates import find_dates
from rag.prompts import load_prompt
from rag.types import Evidence

CW = SourceDoc(doc_id="d1", file_name="003.txt", title="Russia Affirms Key Role", outlet="Caucasus Watch",
               label="Caucasus Watch", kind="outlet")
AUTHOR = SourceDoc(doc_id="d2", file_name="004.txt", title="Russia – main obstacle", author="Igor Chalenko",
                   label="Igor Chalenko", kind="author")


def _evidence(texts: list[str], doc_id: str = "d1") -> list[Evidence]:
    out, at = [], 0
    for n, text in enumerate(texts, start=1):
        out.append(Evidence(n=n, doc_id=doc_id, file_name="f.txt", title="t", source="s", start=at,
                            end=at + len(text), text=text, score=0.0))
        at += len(text) + 1
    return out


def test_speakers_follow_pronouns_back_to_the_named_person() -> None:
    sentences = _evidence([
        "Russia’s Deputy Minister of Foreign Affairs, Mikhail Galuzin, emphasized that Russia’s role has no "
        "alternative.",
        "He also mentioned that the Russian side possesses the necessary materials.",
        "“Under the auspices of Russia, the foundations were established,” the Russian official noted.",
        "Maria Zakharova, the official spokesperson of the Russian Ministry of Foreign Affairs, highlighted the CSTO.",
        "According to the Stockholm International Peace Research Institute (SIPRI), Russia accounted for 94 per cent.",
    ])
    speakers = find_speakers(sentences)
    assert speakers[1] == ("Mikhail Galuzin", 1)
    assert speakers[2] == ("Mikhail Galuzin", 1) and speakers[3] == ("Mikhail Galuzin", 1)
    assert speakers[4] == ("Maria Zakharova", 4)
    assert speakers[5][0] == "Stockholm International Peace Research Institute"
    assert speaker_in("Moscow has openly criticized the United States.") == ("Moscow", False)
    assert speaker_in("The two neighbours have been at odds for ages.") == (None, False)


def test_attribution_never_states_a_claim_as_plain_fact() -> None:
    assert attribute("Russia's role has no alternative.", CW, "Mikhail Galuzin") == \
        "According to Caucasus Watch, Mikhail Galuzin said Russia's role has no alternative."
    assert attribute("Galuzin said Russia helps", CW, "Mikhail Galuzin") == \
        "According to Caucasus Watch, Galuzin said Russia helps."
    assert attribute("The Kremlin delays the talks", AUTHOR, None) == \
        "Igor Chalenko writes that the Kremlin delays the talks."
    both = attribute("Russia mediates", CW, None, [AUTHOR])
    assert both == "According to Caucasus Watch and Igor Chalenko, Russia mediates."
    assert quote_sentence(AUTHOR, "Russia deployed troops.") == "Igor Chalenko writes: “Russia deployed troops.”"
    assert quote_sentence(CW, "He also mentioned the maps.", "Mikhail Galuzin").startswith(
        "Caucasus Watch reports Mikhail Galuzin as saying")


def test_figures_and_dates_by_rules() -> None:
    text = ("In autumn 2020 Russia deployed 2000 troops; since December 2022 the Lachin crossing is blocked for "
            "120,000 Armenians, and on May 19 the sides recognised 86,000 square kilometers. Russia 24 aired it in "
            "the 1990s; 94 per cent of arms came from Russia in 2011-2020.")
    assert find_figures(text) == ["2000 troops", "120,000 Armenians", "86,000 square kilometers", "94 per cent"]
    dates = dict(find_dates(text))
    assert dates["autumn 2020"] == "2020-10-00" and dates["December 2022"] == "2022-12-00"
    assert dates["May 19"] == "9999-05-19" and dates["2011-2020"] == "2011-00-00"
    assert "2000" not in dates


def test_stance_and_boilerplate() -> None:
    assert parse_stance("Contradict.") == "disputes" and parse_stance("agree") == "asserts"
    assert parse_stance("I think neither") == "silent"
    assert boilerplate_reason("Party | Role in Negotiations | Current Stance") == "table"
    assert boilerplate_reason("What is Russia’s role in Armenia and Azerbaijan’s relationship?") == "question"
    assert boilerplate_reason("Implications for Regional Stability and Russia’s Strategic Interests") == "heading"
    assert boilerplate_reason("Igor Chalenko is an Ukrainian political scientist who heads the Centre.") == \
        "author-box"
    assert boilerplate_reason("Galuzin remarked on the ongoing process of settling the conflict.") is None


def test_short_quotes_stay_verbatim() -> None:
    (e,) = _evidence(["one two three four five six seven eight nine ten"])
    c = citation_for(e, 4)
    assert c.quote == "one two three four" and e.text[: c.end - c.start] == c.quote


def test_remote_map_stage_runs_concurrently_and_keeps_order() -> None:
    running, peak, lock = [0], [0], threading.Lock()

    def responder(messages) -> str:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        n = str(messages[-1].content).split("[", 1)[1].split("]", 1)[0]
        return json.dumps({"claims": [{"who": "", "claim": "a claim", "sentences": [int(n)]}]})

    docs = []
    for i in range(4):
        doc = SourceDoc(doc_id=f"d{i}", file_name=f"{i}.txt", title=f"T{i}", label=f"Outlet {i}", kind="outlet")
        sentences = tuple(_evidence([f"Sentence {i} says something quite specific here."], f"d{i}"))
        docs.append(ScopedDocument(doc=doc, sentences=sentences, digest_sentences=(1,)))
    prompt = load_prompt(REPO_ROOT / "prompts", "brief_digest")
    digests = digest_documents(docs, ScriptedChatModel(responder=responder), prompt, structured={}, max_tokens=50,
                               concurrency=4)
    assert [d.doc_id for d in digests] == ["d0", "d1", "d2", "d3"] and peak[0] > 1
    sequential = digest_documents(docs, ScriptedChatModel(responder=responder), prompt, structured={},
                                  max_tokens=50)
    assert [d.claims[0].text for d in sequential] == ["a claim"] * 4
