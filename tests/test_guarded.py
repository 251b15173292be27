"""Guarded answers: the gates before generation, the premise check, and acting on the verifier after it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from rag.chat_models import ScriptedChatModel
from rag.citations import resolve_citations
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.evidence import is_author_box
from rag.gates import (
    asks_thesis,
    check_answerable,
    is_comparative,
    off_question,
    polar_names,
    question_terms,
    speech_topic,
)
from rag.premise import holder_lines, premise_conflicts, presupposition
from rag.prompts import REFUSAL
from rag.render import answer_markdown
from rag.service import Service
from rag.types import AnswerSentence, Evidence
from rag.verify.verifier import Calibration, Verifier

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}
LABELS = ["Alwaght", "Caucasus Watch", "Igor Chalenko"]


def _gate(question: str):  # type: ignore[no-untyped-def]
    return check_answerable(question, list(DOCS.values()), DOCS, LABELS)


# --- answerability gates (pure) ------------------------------------------------------------------
@pytest.mark.parametrize("question, kind, named", [
    ("Who won the 2022 FIFA World Cup?", "missing", "FIFA World Cup"),
    ("How did the U.S. State Department respond to Moscow?", "missing", "State Department"),
    ("Why did Russia deploy 5,000 peacekeepers to Karabakh?", "missing", "5,000"),
    ("What did Maria Zakharova say about U.S. involvement in the talks?", "unlinked", "U.S."),
    ("Why did Sergey Lavrov tell Russia 24 that Russia's role has no alternative?", "unlinked", "Russia 24"),
    ("How many votes did Pashinyan's party win in the 2021 election?", "answer-type", "votes"),
    ("How much natural gas did Azerbaijan export to the EU?", "answer-type", "natural gas"),
    # "people" counts any group, but what happened to them is the subject: "2000 troops deployed" is no answer.
    ("How many people died in the 2020 Karabakh war?", "answer-type", "how many people died in the 2020 Karabakh"),
    # Named, never heard: Erdogan and Mirzoyan are mentioned, nothing they said is reported.
    ("What did Erdogan say about Lavrov's offer to mediate?", "answer-type", "Erdogan"),
    ("How did Ararat Mirzoyan react to his talks with Lavrov?", "answer-type", "Ararat Mirzoyan"),
    # Heard, never on what the question asks about (2026-12-04 probe: answered with Pashinyan's Brussels words).
    ("What did Pashinyan say about the CSTO?", "answer-type", "the CSTO"),
])
def test_a_question_the_sources_cannot_answer_is_stopped_and_says_what_is_missing(
        question: str, kind: str, named: str) -> None:
    gate = _gate(question)
    assert gate is not None and gate.kind == kind
    assert named in gate.message and named.removeprefix("how many ") in " ".join(gate.missing)


@pytest.mark.parametrize("question", [
    "What role does Russia play, according to the sources?",  # generic words: role, say, sources
    "What did the United States promote, and how does Moscow view it?",  # U.S. in the text: an alias
    "How many troops did Russia deploy in autumn 2020, according to Igor Chalenko?",  # "2000 troops"
    "According to Alwaght, who has blocked the Lachin crossing, since when, and how many people does it affect?",
    "How do Alwaght and Chalenko differ in portraying Iran's role?",  # comparative: names in two documents
    "What did Pashinyan say about his talks with Aliyev and Charles Michel in Brussels?",
    "Since when has Russia acted as a mediator in the Armenia-Azerbaijan conflict?",
    "What Did Lavrov Say About Confidence-Building Measures?",  # title case: capitals are no names
    "What did Zakharova say about the European Union mission?",  # heard: "Zakharova ... highlighted ..."
    "What did the Russian foreign ministry say about the peacekeepers?",  # a body, not a person
    "What did Chalenko say about Iran?",  # an author: the piece is his words
    "What was Galuzin's response to Armenia's Western turn?",  # heard through "the diplomat expressed hope"
    "How big is Azerbaijan according to the recognition in Moscow?",  # "big" asks for a size, is no subject
])
def test_an_answerable_question_passes_the_gates(question: str) -> None:
    assert _gate(question) is None


def test_when_will_asks_for_a_date_yet_to_come() -> None:
    # 2026-12-04 probe: "When will the peace treaty be signed?" passed on "In late 2023, ... negotiations to
    # finalize a peace agreement" and the model wrote "The peace treaty will be signed according to ...".
    gate = _gate("When will the peace treaty between Armenia and Azerbaijan be signed?")
    assert gate is not None and gate.kind == "answer-type" and "when this will happen" in gate.message
    scheduled = ["The peace treaty between Armenia and Azerbaijan will be signed in March 2026, officials said."]
    question = "When will the peace treaty between Armenia and Azerbaijan be signed?"
    assert check_answerable(question, scheduled, {"x": scheduled[0]}, LABELS) is None
    assert _gate("When was the peace treaty between Armenia and Azerbaijan discussed in Moscow?") is None


def test_a_person_is_heard_only_where_a_line_has_them_speak() -> None:
    from rag.gates import _unheard

    question = "What did Anna Berg say about the harbour?"
    mentioned = "The council met Anna Berg on Monday. The harbour wall will be rebuilt next year."
    assert _unheard(question, [mentioned], []) is not None
    for heard in ("The council met Anna Berg on Monday. Berg said the harbour wall would be rebuilt.",
                  "Anna Berg, the harbour master, spoke first. She added that the wall would be rebuilt.",
                  "According to Anna Berg, the harbour wall will be rebuilt."):
        assert _unheard(question, [mentioned, heard], []) is None, heard
    assert _unheard(question, [mentioned], ["Anna Berg"]) is None  # the author of a piece in the collection


def test_comparative_questions_are_recognised_in_both_directions() -> None:
    assert is_comparative("How do the sources differ on Russia's role?")
    assert is_comparative("Do the outlets agree on whether Washington helps?")
    assert is_comparative("How do Alwaght and Zakharova portray the EU mission?")
    assert not is_comparative("What did Blinken agree with Aliyev in Washington?")
    assert not is_comparative("What did Galuzin say about Russia's role?")
    # Asked of the authors or pieces rather than "the sources" (written as users ask, 2026-12-02).
    assert is_comparative("what do the different authors think about russian peacekeepers?")
    assert is_comparative("What does each author argue about the ceasefire?")
    assert is_comparative("Do the various reports agree on the number of casualties?")
    assert is_comparative("Do Chalenko and Galuzin agree on Russia's role in the talks?")
    assert not is_comparative("Did Aliyev and Pashinyan agree to meet in Brussels?")
    assert not is_comparative("Do Aliyev and Pashinyan agree to meet again?")
    assert not is_comparative("What did the author say about the ceasefire?")
    assert not is_comparative("What do other countries think of the ceasefire?")
    # One source comparing two things is asked of that source (2026-12-04 probes); sources set against each
    # other by "who ... and who ..." or asked "who blames ..." are compared.
    assert not is_comparative("Which regions does Chalenko compare Karabakh with?")
    assert not is_comparative("Did Alwaght compare Russia's role to Turkey's?")
    assert is_comparative("How does Alwaght's account compare with Chalenko's?")
    assert is_comparative("Compare how Alwaght and Caucasus Watch present Moscow's mediation.")
    assert is_comparative("Who thinks Russia is the problem and who thinks it is the solution?")
    assert is_comparative("Who blames Russia for the stalled talks?")
    assert not is_comparative("Who is Jeyhun Bayramov and who does he work for?")
    assert not is_comparative("Who met Lavrov on Tuesday and what did they discuss?")
    # "Which source is most ...?" ranks the sources: each one's lines are needed (2026-12-04 probes).
    assert is_comparative("Which source is most critical of Russia?")
    assert is_comparative("which of the outlets is more sympathetic to Baku")
    assert not is_comparative("Which source is Alwaght?")
    assert not is_comparative("Which country is most affected by the blockade?")


def test_a_comparison_is_about_the_names_it_asks_about_not_the_collections_common_subject() -> None:
    from rag.compare import _focus_names, _mentions
    from rag.verify.checks import PassageNames

    records = {name: None for name in DOCS}
    focus = _focus_names("How do the articles differ in describing the US role towards Russia and Iran?",
                         records, lambda name: PassageNames(DOCS[name]), set())  # type: ignore[arg-type]
    assert {w for w, _ in focus} == {"US", "Iran"}  # every seed mentions Russia
    assert _mentions("The U.S. is attempting to force its own agenda.", focus)
    assert _mentions("Moscow has accused the United States of attempting to undermine its role.", focus)
    assert not _mentions("Let us look at the talks in Moscow.", focus)


def test_a_question_asked_of_one_source_designates_its_documents() -> None:
    from types import SimpleNamespace

    from rag.compare import designated_documents

    records = {"a": SimpleNamespace(outlet="Alwaght", author=None),
               "c": SimpleNamespace(outlet="Caucasus Watch", author=None),
               "i": SimpleNamespace(outlet=None, author="Igor Chalenko"),
               "r": SimpleNamespace(outlet=None, author=None)}
    find = designated_documents  # records only need outlet and author
    assert find("What did the EU do in Armenia according to Alwaght?", records) == ["a"]  # type: ignore[arg-type]
    assert find("What does Chalenko say about Iran?", records) == ["i"]  # type: ignore[arg-type]
    assert find("What did caucasus watch report?", records) == ["c"]  # type: ignore[arg-type]
    assert find("Who will watch the ceasefire line?", records) == []  # type: ignore[arg-type]
    assert find("What do the sources say about Iran?", records) == []  # type: ignore[arg-type]
    # Typed all in lower case, with the possessive's apostrophe dropped (2026-12-04 probe).
    assert find("whats chalenkos main argument", records) == ["i"]  # type: ignore[arg-type]
    assert find("What is Chalenko's main argument?", records) == ["i"]  # type: ignore[arg-type]
    records["g"] = SimpleNamespace(outlet=None, author="Anna Green")
    assert find("Did Baku give the green light?", records) == []  # type: ignore[arg-type]
    assert find("what does anna green say", records) == ["g"]  # type: ignore[arg-type]


def test_a_document_described_by_what_it_is_about_is_the_one_whose_title_fits_best() -> None:
    # 2026-12-04 probe: "What role is mentioned for Turkey in the Lavrov explainer?" was answered from Alwaght.
    from types import SimpleNamespace

    from rag.compare import designated_documents

    titles = {"000": "Moscow Condemns U.S. Involvement in Armenia-Azerbaijan Peace Negotiations",
              "001": "Russia Steps In: Lavrov Offers to Mend Armenia-Azerbaijan Ties",
              "003": "Russia Affirms Key Role in Armenia-Azerbaijan Dialogue Amid Geopolitical Shifts",
              "004": "Russia – main obstacle in negotiations between Armenia and Azerbaijan"}
    records = {k: SimpleNamespace(outlet=None, author=None, title=t) for k, t in titles.items()}
    find = designated_documents
    assert find("What role is mentioned for Turkey in the Lavrov explainer?", records) == ["001"]  # type: ignore[arg-type]
    assert find("In the piece about Moscow condemning U.S. involvement, what is the US stance?",
                records) == ["000"]  # type: ignore[arg-type]
    # "the article say about ..." describes no article; "Russia" and "Armenia" are in several titles.
    assert find("What does the article say about Russia's role?", records) == []  # type: ignore[arg-type]
    assert find("What does the report on Russia and Armenia say?", records) == []  # type: ignore[arg-type]


def test_question_terms_leave_out_framing_words_and_source_labels() -> None:
    terms = question_terms("Which foreign ministers did Sergey Lavrov meet, according to Alwaght?", LABELS)
    assert {w for w, _ in terms.names} == {"Sergey", "Lavrov"}
    assert "according" not in terms.focus and "alwaght" not in terms.focus


# --- presuppositions (pure) ----------------------------------------------------------------------
@pytest.mark.parametrize("question, premise", [
    ("Why did Russia close its embassy in Baku in 2022?", "Russia closed its embassy in Baku in 2022"),
    ("Why has Armenia kept the Lachin crossing blocked?", "Armenia has kept the Lachin crossing blocked"),
    ("Why does the Russian political scientist Igor Chalenko call Russia a guarantor?",
     "The Russian political scientist Igor Chalenko calls Russia a guarantor"),
    ("Why, according to Chalenko, has leverage in Baku become important?", "Leverage in Baku has become important"),
    ("Why did Sergey Lavrov tell Russia 24 that it has no alternative?",
     "Sergey Lavrov told Russia 24 that it has no alternative"),
    ("Why is Russia worried about Turkey?", "Russia is worried about Turkey"),
])
def test_a_why_question_is_turned_into_the_statement_it_presupposes(question: str, premise: str) -> None:
    assert presupposition(question) == premise


@pytest.mark.parametrize("question, premise", [
    ("Since Chalenko thinks Russia is a good mediator, what does he suggest Moscow do next?",
     "Chalenko thinks Russia is a good mediator"),
    ("Given that Zakharova praised the EU monitors, why does she want the CSTO?", "Zakharova praised the EU monitors"),
    ("now that Azerbaijan has reopened the Lachin crossing, how do goods reach Karabakh?",
     "Azerbaijan has reopened the Lachin crossing"),
    ("As Galuzin says Russia's role has no alternative, what is Russia doing?",
     "Galuzin says Russia's role has no alternative"),
])
def test_a_premise_stated_in_a_leading_clause_is_the_presupposition(question: str, premise: str) -> None:
    assert presupposition(question) == premise


@pytest.mark.parametrize("question", ["What did Lavrov say?", "Who is Igor Chalenko?", "Why?", "How many troops?",
                                      "Since 1994, what role has Russia played?", "Since when has Russia mediated?",
                                      "As for Russia, what did Lavrov say?", "What did Lavrov say, since the talks "
                                      "began?"])
def test_other_questions_have_no_presupposition_to_check(question: str) -> None:
    assert presupposition(question) is None


def test_premise_conflicts_catch_recombined_facts_and_leave_true_premises_alone() -> None:
    passages = ["According to SIPRI, Russia accounted for 94 per cent of arms imported into Armenia and 60 per cent "
                "into Azerbaijan.",
                "Since December 2022, in order to put pressure on Armenia, Azerbaijan has blocked the Lachin crossing.",
                "Igor Chalenko is an Ukrainian political scientist who heads the Centre for Analysis and Strategies."]
    assert premise_conflicts("Russia supplied 94 per cent of Azerbaijan's arms imports", passages)
    assert premise_conflicts("Armenia has kept the Lachin crossing blocked since December 2022", passages)
    assert premise_conflicts("The Russian political scientist Igor Chalenko calls Russia a guarantor", passages)
    # A premise that reports a view: the words after "says" have subjects of their own (here Azerbaijan is
    # "an alternative to Russia" in another line), and the view is the speaker's.
    passages.append("The reason is that in 2021-2023 Azerbaijan became one of the major suppliers of energy "
                    "resources into the EU and could act as an alternative to Russia in this capacity.")
    passages.append("Galuzin emphasized that Russia's role in facilitating dialogue between Armenia and Azerbaijan "
                    "has no alternative.")
    assert premise_conflicts("Galuzin says Russia's role has no alternative", passages) == []
    for true in ("Russia supplied 94 per cent of Armenia's arms imports", "Azerbaijan blocked the Lachin crossing",
                 "The Lachin crossing was blocked by Azerbaijan", "The Ukrainian political scientist Igor Chalenko "
                 "heads a centre"):
        assert premise_conflicts(true, passages) == [], true


def test_a_subject_swap_is_read_off_an_act_not_off_a_noun_or_a_sentence_opening() -> None:
    # 2026-12-04 probes: "With this corridor, ..." had given "the sources say With, not Iran, corridor", and
    # "the Lachin crossing" had made Lachin the actor of "crossing".
    blocked = ["Since December 2022, in order to put pressure on Armenia, Azerbaijan has blocked the Lachin crossing."]
    assert premise_conflicts("Armenia has kept the crossing blocked", blocked) == [
        "the sources say Azerbaijan, not Armenia, blocked"]
    corridor = ["With this corridor, the borders of Iran and Armenia will be completely cut off in practice."]
    assert premise_conflicts("Iran backs the Zangezor corridor", corridor) == []


def test_a_year_given_to_an_act_the_sources_date_otherwise_is_a_conflict() -> None:
    # 2026-12-04 probe "Why did Russia deploy 2000 troops in 2022?": 2022 is in the evidence, of another event.
    lines = ["In autumn 2020, as soon as the military actions were over, Russia deployed 2000 troops there.",
             "Prior to the full-scale aggression of 2022 the same had been happening in the east of Ukraine.",
             "Since December 2022, Azerbaijan has blocked the Lachin crossing."]
    assert premise_conflicts("Russia deployed 2000 troops in 2022", lines) == ["the sources give 2020, not 2022"]
    for true in ("Russia deployed 2000 troops in 2020", "Azerbaijan has blocked the Lachin crossing since 2022"):
        assert premise_conflicts(true, lines) == [], true
    # "since" and "troops" are no acts: "Armenia and Azerbaijan have been at odds since 1992" is no subject swap.
    odds = ["Armenia and Azerbaijan have been at odds for the control of the disputed region of Karabakh since 1992."]
    assert premise_conflicts("Armenia and Azerbaijan have been at odds since 1992", odds) == []


def test_words_given_to_another_speaker_are_a_conflict() -> None:
    passages = ["“Under the auspices of Russia, at the initiative of [Russian] President Vladimir Putin, the "
                "foundations of relations between Armenia and Azerbaijan were established,” the Russian official "
                "noted.",
                "Galuzin remarked on the ongoing process of settling the conflict between Armenia and Azerbaijan, "
                "stating that Russia's current objective is to assist both countries in their pursuit of "
                "reconciliation and peaceful cooperation."]
    swapped = ("Caucasus Watch quotes Russian President Vladimir Putin as stating that Russia's current objective is "
               "to assist both Armenia and Azerbaijan in their pursuit of reconciliation and peaceful cooperation.")
    assert premise_conflicts(swapped, passages) == ["the sources give these words to Galuzin, not Putin"]
    assert premise_conflicts("Putin said Russia's current objective is to assist both countries in their pursuit of "
                             "reconciliation.", passages)
    for true in (swapped.replace("Russian President Vladimir Putin", "Galuzin"),
                 "Caucasus Watch says the foundations of relations between Armenia and Azerbaijan were established "
                 "under Russia's auspices."):
        assert premise_conflicts(true, passages) == [], true


# --- attribution -----------------------------------------------------------------------------------
def _evidence(n: int, source: str, text: str) -> Evidence:
    return Evidence(n=n, doc_id=f"d{n}", file_name=f"{n}.txt", title="T", source=source, start=0, end=len(text),
                    text=text, score=0.5)


def test_attribution_is_filled_in_and_corrected_from_the_cited_source() -> None:
    evidence = [_evidence(1, "Alwaght", "Russia is ready to provide maximum assistance."),
                _evidence(2, "Caucasus Watch", "Zakharova said the CSTO can play a stabilizing role."),
                _evidence(3, "the article “Russia Steps In…”", "Russia offers to mediate.")]
    pairs = [("According to, Russia is ready to help.", [1]),
             ("According to Caucasus Watch, Russia is ready to help.", [1]),  # another source's name
             ("According to Zakharova, the CSTO can stabilize the region.", [2]),
             ("According to Russia Steps In, Russia offers to mediate.", [3]),
             ("According to Alwaght, Russia is ready.", [1])]
    texts = [s.text for s in resolve_citations(pairs, evidence)]
    assert texts[0] == "According to Alwaght, Russia is ready to help."
    assert texts[1] == "According to Alwaght, Russia is ready to help."
    assert texts[2] == "According to Zakharova, quoted by Caucasus Watch, the CSTO can stabilize the region."
    assert texts[3] == "According to the article “Russia Steps In…”, Russia offers to mediate."
    assert texts[4] == "According to Alwaght, Russia is ready."  # already right: untouched


# --- the chain, guarded -------------------------------------------------------------------------------
class _Scorer:
    """A judge that supports a claim unless a word of it is listed as unsupported."""

    name = "scripted-judge"

    def __init__(self, unsupported: tuple[str, ...] = ()) -> None:
        self.unsupported = unsupported

    def probability(self, claim: str, passage: str) -> float:
        return 0.1 if any(w in claim for w in self.unsupported) else 0.95


def test_a_sentence_re_cited_to_another_source_credits_that_source() -> None:
    # 2026-12-04 probe "Who is Jeyhun Bayramov?": the model cited the explainer's line and credited the explainer
    # for what Alwaght's line says; the name check removed it, and the question was refused.
    from rag.guard import guard_sentences
    from rag.types import AnswerSentence, Citation

    lines = [_evidence(1, "Alwaght", "Lavrov discussed on Tuesday with Azerbaijani counterpart Jeyhun Bayramov "
                                     "the ways for de-escalation."),
             _evidence(2, "the article “Russia Steps In…”", "Lavrov’s strategy involves balancing Russia’s ties.")]
    verifier = Verifier([_Scorer()], calibration=Calibration(0.5))
    cited = Citation(n=2, doc_id="d2", file_name="2.txt", title="T", quote=lines[1].text, start=0,
                     end=len(lines[1].text))
    claim = "According to the article “Russia Steps In…”, Jeyhun Bayramov is Azerbaijani counterpart of Lavrov."
    kept, removed = guard_sentences([AnswerSentence(text=claim, citations=(cited,))], lines, verifier, drop=True)
    assert not removed and [c.n for c in kept[0].citations] == [1]
    assert kept[0].text == "According to Alwaght, Jeyhun Bayramov is Azerbaijani counterpart of Lavrov."
    # A wrapper that names a person, not the cited source, is what the sentence says: it stays as written.
    person = "According to Lavrov, Jeyhun Bayramov is his Azerbaijani counterpart."
    kept, _ = guard_sentences([AnswerSentence(text=person, citations=(cited,))], lines, verifier, drop=True)
    assert all(k.text == person for k in kept)


class _NamesInPassage:
    """A judge that supports a claim whose every word of the claim after its first is in the passage: the
    'materials for delimiting' claim only where the passage says so (and names Galuzin, in context)."""

    name = "scripted-words-judge"

    def probability(self, claim: str, passage: str) -> float:
        words = set(re.findall(r"[a-z]+", claim.lower())) - {"said", "the", "for", "that", "he"}
        return 0.95 if words <= set(re.findall(r"[a-z]+", passage.lower())) else 0.1


def _guarded(settings: Settings, seeds: Path, model: ScriptedChatModel, unsupported: tuple[str, ...] = ()
             ) -> Service:
    service = Service(settings.model_copy(update={"verify_mode": "guarded"}), embeddings=HashingEmbeddings(),
                      chat_model=model, verifier=Verifier([_Scorer(unsupported)], calibration=Calibration(0.5)))
    service.ingest([seeds])
    return service


def _evidence_lines(messages) -> dict[int, str]:  # type: ignore[no-untyped-def]
    prompt = str(messages[-1].content)
    return {int(n): text for n, text in re.findall(r"^\[(\d+)\] \([^)]*\) (.+)$", prompt, re.M)}


def test_a_question_naming_an_absent_entity_is_refused_without_calling_the_model(
        settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(replies=[])  # any model call would raise
    answer = _guarded(settings, seeds_copy, model).ask("Who won the 2022 FIFA World Cup?")
    assert answer.refused and answer.gate is not None and answer.gate.kind == "missing"
    assert answer.sentences[0].text == "The sources do not mention FIFA World Cup."
    assert answer.sentences[-1].text == REFUSAL
    assert answer.related and not model.calls
    assert "Related passages:" in answer_markdown(answer)


def test_a_name_missing_from_the_one_source_asked_is_said_of_that_source(settings: Settings, seeds_copy: Path) -> None:
    # Lavrov is in three seeds, not in Chalenko's piece, which the question asks: "The sources do not mention
    # Lavrov" would be false (2026-12-04 probe).
    model = ScriptedChatModel(replies=[])
    answer = _guarded(settings, seeds_copy, model).ask("When did Chalenko meet Lavrov in Moscow?")
    assert answer.refused and not model.calls
    assert answer.sentences[0].text == "Igor Chalenko does not mention Lavrov."


def test_a_supported_answer_passes_untouched(settings: Settings, seeds_copy: Path) -> None:
    def respond(messages) -> str:  # type: ignore[no-untyped-def]
        lines = _evidence_lines(messages)
        return json.dumps({"sentences": [{"text": text, "citations": [n]} for n, text in list(lines.items())[:2]]})

    answer = _guarded(settings, seeds_copy, ScriptedChatModel(responder=respond)).ask(
        "What did Zakharova say about the CSTO?")
    assert not answer.refused and not answer.removed and len(answer.sentences) == 2
    assert all(s.verdict is not None and s.verdict.label == "supported" for s in answer.sentences)
    assert answer.verify_mode == "guarded"


def test_a_sentence_with_a_number_its_passage_lacks_is_removed_and_the_rest_kept(
        settings: Settings, seeds_copy: Path) -> None:
    def respond(messages) -> str:  # type: ignore[no-untyped-def]
        (n, text), *_ = _evidence_lines(messages).items()
        return json.dumps({"sentences": [{"text": text, "citations": [n]},
                                         {"text": "Zakharova said this in 1987.", "citations": [n]}]})

    answer = _guarded(settings, seeds_copy, ScriptedChatModel(responder=respond)).ask(
        "What did Zakharova say about the CSTO?")
    assert not answer.refused and len(answer.sentences) == 1
    assert [r.text for r in answer.removed] == ["Zakharova said this in 1987."]
    assert "number 1987 not in the passage" in answer.removed[0].reason
    assert "removed: 1 sentence" in answer_markdown(answer)


def test_when_every_sentence_is_removed_the_answer_is_the_refusal_with_related_passages(
        settings: Settings, seeds_copy: Path) -> None:
    reply = json.dumps({"sentences": [{"text": "Zakharova praised NATO in 1987.", "citations": [1]}]})
    answer = _guarded(settings, seeds_copy, ScriptedChatModel(replies=[reply])).ask(
        "What did Zakharova say about the CSTO?")
    assert answer.refused and answer.sentences[-1].text == REFUSAL
    assert len(answer.removed) == 1 and answer.related


def test_a_false_premise_is_corrected_with_quotes_without_calling_the_model(
        settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(replies=[])
    service = _guarded(settings, seeds_copy, model, unsupported=("praised",))
    answer = service.ask("Why did Maria Zakharova praise the EU monitoring mission in Armenia?")
    assert answer.gate is not None and answer.gate.kind == "premise" and answer.declined and not answer.refused
    assert answer.sentences[0].text == "The sources do not say that Maria Zakharova praised the EU monitoring " \
                                       "mission in Armenia."
    quotes = answer.sentences[1:]
    assert quotes and all(len(s.citations) == 1 and s.citations[0].quote in s.text for s in quotes)
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    assert all(texts[c.doc_id][c.start:c.end] == c.quote for s in quotes for c in s.citations)
    assert not model.calls


def test_a_false_premise_in_a_leading_clause_is_corrected(settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(replies=[])
    service = _guarded(settings, seeds_copy, model, unsupported=("praised",))
    answer = service.ask("Given that Zakharova praised the EU monitors, what role does she see for the CSTO?")
    assert answer.gate is not None and answer.gate.kind == "premise" and not model.calls
    assert answer.sentences[0].text == "The sources do not say that Zakharova praised the EU monitors."


def test_a_premise_in_a_leading_clause_is_checked_against_lines_found_for_it(settings: Settings,
                                                                            seeds_copy: Path) -> None:
    """The question asks about the West; the premise is the op-ed's thesis, in its headline: the premise is
    checked against what is found for it, headlines included, so a true premise lets the question through."""
    reply = json.dumps({"sentences": [{"text": "Something.", "citations": []}]})
    model = ScriptedChatModel(replies=[reply])
    answer = _guarded(settings, seeds_copy, model).ask(
        "Given that Chalenko calls Russia the main obstacle in negotiations between Armenia and Azerbaijan, what "
        "does he say the West did?")
    assert answer.gate is None and model.calls


class _Mediator:
    """A judge that supports any claim against a passage that speaks of a mediator, whoever speaks."""

    name = "scripted-mediator-judge"

    def probability(self, claim: str, passage: str) -> float:
        return 0.95 if "mediat" in passage.lower() else 0.1


def test_a_view_given_to_a_person_is_checked_against_that_persons_lines_only(settings: Settings,
                                                                             seeds_copy: Path) -> None:
    """"Zakharova thinks Russia is a good mediator": other outlets call Russia a mediator, Zakharova never does.
    Judged against every line, the premise passed on the other outlets' words; judged against the lines that
    give her view, it is corrected, with her own lines quoted."""
    model = ScriptedChatModel(replies=[])
    service = Service(settings.model_copy(update={"verify_mode": "guarded"}), embeddings=HashingEmbeddings(),
                      chat_model=model, verifier=Verifier([_Mediator()], calibration=Calibration(0.5)))
    service.ingest([seeds_copy])
    answer = service.ask("Since Maria Zakharova thinks Russia is a good mediator, what stabilizing role does she "
                         "see for the CSTO in the South Caucasus?")
    assert answer.gate is not None and answer.gate.kind == "premise" and not model.calls
    assert answer.sentences[0].text == "The sources do not say that Maria Zakharova thinks Russia is a good mediator."
    # Other outlets' lines about a mediator were found for the premise (and would have passed it): they are what
    # the sources do say, quoted under their own names, and none of them is hers.
    quotes = answer.sentences[1:]
    assert any("mediat" in s.text for s in quotes) and not any("Zakharova" in s.text for s in quotes)
    assert holder_lines("Zakharova thinks Russia is a good mediator", list(answer.related)) == []
    assert holder_lines("Russia is a good mediator", list(answer.related)) is None  # no one's view: every line


def test_a_true_premise_is_answered(settings: Settings, seeds_copy: Path) -> None:
    reply = json.dumps({"sentences": [{"text": "Something.", "citations": []}]})
    model = ScriptedChatModel(replies=[reply])
    answer = _guarded(settings, seeds_copy, model).ask("Why did Azerbaijan block the Lachin crossing?")
    assert answer.gate is None and model.calls  # the premise held: the model was asked
    assert answer.refused and answer.removed[0].reason == "no citation to a passage"


def test_annotate_shows_everything_and_runs_no_gate(settings: Settings, seeds_copy: Path) -> None:
    reply = json.dumps({"sentences": [{"text": "Zakharova said this in 1987.", "citations": [1]}]})
    service = _guarded(settings, seeds_copy, ScriptedChatModel(replies=[reply, reply]))
    answer = service.ask("What did Zakharova say about the CSTO?", verify="annotate")
    assert not answer.refused and not answer.removed and answer.sentences[0].verdict is not None
    assert answer.sentences[0].verdict.issues
    world_cup = service.ask("Who won the 2022 FIFA World Cup?", verify="annotate")
    assert world_cup.gate is None


def test_a_label_written_with_plain_quotes_is_the_same_source() -> None:
    evidence = [_evidence(1, "the article “Russia Steps In…”", "Russia offers to mediate.")]
    [sentence] = resolve_citations([("According to the article 'Russia Steps In...', Russia offers to mediate.", [1])],
                                   evidence)
    assert sentence.text == "According to the article “Russia Steps In…”, Russia offers to mediate."


def _citing(opening: str, claim: str):  # type: ignore[no-untyped-def]
    """A scripted model that answers `claim`, citing the evidence line that opens with `opening`."""
    def respond(messages) -> str:  # type: ignore[no-untyped-def]
        n = next(n for n, text in _evidence_lines(messages).items() if text.startswith(opening))
        return json.dumps({"sentences": [{"text": claim, "citations": [n]}]})
    return respond


def test_a_sentence_naming_what_its_quote_only_refers_to_is_kept_when_read_in_context(
        settings: Settings, seeds_copy: Path) -> None:
    respond = _citing("He also mentioned", "Galuzin said the Russian side possesses the necessary materials for "
                                           "delimiting the border.")
    judge = _NamesInPassage()  # the claim's names must be in what it is judged against
    service = Service(settings.model_copy(update={"verify_mode": "guarded"}), embeddings=HashingEmbeddings(),
                      chat_model=ScriptedChatModel(responder=respond),
                      verifier=Verifier([judge], calibration=Calibration(0.5)))
    service.ingest([seeds_copy])
    answer = service.ask("What did Galuzin say the Russian side possesses for delimiting the Armenian-Azerbaijani "
                         "border?")
    assert not answer.refused and not answer.removed
    [sentence] = answer.sentences
    assert "read-in-context" in sentence.flags and sentence.citations[0].quote.startswith("He also mentioned")


def test_a_full_name_the_quote_shortens_is_read_where_the_document_introduces_it(
        settings: Settings, seeds_copy: Path) -> None:
    respond = _citing("Zakharova pointed out", "Maria Zakharova said Armenia benefits from the collective security "
                                               "guarantees of the CSTO.")
    answer = _guarded(settings, seeds_copy, ScriptedChatModel(responder=respond)).ask(
        "What did Zakharova point out about the CSTO's collective security guarantees for Armenia?")
    assert not answer.removed and "read-in-context" in answer.sentences[0].flags


def test_a_date_question_needs_a_dated_sentence_on_its_subject_not_a_stray_word() -> None:
    gate = _gate("When did Galuzin make his comments about Russia's role having no alternative?")
    assert gate is not None and gate.kind == "answer-type"
    assert _gate("Since when has Russia acted as a mediator in the Armenia-Azerbaijan conflict?") is None


def test_a_refusal_tacked_onto_a_claim_is_stripped_from_it() -> None:
    evidence = [_evidence(1, "Alwaght", "Lavrov discussed de-escalation with Bayramov and Mirzoyan on Tuesday.")]
    [sentence] = resolve_citations([(f"Lavrov held talks with Bayramov and Mirzoyan. {REFUSAL}", [1])], evidence)
    assert sentence.text == "Lavrov held talks with Bayramov and Mirzoyan." and "refusal-stripped" in sentence.flags


def test_two_attributed_views_in_one_item_become_two_sentences_citing_their_own_sources() -> None:
    evidence = [_evidence(1, "Alwaght", "Russia is ready to provide maximum assistance."),
                _evidence(2, "Igor Chalenko", "Russia is the main obstacle in the negotiations."),
                _evidence(3, "Igor Chalenko", "Moscow wants to keep its bases.")]
    first, second = resolve_citations(
        [("According to Alwaght, Russia is ready to help. According to Igor Chalenko, Russia is the main obstacle.",
          [1])], evidence)
    assert first.text == "According to Alwaght, Russia is ready to help." and [c.n for c in first.citations] == [1]
    assert second.text.startswith("According to Igor Chalenko") and [c.n for c in second.citations] == [2, 3]


def test_a_person_is_quoted_only_by_the_sources_whose_lines_quote_them() -> None:
    evidence = [_evidence(1, "Caucasus Watch", "Galuzin said Russia's role has no alternative."),
                _evidence(2, "Igor Chalenko", "Russia is the main obstacle in the negotiations.")]
    [sentence] = resolve_citations([("According to Galuzin, Russia's role has no alternative.", [1, 2])], evidence)
    assert sentence.text == "According to Galuzin, quoted by Caucasus Watch, Russia's role has no alternative."


def test_re_citing_reads_a_line_in_context_only_for_the_names_it_leaves_there() -> None:
    from rag.guard import guard_sentences
    from rag.types import AnswerSentence, Citation

    lines = [_evidence(1, "Outlet", "International bodies have historically been involved in the peace process."),
             _evidence(2, "Outlet", "Since the 1990s, this group, co-chaired by Russia, the United States, and "
                                    "France, has aimed to find a peaceful resolution.")]
    before = {2: "The OSCE Minsk Group has been a key player in mediating."}
    verifier = Verifier([_Scorer()], calibration=Calibration(0.5))

    def context(citation: Citation, claim: str) -> str:
        return before.get(citation.n, "")

    cited = Citation(n=1, doc_id="d1", file_name="1.txt", title="T", quote=lines[0].text, start=0,
                     end=len(lines[0].text))
    claim = "According to Outlet, Russia, the United States, and France co-chaired the OSCE Minsk Group."
    kept, removed = guard_sentences([AnswerSentence(text=claim, citations=(cited,))], lines, verifier, drop=True,
                                    context=context)
    assert not removed and [c.n for c in kept[0].citations] == [2] and "re-cited" in kept[0].flags
    # A claim whose substance is only in the context is not kept on the strength of the context.
    other = "According to Outlet, the OSCE Minsk Group has been a key player in mediating."
    kept, removed = guard_sentences([AnswerSentence(text=other, citations=(cited,))], lines, verifier, drop=True,
                                    context=context)
    assert not kept and len(removed) == 1


# --- comparative questions: every source heard --------------------------------------------------------
def _with_recipe(seeds: Path) -> Path:
    (seeds / "recipe.txt").write_text(
        "Lemon cake\nBeat four eggs with sugar until pale, then fold in flour and lemon zest. Bake the batter for "
        "forty minutes at 180 degrees and let the cake cool before slicing it.\n", encoding="utf-8")
    return seeds


COMPARATIVE = "How do the sources differ on Russia's role in the Armenia-Azerbaijan peace process?"


def test_a_comparative_question_hears_every_source_in_its_own_words_and_names_the_silent_ones(
        settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(replies=[])  # quotes only (no time for the model): no model call
    service = _guarded(settings.model_copy(update={"compare_budget_s": 0.0}), _with_recipe(seeds_copy), model)
    answer = service.ask(COMPARATIVE)
    assert not answer.declined and not model.calls
    docs = [s.citations[0].doc_id for s in answer.sentences]
    assert len(docs) >= 3 and len(set(docs)) == len(docs)  # one sentence per source
    texts = {r.id: service.source(r.id).text for r in service.sources()}
    for sentence in answer.sentences:  # each source's lines (one or two), quoted verbatim and cited at their offsets
        assert "by-source" in sentence.flags and 1 <= len(sentence.citations) <= 2
        for c in sentence.citations:
            assert c.quote in sentence.text and texts[c.doc_id][c.start:c.end] == c.quote
    assert "the article “Lemon cake”" in answer.silent
    rows = answer.by_source
    assert [r.doc_id for r in rows if r.written != "silent"] == docs
    assert [r.source for r in rows if r.written == "silent"] == ["the article “Lemon cake”"]
    assert all(r.written == "quote" and r.quote in r.position for r in rows if r.written != "silent")
    markdown = answer_markdown(answer)
    assert "| Source | Position | Quote | Check |" in markdown
    assert "| the article “Lemon cake” | — | — | nothing on this |" in markdown


def _positions(wrong: str = "", unsupported: str = "", delay: float = 0.0):  # type: ignore[no-untyped-def]
    """A scripted model for per-source sentences: "<source> says that <its first line>", except that the
    source named `wrong` is credited with another outlet's name and `unsupported`'s sentence adds a claim."""
    def respond(messages) -> str:  # type: ignore[no-untyped-def]
        time.sleep(delay)
        prompt = str(messages[-1].content)
        source = re.search(r"^Lines from (.+):$", prompt, re.M).group(1)  # type: ignore[union-attr]
        first = re.search(r"^\[\d+\] (.+)$", prompt, re.M).group(1)  # type: ignore[union-attr]
        name = "Alwaght" if source == wrong else source
        extra = " and FABRICATED" if source == unsupported else ""
        return f"{name} says that {first[0].lower()}{first[1:].rstrip('.')}{extra}."
    return respond


def test_the_model_writes_one_sentence_per_source_and_a_wrong_or_unsupported_one_becomes_the_quote(
        settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(responder=_positions(wrong="Igor Chalenko", unsupported="Caucasus Watch"))
    service = _guarded(settings, _with_recipe(seeds_copy), model, unsupported=("FABRICATED",))
    answer = service.ask(COMPARATIVE)
    rows = {r.source: r for r in answer.by_source}
    assert len(model.calls) == len([r for r in rows.values() if r.written != "silent"]) >= 3
    assert rows["Igor Chalenko"].written == "quote" and "Alwaght" not in rows["Igor Chalenko"].position
    assert rows["Caucasus Watch"].written == "quote" and "FABRICATED" not in answer.text
    written = [r for r in rows.values() if r.written == "model"]
    assert written and all(r.position.startswith(r.source[0].upper() + r.source[1:] + " says that ")
                           and r.verdict == "supported" for r in written)
    for sentence, row in zip(answer.sentences, [r for r in answer.by_source if r.written != "silent"], strict=True):
        assert {c.doc_id for c in sentence.citations} == {row.doc_id} and sentence.text == row.position
    reasons = " ".join(r.reason for r in answer.removed)
    assert "does not name Igor Chalenko alone" in reasons and "FABRICATED" in " ".join(r.text for r in answer.removed)
    dumped = json.loads(answer.model_dump_json())
    assert [r["source"] for r in dumped["by_source"]] == [r.source for r in answer.by_source]


def test_sources_the_model_has_no_time_for_are_quoted(settings: Settings, seeds_copy: Path) -> None:
    model = ScriptedChatModel(responder=_positions(delay=0.05))
    service = _guarded(settings.model_copy(update={"compare_budget_s": 0.01}), seeds_copy, model)
    answer = service.ask(COMPARATIVE)
    assert len(model.calls) == 1  # the first sentence took longer than the whole budget
    assert [r.written for r in answer.by_source][:2] == ["model", "quote"]


def test_a_comparison_of_named_sources_hears_those_sources_only(settings: Settings, seeds_copy: Path) -> None:
    """"How do Alwaght and Chalenko differ ...": the two documents named by their outlet or author; "How do
    Zakharova and Chalenko see ...": the one document that quotes Zakharova and Chalenko's own."""
    service = _guarded(settings.model_copy(update={"compare_budget_s": 0.0}), seeds_copy, ScriptedChatModel())
    files = {r.id: r.file_name for r in service.sources()}
    for question, expected in (
            ("How do Alwaght and Chalenko differ in portraying Iran's role in the South Caucasus?",
             {"002_7e3677aedf6b0cb5.txt", "004_f1439a8cd7274eed.txt"}),
            ("How do Zakharova and Chalenko see Armenia's relationship with Russia?",
             {"003_cb3a59321c21f76c.txt", "004_f1439a8cd7274eed.txt"})):
        answer = service.ask(question)
        assert {files[r.doc_id] for r in answer.by_source} == expected, question
        assert not any(is_author_box(r.quote) for r in answer.by_source)


