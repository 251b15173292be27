"""Checks before the model writes: can the retrieved sources answer this question at all?

A verifier judges what an answer says against the passages it cites; it cannot see that a faithful
sentence does not answer the question, or that the question itself assumes something false. These
checks read the question against what retrieval found, deterministically and in milliseconds:

- **missing**: a name or number the question is about appears in none of the retrieved documents
  ("Who won the 2022 FIFA World Cup?").
- **unlinked**: the question ties several named things together (a person and a channel, a meeting
  and a place) that no single document mentions together: it presupposes a link the sources do not
  make ("Why did Lavrov tell Russia 24 ...?" when Galuzin gave that interview). Comparative
  questions ("how do A and B differ") are exempt.
- **answer-type**: it asks for a number ("how many votes") or a date ("on what date") and no
  retrieved sentence on its subject gives one.

Presupposition checks that need the judge live in `rag.premise`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rag.ingest.sentences import split_sentences
from rag.retrieval import prefixes, tokenize
from rag.speakers import find_speakers, speaker_in
from rag.types import AnswerGate, AnswerSentence, Evidence, RemovedSentence
from rag.verify.checks import PassageNames, cap_runs, extract_numbers, is_name
from rag.verify.signals import fold

__all__ = ["TOPIC", "QuestionTerms", "asks_thesis", "check_answerable", "is_comparative", "off_question",
           "polar_names", "question_terms", "speech_topic"]

# Words that open or frame a question and are capitalised only for that ("Which", "Name", "Compare").
_FRAME = frozenset(
    "what which who whom whose when where why how whether is are was were do does did has have had can could "
    "would should will name list describe explain tell give show compare summarize summarise please according "
    "in on at since during for and but so or if".split())
# Words that say how a question asks, never what it is about.
_GENERIC = frozenset(
    "according source sources article articles outlet outlets report reports reported say describe described "
    "view views role differ differ agree agreed portray portrayed kind happen happened mention mentioned "
    "claim claims think thought stated state make made making having get got give gave take took".split())
_QUANTITY = re.compile(r"\bhow\s+(many|much|long|large|big|far|often)\b(?P<rest>[^?.,;]*)|"
                       r"\bwhat\s+(?:number|percentage|proportion|share|amount|size)\s+of\b(?P<rest2>[^?.,;]*)", re.I)
_TIME = re.compile(r"\b(when|what\s+(?:year|date|day|month|time)|which\s+(?:year|date|day|month)|since\s+when|"
                   r"how\s+long\s+ago)\b", re.I)
# "When will the treaty be signed?", "When is the summit expected to take place?": a time yet to come.
_ASKS_FUTURE = re.compile(r"\bwhen\s+(?:will|shall|(?:is|are)\s+[^?]*?\b(?:expected|due|scheduled|set|going|planned|"
                          r"likely)\s+to)\b", re.I)
_FUTURE = re.compile(r"\b(?:will|shall|expected|scheduled|planned|plans?\s+to|set\s+to|due\s+(?:in|on|by)|next|"
                     r"upcoming|coming\s+(?:days|weeks|months|year)|later\s+this|by\s+the\s+end\s+of)\b", re.I)
_AUX = re.compile(r"\b(is|are|was|were|do|does|did|has|have|had|will|would|can|could|should|might|may)\b", re.I)
_COMPARATIVE = re.compile(
    r"\b(differ|differs|difference|differences|disagree|(?:sources|outlets|articles|they|both|authors?)\s+agree|"
    r"agree with each other|compare|compared|comparison|"
    r"contrast|versus|vs\.?|the sources|the outlets|the articles|the documents|"
    r"(?:different|various|several|other|each|all the)\s+(?:outlets|sources|articles|authors|writers|pieces|"
    r"reports|documents|commentators|analysts|publications|newspapers|media|texts)|"
    r"each (?:source|outlet|article|author|writer|piece|document)|"
    r"the authors|the writers|the pieces|who says|whom do|which sources|which outlets|which articles|which authors|"
    r"according to whom)\b", re.I)
# "Do Chalenko and Galuzin agree on ...?" (views, present tense; "Did Aliyev and Pashinyan agree to meet?" is an event)
_DO_BOTH_AGREE = re.compile(r"^\s*(?:and\s+)?(?:do|does)\s+[^?]+?\s+and\s+[^?]+?\s+(?:agree|disagree|differ)\b"
                            r"(?!\s+to\b)", re.I)
_HOW_DO_BOTH = re.compile(r"^\s*how\s+(?:do|did|does)\s+[^?]*?\s+and\s+[^?]*?\s+(?:describe|portray|see|view|"
                          r"characterize|characterise|present|depict|frame|assess|explain|report)\b", re.I)
# Words that say what kind of answer is asked ("how big", "what percentage"), not what it is about.
_ASKING = frozenset("year date day month time number many much long percentage proportion share amount big large "
                    "far often old tall high wide small size".split())
_PEOPLE = frozenset("people person persons civilian civilians resident residents individual individuals".split())
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b")
_DATE_WORDS = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|"
                         r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                         r"tomorrow|ago|last\s+(?:week|month|year)|next\s+(?:week|month|year)|spring|summer|"
                         r"autumn|fall|winter|decade|century)\b", re.I)
_DIGITS = re.compile(r"(?<![\w.])\d[\d,.]*(?:\s*(?:thousand|million|billion|trillion|bn|per\s*cent|percent|%))?",
                     re.I)
_NUMBER_WORDS = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|"
                           r"hundreds?|thousands?|millions?|billions?|half|quarter|third)\b", re.I)


@dataclass(frozen=True)
class QuestionTerms:
    """What a question is about, as far as words can tell."""

    names: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name word, its capitalised run)
    numbers: tuple[tuple[float, str], ...] = ()  # (value, as written), digits only
    months: tuple[str, ...] = ()  # month names, capitalised as in "May 19"
    asks: str | None = None  # "quantity", "amount", "time" or "future-time"
    counted: str = ""  # what a quantity question counts ("votes", "Russian military bases")
    counted_clause: bool = False  # `counted` runs on into what happened ("people died in the war")
    focus: tuple[str, ...] = ()  # content words that are neither names nor numbers nor framing
    comparative: bool = False
    runs: tuple[str, ...] = field(default=(), compare=False)  # the runs, as written, for messages


_MONTH = re.compile(r"\b(January|February|March|April|May|June|July|August|September|October|November|December)"
                    r"(?=\s+\d)")


def _as_written(question: str, words: Sequence[str]) -> str:
    """A run of name words as the question spells it ("U.S. State Department", not "U.S State Department")."""
    pattern = r"[\W]*".join(re.escape(w) for w in words) + r"\.?"
    found = re.search(pattern, question)
    return found.group(0) if found else " ".join(words)


def _number_as_written(question: str, match: re.Match[str]) -> str:
    """A number with the name or month it belongs to: "Russia 24", "May 19", else "5,000"."""
    before = re.search(r"([A-Z][\w.]*)\s+$", question[:match.start()])
    return f"{before.group(1)} {match.group(0).strip()}" if before else match.group(0).strip()


# "Which regions does Chalenko compare Karabakh with?": one source comparing two things, not sources compared
# ("How does Alwaght's account compare with Chalenko's?" compares with no object of its own).
_ONE_COMPARES = re.compile(r"\b(?:does|did)\s+[^?]*?\bcompared?\s+(?!with\b|to\b|on\b|notes\b)\w", re.I)
# "Who thinks Russia is the problem and who thinks it is the solution?" (views set against each other), and
# "who blames / praises / criticises X" (a stance asked of every source). "Who is X and who does he work for?"
# asks two facts.
_WHO_AND_WHO = re.compile(r"\bwho\s+(?!is\b|was\b|are\b|were\b|does\b|did\b|do\b)\w+[^?]*?\band\s+who\s+"
                          r"(?!is\b|was\b|are\b|were\b|does\b|did\b|do\b)\w", re.I)
_WHO_JUDGES = re.compile(r"\bwho\s+(?:blames?|praises?|critici[sz]es?|condemns?|defends?)\b", re.I)
# "Which source is most critical of Russia?", "Which of the outlets is more sympathetic to Baku?": every source's
# lines are needed to rank them (one source's line is no answer to "which is most").
_WHICH_SOURCE_MOST = re.compile(r"\b(?:which|what)\s+(?:one\s+)?(?:of\s+(?:the|these)\s+)?(?:sources?|outlets?|"
                                r"articles?|authors?|pieces?|writers?|reports?|publications?)\s+(?:is|are|was|were|"
                                r"seems?|sounds?|looks?)\s+(?:the\s+)?(?:most|more|least|less)\b", re.I)


def is_comparative(question: str) -> bool:
    """Whether a question asks how several sources or people compare ("how do the sources differ")."""
    own = [m.span() for m in _ONE_COMPARES.finditer(question)]
    cues = [m for m in _COMPARATIVE.finditer(question)
            if not (m.group(0).lower().startswith("compare") and any(a <= m.start() < b for a, b in own))]
    return bool(cues or _HOW_DO_BOTH.search(question) or _DO_BOTH_AGREE.search(question)
                or _WHO_AND_WHO.search(question) or _WHO_JUDGES.search(question)
                or _WHICH_SOURCE_MOST.search(question))


def _title_cased(question: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", question) if len(w) > 3]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) / len(words) >= 0.85


def question_terms(question: str, labels: Iterable[str] = ()) -> QuestionTerms:
    """Names (less source labels such as 'Alwaght', which attribute rather than ask), digit numbers,
    the kind of answer asked for and the content words of a question."""
    label_words = {w.lower() for label in labels for w in re.findall(r"[\w'’-]+", label)}
    names: list[tuple[str, tuple[str, ...]]] = []
    runs: list[str] = []
    if not _title_cased(question):
        for run in cap_runs(question):
            kept = [w for w in run if is_name(w) and w.lower() not in _FRAME and w.lower() not in label_words]
            names += [(w, tuple(run)) for w in kept]
            if kept:
                runs.append(_as_written(question, [w for w in run if w.lower() not in _FRAME]))
    numbers = [(v, _number_as_written(question, m)) for m in _DIGITS.finditer(question)
               for v in sorted(extract_numbers(m.group(0)))][:6]
    months = tuple(dict.fromkeys(m.group(1) for m in _MONTH.finditer(question)))
    asks, counted, clause = None, "", False
    quantity = _QUANTITY.search(question)
    if quantity:
        asks = "quantity" if (quantity.group(1) or "").lower() == "many" else "amount"
        rest = quantity.group("rest") or quantity.group("rest2") or ""
        split = _AUX.split(rest, maxsplit=1)
        counted = split[0].strip()
        clause = len(split) == 1 and len(counted.split()) > 1
    elif _TIME.search(question):
        asks = "future-time" if _ASKS_FUTURE.search(question) else "time"
    name_words = {w.lower() for w, _ in names} | label_words
    focus = tuple(dict.fromkeys(w for w in tokenize(question) if w not in _GENERIC and w not in _FRAME
                                and w not in name_words and not any(ch.isdigit() for ch in w)
                                and w not in _ASKING))
    return QuestionTerms(names=tuple(names), numbers=tuple(dict.fromkeys(numbers)), months=months, asks=asks,
                         counted=counted, counted_clause=clause,
                         focus=focus, comparative=is_comparative(question), runs=tuple(dict.fromkeys(runs)))


class _Text:
    """One document as the checks look it up: its names with their aliases, and its numbers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names = PassageNames(text)
        self.numbers = extract_numbers(text)

    def has_name(self, word: str, run: Sequence[str]) -> bool:
        return self.names.mentions(word, run)

    def has_number(self, value: float) -> bool:
        return value in self.numbers


def _join(items: Sequence[str], word: str = "or") -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1]


def _missing(terms: QuestionTerms, texts: Sequence[_Text]) -> AnswerGate | None:
    absent_names = [(w, run) for w, run in terms.names if not any(t.has_name(w, run) for t in texts)]
    absent_numbers = [shown for value, shown in terms.numbers if not any(t.has_number(value) for t in texts)]
    if not absent_names and not absent_numbers:
        return None
    words = [w for w, _ in absent_names]
    shown_runs = [run for run in terms.runs if any(w in run.split() for w in words)]
    missing = list(dict.fromkeys([*shown_runs, *absent_numbers]))
    return AnswerGate(kind="missing", missing=tuple(missing),
                      message=f"The sources do not mention {_join(missing)}.")


def _shown(terms: QuestionTerms, items: Sequence[tuple[str, object]]) -> list[str]:
    """Name words as the question wrote their run ("FIFA World Cup"), numbers as written."""
    out = []
    for word, extra in items:
        if isinstance(extra, float):
            out.append(word)
        elif extra == "month":
            if not any(word in shown for shown in out):
                out.append(word)
        else:
            out.append(next((r for r in terms.runs if word in [w.strip(".,") for w in r.split()]), word))
    return list(dict.fromkeys(out))


def _unlinked(terms: QuestionTerms, texts: Sequence[_Text]) -> AnswerGate | None:
    """Every name and number of a (non-comparative) question must be found in one document together."""
    specifics: list[tuple[str, object]] = [*terms.names, *((shown, value) for value, shown in terms.numbers),
                                           *((month, "month") for month in terms.months)]
    if terms.comparative or len({word for word, _ in specifics}) < 2:
        return None

    def found(text: _Text, item: tuple[str, object]) -> bool:
        word, extra = item
        if isinstance(extra, float):
            return text.has_number(extra)
        if extra == "month":
            return re.search(rf"\b{word}\b", text.text) is not None
        return text.has_name(word, extra)  # type: ignore[arg-type]

    best = max(texts, key=lambda t: sum(found(t, s) for s in specifics))
    apart = [s for s in specifics if not found(best, s)]
    if not apart:
        return None
    apart_shown = _shown(terms, apart)
    together_shown = [s for s in _shown(terms, [s for s in specifics if s not in apart]) if s not in apart_shown]
    if not together_shown:
        return None
    together_shown = sorted(together_shown, key=len, reverse=True)[:2]  # the most specific names
    return AnswerGate(kind="unlinked", missing=tuple(apart_shown),
                      message=f"No source mentions {_join(apart_shown, 'and')} together with "
                              f"{_join(together_shown, 'and')}.")