def test_the_embedded_model_answers_comparisons_with_quotes_and_a_remote_model_writes_sentences(
        settings: Settings) -> None:
    from rag.answer import AnswerOptions

    local = settings.model_copy(update={"llm_provider": "local"})
    remote = settings.model_copy(update={"llm_provider": "openai"})
    assert AnswerOptions.from_settings(local).compare_budget_s == 0.0
    assert AnswerOptions.from_settings(remote).compare_budget_s == 24.0
    assert AnswerOptions.from_settings(local.model_copy(update={"compare_budget_s": 10.0})).compare_budget_s == 10.0


def test_an_op_eds_headline_is_its_position_in_a_comparison(settings: Settings, seeds_copy: Path) -> None:
    """The op-ed's thesis stands in its headline, a line no sentence rule takes as evidence: a comparison
    hears it, quoted at its offsets under the author's name."""
    service = _guarded(settings.model_copy(update={"compare_budget_s": 0.0}), seeds_copy, ScriptedChatModel())
    answer = service.ask("Who do the sources say is the main obstacle in the negotiations between Armenia and "
                         "Azerbaijan?")
    [row] = [r for r in answer.by_source if r.source == "Igor Chalenko"]
    headline = "Russia – main obstacle in negotiations between Armenia and Azerbaijan"
    assert headline in row.position
    cited = next(c for s in answer.sentences for c in s.citations if c.quote == headline)
    assert service.source(cited.doc_id).text[cited.start:cited.end] == headline