def _sentences_with(texts: Sequence[str], words: set[str]) -> Iterable[str]:
    """Sentences on the subject: sharing two of its words (its one word, when it has one)."""
    need = min(2, len(words))
    for text in texts:
        for sentence in split_sentences(text):
            if len(words & {fold(w) for w in tokenize(sentence.text)}) >= need:
                yield sentence.text


def _quantity_check(subject: set[str]) -> Callable[[str], bool]:
    def has_quantity(sentence: str) -> bool:
        """A number that is not year-like ("2020"), unless what is counted follows it ("2000 troops"), or a
        number word."""
        for match in _DIGITS.finditer(sentence):
            if not _YEAR.fullmatch(match.group(0).strip()):
                return True
            after = tokenize(sentence[match.end():match.end() + 30])[:1]
            if after and fold(after[0]) in subject:
                return True
        return bool(_NUMBER_WORDS.search(sentence))
    return has_quantity


def _has_date(sentence: str) -> bool:
    return bool(_YEAR.search(sentence) or _DATE_WORDS.search(sentence))


def _has_future_date(sentence: str) -> bool:
    """A date said of what is yet to happen ("will be signed in 2025", "is scheduled for next month"): the past
    dates of a story do not answer "When will ...?"."""
    return _has_date(sentence) and bool(_FUTURE.search(sentence))


def _answer_type(terms: QuestionTerms, passages: Sequence[str]) -> AnswerGate | None:
    """A quantity or time question needs a sentence on its subject that gives a number or a date."""
    if terms.asks is None or terms.comparative:
        return None
    counted = [w for w in tokenize(terms.counted) if w not in _GENERIC]
    # "how many people (died ...)": any group counts, and the subject is what happened to them
    head = [] if not counted or _PEOPLE & set(counted[:2]) else counted[-1:]
    subject = {fold(w) for w in (head or terms.focus)}
    if not subject:
        return None
    check = {"time": _has_date, "future-time": _has_future_date}.get(terms.asks or "") or _quantity_check(subject)
    if any(check(s) for s in _sentences_with(passages, subject)):
        return None
    if terms.asks == "future-time":
        return AnswerGate(kind="answer-type", missing=("a future date",),
                          message="The sources do not say when this will happen.")
    if terms.asks != "time":
        what = ("a number of " if terms.asks == "quantity" else "a figure for ") + terms.counted \
            if terms.counted else "that figure"
        message = f"The sources do not give {what}."
        if terms.asks == "quantity" and terms.counted_clause:  # "how many people died in the war"
            message = f"The sources do not say how many {terms.counted}."
        return AnswerGate(kind="answer-type", missing=(terms.counted or "a number",), message=message)
    return AnswerGate(kind="answer-type", missing=("a date",), message="The sources do not give a date for this.")