def test_names_a_quote_states_itself_are_not_taken_from_its_context() -> None:
    """The quote names who met (Blinken and the foreign ministers): a claim that gives the meeting to Aliyev and
    Pashinyan recombines, however often the document mentions them elsewhere. A quote that says "he" or
    shortens a name leaves the name to its context."""
    from rag.guard import _names_only
    from rag.types import Verdict

    def failed(*names: str) -> Verdict:
        return Verdict(label="unsupported", score=0.4, issues=(f"name(s) {', '.join(names)} not in the passage",))

    blinken = "The most recent meeting was that of Blinken with the foreign ministers of Azerbaijan and Armenia in " \
              "Washington DC on May 1."
    assert not _names_only("The most recent meeting between Aliyev and Pashinyan was held in Washington DC on May 1.",
                           failed("Aliyev", "Pashinyan"), [blinken])
    assert _names_only("Galuzin said the Russian side possesses the materials for delimiting the border.",
                       failed("Galuzin"), ["He also mentioned that the Russian side possesses the necessary "
                                           "materials for delimiting the border."])
    assert _names_only("Maria Zakharova said Armenia benefits from the guarantees of the CSTO.", failed("Maria"),
                       ["Zakharova pointed out that Armenia benefits from the collective security guarantees of the "
                        "CSTO."])