#: "What did X say / tell / think ...", "How did X respond ...", "What was X's reaction ...": the question asks
#: for a person's words, which only a line where that person speaks can give.
_SPEECH = re.compile(r"^\s*(?:and\s+|so\s+)?(?:what|how)\s+(?:did|does|do|has|have|had|would|will)\s+(?P<who>[^?]+?)\s+"
                     r"(?:say|tell|think|claim|argue|mention|suggest|propose|announce|reply|respond|react|comment|"
                     r"state|answer|declare)\b", re.I)
_REACTION = re.compile(r"^\s*what\s+(?:was|is|were|are)\s+(?P<who>[^?]+?)[’']s\s+(?:response|reaction|reply|comment|"
                       r"statement|answer)\b", re.I)
_BODIES = frozenset("Ministry Government Office House Union Council Kremlin Department Parliament Committee Mission "
                    "Group Organization Organisation Authorities Officials".split())


def _asked_speaker(question: str, labels: Iterable[str]) -> tuple[str, str] | None:
    """(surname, the person as the question names them) when the question asks what a person said; None for a
    body ("the ministry"), a pronoun, or a source the question names by its label (an author's piece is their
    own words)."""
    match = _SPEECH.match(question) or _REACTION.match(question)
    if match is None:
        return None
    who = match.group("who").strip()
    names = [w for w in re.findall(r"[A-Z][\w’'-]+", who) if is_name(w)]
    if not names or not who.endswith(names[-1]) or names[-1] in _BODIES \
            or any(names[-1] in label.split() for label in labels):  # "the Russian foreign ministry": a body
        return None
    return names[-1], re.sub(r"^(?:the|a|an)\s+", "", who, flags=re.I)


def _unheard(question: str, documents: Sequence[str], labels: Iterable[str]) -> AnswerGate | None:
    """A question about what a person said, when no document has a line where that person speaks (named with a
    reporting verb, "according to" them, or "he" / "the diplomat" after being named): mentioning them is not
    quoting them ("Lavrov discussed ... with Ararat Mirzoyan" reports nothing Mirzoyan said)."""
    asked = _asked_speaker(question, labels)
    if asked is None:
        return None
    surname, shown = asked
    heard: list[str] = []  # each line where the person speaks, with the line after it (a quote runs on)
    for text in documents:
        if surname not in text:
            continue
        lines = [Evidence(n=i, doc_id="", file_name="", title="", source="", start=s.start, end=s.end, text=s.text,
                          score=0.0) for i, s in enumerate(split_sentences(text), start=1)]
        spoken = {n for n, (speaker, _) in find_speakers(lines).items() if speaker.split()[-1] == surname}
        for i, line in enumerate(lines):  # "She added ..." right after a sentence that names the person
            if speaker_in(line.text) == (None, True) and any(surname in e.text for e in lines[max(0, i - 2):i]):
                spoken.add(line.n)
        heard += [" ".join(e.text for e in lines[n - 1:n + 1]) for n in sorted(spoken)]
    if not heard:
        return AnswerGate(kind="answer-type", missing=(shown,),
                          message=f"The sources do not report anything {shown} said.")
    found = TOPIC.search(question)
    about = found.group("topic").strip() if found else ""
    # "What did X say about <topic>?": the topic's names ("the CSTO", "U.S. involvement"), less the person's own
    topic = [(w, tuple(run)) for run in cap_runs(about) for w in run if is_name(w) and w != surname]
    if topic and not any(_mentions_any(line, topic) for line in heard):
        return AnswerGate(kind="answer-type", missing=(f"{shown} on {about}",),
                          message=f"The sources do not report anything {shown} said about {about}.")
    return None


#: What a question is about, at its end: "... about / on / regarding / concerning / of <topic>?" (the speech
#: gate's topic, and a follow-up's "Does X agree?" asked on it).
TOPIC = re.compile(r"\b(?:about|on|regarding|concerning|of)\s+(?P<topic>[^?]+?)\s*\??\s*$", re.I)


def _mentions_any(text: str, names: Sequence[tuple[str, tuple[str, ...]]]) -> bool:
    passage = PassageNames(text)
    return any(passage.names(w, run) for w, run in names)


def check_answerable(question: str, passages: Sequence[str], documents: Mapping[str, str],
                     labels: Iterable[str] = ()) -> AnswerGate | None:
    """None when the sources may answer `question`; else why not.

    `passages` are the retrieved chunks (and evidence) the answer would draw on; `documents` the
    full texts of the retrieved documents (names and numbers are looked up there, so a name outside
    the retrieved chunks of a document that has it is not 'missing'); `labels` the collection's
    source labels, which a question may use to attribute ("according to Alwaght") without asking
    about them."""
    labels = list(labels)
    terms = question_terms(question, labels)
    texts = [_Text(t) for t in documents.values() if t] or [_Text("\n".join(passages))]
    return _missing(terms, texts) or _unlinked(terms, texts) or _answer_type(terms, passages) or \
        _unheard(question, [t.text for t in texts], labels)


# "Is Armenia a member of the CSTO?", "Did Russia send troops?", "And has Baku agreed?"
_POLAR = re.compile(r"^\s*(?:and\s+|so\s+|but\s+)?(?:is|are|was|were|has|have|had|does|do|did|can|could|will|would|"
                    r"should|isn['’]t|aren['’]t|wasn['’]t|doesn['’]t|didn['’]t|hasn['’]t)\s", re.I)