def test_the_questions_own_name_for_a_source_becomes_the_cited_sources_label() -> None:
    """"per the Lavrov explainer" in the question; the model writes "According to the Lavrov explainer, ...":
    the reader and the verifier get the cited source's label. A person the quote does not name, absent from
    the question, is left for the checks."""
    line = "Turkey’s role in the region complicates the peace process."
    evidence = [_evidence(1, "the article “Russia Steps In…”", line)]
    question = "How does Turkey affect the peace process, per the Lavrov explainer?"
    [sentence] = resolve_citations([("According to the Lavrov explainer, Turkey's role complicates the peace process.",
                                     [1])], evidence, question)
    assert sentence.text.startswith("According to the article “Russia Steps In…”, Turkey")
    [other] = resolve_citations([("According to Erdogan, Turkey's role complicates the peace process.", [1])],
                                evidence, question)
    assert other.text.startswith("According to Erdogan,")


def test_a_yes_no_question_is_not_answered_with_a_line_on_something_else(
        settings: Settings, seeds_copy: Path) -> None:
    """"Is Armenia a member of the CSTO?" was answered "Armenia is a member of the Eurasian Economic Union"
    (2026-12-04 probe): a true, cited sentence that leaves out what the question asks about. It is removed; a
    line naming both is kept."""
    def words(question: str, labels: tuple[str, ...] = ()) -> list[str]:
        return [w for w, _ in polar_names(question, labels)]

    assert words("Is Armenia a member of the CSTO?") == ["Armenia", "CSTO"]
    assert words("What is the CSTO?") == [] and words("Do the sources agree on the CSTO?") == []
    assert words("Does Alwaght say Iran warned Baku?", ("Alwaght",)) == ["Iran", "Baku"]
    assert words("Does the EU have a mission in Armenia?") == ["Armenia", "EU"]
    # A state is spoken of by its capital or seat ("Moscow", "the Kremlin"), and a capital by its state.
    def said(text: str, question: str) -> bool:
        sentence = AnswerSentence(text=text)
        return bool(off_question([sentence], polar_names(question))[0])

    assert said("Moscow calls itself a guarantor.", "Is Russia a guarantor of the agreements?")
    assert said("The Kremlin wants calm, says the White House.", "Does the United States think Russia wants calm?")
    assert said("Azerbaijan blocked the road.", "Did Baku block the road?")
    assert not said("Tehran warned Baku.", "Did Russia warn Baku?")

    def answering(with_csto: bool):  # type: ignore[no-untyped-def]
        def respond(messages) -> str:  # type: ignore[no-untyped-def]
            n, text = next((n, t) for n, t in _evidence_lines(messages).items()
                           if "Armenia" in t and ("CSTO" in t) == with_csto)
            return json.dumps({"sentences": [{"text": text, "citations": [n]}]})
        return respond

    off = _guarded(settings, seeds_copy, ScriptedChatModel(responder=answering(False))).ask(
        "Is Armenia a member of the CSTO?")
    assert off.refused and off.removed and "does not speak of CSTO" in off.removed[-1].reason
    on = _guarded(settings, seeds_copy, ScriptedChatModel(responder=answering(True))).ask(
        "Is Armenia a member of the CSTO?")
    assert not on.refused and "CSTO" in on.sentences[0].text