def polar_names(question: str, labels: Iterable[str] = ()) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The names a yes/no question asks about ("Is Armenia a member of the CSTO?": Armenia, CSTO), less source
    labels; none for any other question, or one that compares sources."""
    if not _POLAR.match(question):
        return ()
    terms = question_terms(question, labels)
    if terms.comparative:
        return ()
    short = [(w, (w,)) for w in re.findall(r"\b[A-Z]{2}\b", question)]  # "EU", "US": too short for is_name
    return tuple(dict.fromkeys([*terms.names, *short]))


# News names a state by its capital or seat of government ("Moscow said", "the Kremlin", "Washington's role"):
# a line saying "Moscow" speaks of Russia. Both ways: a question on Baku is answered by a line on Azerbaijan.
_SEATS = {
    "russia": ("moscow", "kremlin"), "united states": ("washington", "white house"), "us": ("washington",),
    "usa": ("washington",), "america": ("washington",), "azerbaijan": ("baku",), "armenia": ("yerevan",),
    "iran": ("tehran",), "turkey": ("ankara",), "ukraine": ("kyiv", "kiev"), "china": ("beijing",),
    "eu": ("brussels",), "european union": ("brussels",), "united kingdom": ("london",), "uk": ("london",),
    "britain": ("london",), "france": ("paris", "elysee", "élysée"), "germany": ("berlin",), "georgia": ("tbilisi",),
    "israel": ("jerusalem",), "japan": ("tokyo",), "india": ("delhi",), "pakistan": ("islamabad",),
    "syria": ("damascus",), "iraq": ("baghdad",), "egypt": ("cairo",), "saudi arabia": ("riyadh",),
    "belarus": ("minsk",), "kazakhstan": ("astana",), "poland": ("warsaw",), "italy": ("rome",), "spain": ("madrid",),
    "north korea": ("pyongyang",), "south korea": ("seoul",), "afghanistan": ("kabul",), "qatar": ("doha",),
}


def _seat_forms(word: str, run: Sequence[str]) -> set[str]:
    """Other names news gives the state (or the capital) a name word belongs to: "Russia" -> Moscow, Kremlin;
    "Moscow" -> Russia; none for a name that is neither."""
    joined = " ".join(run).lower()
    forms: set[str] = set()
    for state, seats in _SEATS.items():
        if state == word.lower() or re.search(rf"\b{re.escape(state)}\b", joined):
            forms |= set(seats)
        if word.lower() in seats:
            forms.add(state)
    return forms


def _speaks_of(text: str, read: PassageNames, word: str, run: Sequence[str]) -> bool:
    return read.mentions(word, run) or any(re.search(rf"\b{re.escape(form)}\b", text, re.I)
                                           for form in _seat_forms(word, run))


# The topic right after the speech verb: "say about the border", not "respond after Azerbaijan accused ... of
# not fulfilling the agreements" (what prompted the words, not what they were about).
_SAID_ABOUT = re.compile(r"\b(?:say|tell|think|claim|argue|mention|write|comment|state|declare|suggest|propose)\s+"
                         r"(?:\w+\s+)?(?:about|on|regarding|concerning)\s+(?P<topic>[^?]+?)\s*\??\s*$", re.I)


def speech_topic(question: str) -> tuple[str, tuple[str, ...]] | None:
    """What a question on a person's words asks them about, as written and as its content words (first five
    letters): "What did Galuzin say about the border?" -> ("the border", ("borde",)); None for other questions."""
    found = _SAID_ABOUT.search(question) if _SPEECH.match(question) else None
    about = found.group("topic").strip() if found else ""
    words = tuple(dict.fromkeys(w[:5] for w in tokenize(about) if w not in _GENERIC))
    return (about, words) if words else None


def off_question(sentences: Sequence[AnswerSentence], names: Sequence[tuple[str, tuple[str, ...]]],
                 topic: tuple[str, tuple[str, ...]] | None = None
                 ) -> tuple[list[AnswerSentence], list[RemovedSentence]]:
    """A yes/no question is answered only by a sentence that speaks of what it asks about: one whose words and
    cited lines leave out one of its names answers another question ("Is Armenia a member of the CSTO?" with
    "Armenia is a member of the Eurasian Economic Union"), so it is removed, the reason kept. Asked what someone
    said about a topic (`topic`), a sentence whose words and lines share none of the topic's words answers
    something else ("What did Galuzin say about the border?" with his words on the peace treaty)."""
    kept: list[AnswerSentence] = []
    removed: list[RemovedSentence] = []
    for sentence in sentences:
        if not (names or topic) or "refusal" in sentence.flags:
            kept.append(sentence)
            continue
        text = " ".join([sentence.text, *(c.quote for c in sentence.citations)])
        read = PassageNames(text)
        absent = list(dict.fromkeys(w for w, run in names if not _speaks_of(text, read, w, run)))
        if topic is not None and not prefixes(text) & set(topic[1]):
            absent.append(topic[0])
        if absent:
            removed.append(RemovedSentence(text=sentence.text, verdict=sentence.verdict,
                                           reason=f"does not speak of {_join(absent, 'and')}, which the question "
                                                  "asks about"))
        else:
            kept.append(sentence)
    return kept, removed


# "What's the main point of the Chalenko piece?", "whats chalenkos main argument", "What is Alwaght's thesis?",
# "What's Caucasus Watch's headline?"
_THESIS = re.compile(r"\b(?:(?:main|central|key|core|overall|basic)\s+(?:point|argument|thesis|message|claim|idea|"
                     r"conclusion|takeaway|view|position)s?|thesis|gist|bottom\s+line|what\s+is\s+\S+\s+arguing|"
                     r"headlines?|title)\b",
                     re.I)


# "Does Chalenko think Russia is the main obstacle?": whether the piece holds a view. (Not "What does Chalenko
# think about Russia's role?": shown the headline first, the model answered that probe worse, 2026-12-04.)
_VIEW = re.compile(r"^\s*(?:and\s+|so\s+)?(?:does|do|did|would)\s+\S.*?\s+(?:really\s+|also\s+)?"
                   r"(?:think|believe|argue|claim|consider|feel)\b", re.I)


def asks_thesis(question: str) -> bool:
    """Whether a question asks for a piece's main point (or its headline), which its headline states, or for
    whether its author or outlet holds a view ("Does Chalenko think ...?"), which an op-ed states there too."""
    return _THESIS.search(question) is not None or _VIEW.match(question) is not None