def test_a_main_point_question_on_one_piece_shows_its_headline(settings: Settings, seeds_copy: Path) -> None:
    """"What's the main point of the Chalenko piece?" was answered with a detail of his (2026-12-04 probe): the
    op-ed's thesis is its headline, which no body sentence matches. It now leads the evidence the model sees."""
    assert asks_thesis("whats chalenkos main argument") and asks_thesis("What is the gist of the Alwaght piece?")
    assert asks_thesis("What's Caucasus Watch's headline?") and not asks_thesis("What did Chalenko say about Iran?")
    assert asks_thesis("Does Chalenko think Russia is the main obstacle?")
    assert not asks_thesis("What does Chalenko think about Russia's role?")  # measured: answered worse with it
    assert not asks_thesis("Did Lavrov meet Bayramov?")  # (a view asked of no one source adds no headline)
    seen: list[dict[int, str]] = []

    def respond(messages) -> str:  # type: ignore[no-untyped-def]
        seen.append(_evidence_lines(messages))
        return json.dumps({"sentences": [{"text": REFUSAL, "citations": []}]})

    service = _guarded(settings, seeds_copy, ScriptedChatModel(responder=respond))
    service.ask("What's the main point of the Chalenko piece?")
    assert seen[-1][1] == "Russia – main obstacle in negotiations between Armenia and Azerbaijan"
    service.ask("What does Chalenko say about the freezing of the negotiation process?")  # the usual evidence
    assert len(seen) == 2 and "main obstacle" not in seen[-1][1]


def test_words_asked_about_a_topic_must_speak_of_it() -> None:
    """"What did Galuzin say about the border?" was answered with his words on the peace treaty (2026-12-04
    probe): no word of the topic in the sentence or its line. A sentence on the border is kept."""
    assert speech_topic("What did Galuzin say about the border?") == ("the border", ("borde",))
    assert speech_topic("What did Zakharova say about it?") is None and speech_topic("Who is Galuzin?") is None
    # What prompted the words is no topic of them (the suite's russia-mfa-territorial-integrity was refused).
    assert speech_topic("How did the Russian foreign ministry respond after Azerbaijan accused Russian "
                        "peacekeepers of not fulfilling the tripartite agreements?") is None
    assert speech_topic("What did Lavrov tell reporters about the talks?") == ("the talks", ("talk",))
    topic = speech_topic("What did Galuzin say about the border?")
    treaty = AnswerSentence(text="Galuzin said Russia is assisting in signing a peace treaty.")
    border = AnswerSentence(text="He mentioned that the Russian side possesses materials for delimiting the borders.")
    kept, removed = off_question([treaty, border], (), topic)
    assert kept == [border] and removed[0].reason == "does not speak of the border, which the question asks about"
