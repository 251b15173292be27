"""False premises: what a "why" question takes for granted, stated as a claim the verifier can judge.

"Why did Russia close its embassy in Baku in 2022?" asks for a reason and presupposes that Russia
closed it. Answering the reason turns that presupposition into a sourced-looking fact, so the
presupposition is judged against the evidence first; when the evidence does not support it, the
answer says so and quotes what the sources do say instead of explaining something that did not happen.

The presupposition is read off the question by rules (no model call): a why-question is an
auxiliary-inverted statement, so dropping "why" and putting the auxiliary back after the subject
gives it. Other question forms are not checked here: their presuppositions ("What did X say about
Y?") are caught by `rag.gates` when X and Y are never mentioned together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.evidence import labelled_passage
from rag.retrieval import prefixes, tokenize
from rag.types import AnswerGate, ClaimVerifier, Evidence, Verdict
from rag.verify.checks import is_name

__all__ = ["premise_conflicts", "premise_gate", "presupposition"]

_WHY = re.compile(r"^\s*(?:and\s+|so\s+|but\s+)?(?:why|how\s+come)\b,?\s*(?P<rest>.+?)\s*\??\s*$", re.I)
#: A question that states its premise in a leading clause: "Since X, what ...?", "Given that X, how ...?".
_GIVEN = re.compile(r"^\s*(?:since|given that|now that|seeing that|considering that|as)\s+(?!for\b|to\b|of\b|well\b)"
                    r"(?P<premise>[^,?]+?),\s*(?:(?:so|then)\s+)?(?:what|why|how|who|whom|which|when|where|does|do|did|"
                    r"is|are|was|were|can|could|should|would|will|has|have)\b", re.I)
_ASIDE = re.compile(r",?\s*according to [^,?]+(?:,\s*|$)", re.I)
_AUX = ("did", "does", "do", "has", "have", "had", "is", "are", "was", "were", "would", "will", "could",
        "should", "can", "might", "must")
_PERFECT = ("has", "have", "had")
_BE = ("is", "are", "was", "were")
_PARTICIPLES = frozenset(
    "become been kept made done gone taken given held led left lost met paid put run said seen sent set shut "
    "spent stood told thought won withdrawn written brought built bought come cut dealt drawn fallen felt fought "
    "found got gotten known let meant sought sold spoken begun broken chosen".split())
_SUBJECT_WORDS = frozenset(
    "the a an its his her their this that these those some many most both all several two three four five "
    "foreign prime deputy former new top senior chief armed russian american european other local regional "
    "international military political main key so-called".split())
_IRREGULAR = {
    "be": "was", "become": "became", "begin": "began", "break": "broke", "bring": "brought", "build": "built",
    "buy": "bought", "choose": "chose", "come": "came", "cut": "cut", "deal": "dealt", "do": "did", "draw": "drew",
    "fall": "fell", "feel": "felt", "fight": "fought", "find": "found", "get": "got", "give": "gave", "go": "went",
    "have": "had", "hold": "held", "keep": "kept", "know": "knew", "lead": "led", "leave": "left", "let": "let",
    "lose": "lost", "make": "made", "mean": "meant", "meet": "met", "pay": "paid", "put": "put", "run": "ran",
    "say": "said", "see": "saw", "seek": "sought", "sell": "sold", "send": "sent", "set": "set", "shut": "shut",
    "speak": "spoke", "spend": "spent", "stand": "stood", "take": "took", "teach": "taught", "tell": "told",
    "think": "thought", "understand": "understood", "win": "won", "withdraw": "withdrew", "write": "wrote",
}


def _past(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR:
        return _IRREGULAR[low]
    if low.endswith("e"):
        return verb + "d"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ied"
    if re.search(r"(?:^|[^aeiou])[aeiou][bdgmnpt]$", low) and len(low) <= 4:
        return verb + verb[-1] + "ed"  # "stop" -> "stopped", "ban" -> "banned"
    return verb + "ed"


def _third_person(verb: str) -> str:
    low = verb.lower()
    if low in {"have", "do", "go"}:
        return {"have": "has", "do": "does", "go": "goes"}[low]
    if re.search(r"(?:s|sh|ch|x|z)$", low):
        return verb + "es"
    if re.search(r"[^aeiou]y$", low):
        return verb[:-1] + "ies"
    return verb + "s"


def _is_verb_candidate(word: str) -> bool:
    """The first word after the subject: lower-case, not a determiner or a subject-forming word, not a
    plural noun or an adjective by its ending (a base-form verb after 'did' takes no -s)."""
    low = word.lower().strip(",")
    if not low.isalpha() or word[0].isupper() or low in _SUBJECT_WORDS:
        return False
    if low.endswith("s") and not low.endswith(("ss", "us")):
        return False
    return not low.endswith(("al", "ian", "ese", "ist", "ic", "ive", "ary", "ern"))


def presupposition(question: str) -> str | None:
    """The statement a question takes for granted: a why-question's, or a leading clause's ("Since Chalenko
    calls Russia a good mediator, what does he ..." -> "Chalenko calls Russia a good mediator"); else None.

    "Why did Russia close its embassy in Baku in 2022?" -> "Russia closed its embassy in Baku in 2022";
    "Why has Armenia kept the crossing blocked?" -> "Armenia has kept the crossing blocked"."""
    given = _GIVEN.match(question)
    if given is not None and len(given.group("premise").split()) >= 3:
        return _sentence(given.group("premise").split())
    match = _WHY.match(question)
    if match is None:
        return None
    rest = _ASIDE.sub(" ", " " + match.group("rest")).strip()
    words = rest.split()
    if len(words) < 3 or words[0].lower() not in _AUX:
        return None
    aux, body = words[0].lower(), words[1:]
    verb_at = _verb_position(aux, body)
    if verb_at is None:
        return None
    subject, verb, tail = body[:verb_at], body[verb_at], body[verb_at + 1:]
    if aux in _BE and not _is_participle(verb):  # "Why is Russia the main obstacle?": a copula, no verb
        split = _name_subject_end(body)
        return _sentence([*body[:split], aux, *body[split:]])
    if aux == "did":
        phrase = [_past(verb)]
    elif aux in {"does", "do"}:
        plural = aux == "do" or subject[-1].lower() in {"they", "we", "you", "i"}
        phrase = [verb if plural else _third_person(verb)]
    else:
        phrase = [aux, verb]
    return _sentence([*subject, *phrase, *tail])


def _sentence(words: list[str]) -> str | None:
    statement = " ".join(words).strip(" ,")
    return statement[0].upper() + statement[1:] if statement else None


def _is_participle(word: str) -> bool:
    low = word.lower().strip(",")
    return low in _PARTICIPLES or low.endswith(("ed", "en", "wn", "ing"))


def _verb_position(aux: str, body: list[str]) -> int | None:
    """Where the verb starts: after "has"/"is" the first participle ("having leverage has become"), else
    the first word that can be a base-form verb."""
    if aux in _PERFECT or aux in _BE:
        found = next((i for i, w in enumerate(body) if i > 0 and not w[0].isupper() and _is_participle(w)), None)
        if found is not None:
            return found
    return next((i for i, w in enumerate(body) if i > 0 and _is_verb_candidate(w)), None)


def _name_subject_end(body: list[str]) -> int:
    """After a leading name ("Russia", "the U.S. State Department"): where a copula goes."""
    i = 0
    while i < len(body) and (body[i][0].isupper() or (body[i].lower() in {"the", "a", "an"} and i + 1 < len(body)
                                                      and body[i + 1][0].isupper())):
        i += 1
    return max(i, 1)


_NAME = re.compile(r"\b[A-Z][\w’'.-]*[A-Za-z]")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d|\b\d\b")
_PASSIVE = re.compile(r"\b(?:is|are|was|were|been|being|be)\s+$")


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'.-]+", text)


def _name_after(text: str, at: int, span: int = 40) -> str | None:
    """The first capitalised word within `span` characters after position `at`."""
    found = _NAME.search(text[at:at + span])
    return _bare(found.group(0)) if found else None


def _bare(name: str) -> str:
    return name.removesuffix("’s").removesuffix("'s").strip(".")


def _number_attachment(premise: str, sentences: list[str]) -> list[str]:
    """"94 per cent of Azerbaijan's imports" against "94 per cent of arms imported into Armenia and 60 per
    cent into Azerbaijan": the figure belongs to another name in the sentence that states it."""
    out = []
    for match in _NUMBER.finditer(premise):
        number, mine = match.group(0), _name_after(premise, match.end())
        if mine is None or _YEAR.fullmatch(number):
            continue
        for sentence in sentences:
            at = re.search(rf"(?<![\w.]){re.escape(number)}(?![\d])", sentence)
            theirs = _name_after(sentence, at.end()) if at else None
            if theirs and theirs != mine and mine in sentence:
                out.append(f"{number} is given for {theirs}, not {mine}")
                break
    return out


_NOT_ACTS = frozenset(_AUX) | frozenset(
    "and or but be been being may not also still just even only already since after before about against between "
    "during under until within without through across among around along because while where which who that than "
    "then there their these those other".split())
_YEAR = re.compile(r"(?<![\w.])(?:19|20)\d\d(?![\w.])")


def _year_attachment(premise: str, sentences: list[str]) -> list[str]:
    """"Russia deployed 2000 troops in 2022" against "In autumn 2020, ... Russia deployed 2000 troops": the line
    that states the premise's act gives it another year, and no line on the act gives the premise's year (2022
    is elsewhere in the evidence, of another event)."""
    for year in dict.fromkeys(_YEAR.findall(premise)):
        rest = {w[:5] for w in tokenize(_YEAR.sub(" ", premise)) if not w[:1].isdigit() or len(w) < 4}
        if len(rest) < 2:
            continue
        shared = [(len(rest & prefixes(s)) / len(rest), s) for s in sentences]
        if any(share >= 0.4 and year in _YEAR.findall(s) for share, s in shared):
            continue
        best, line = max(shared, key=lambda row: row[0], default=(0.0, ""))
        theirs = [y for y in dict.fromkeys(_YEAR.findall(line)) if y not in premise]
        if best >= 0.6 and theirs:
            return [f"the sources give {' and '.join(theirs)}, not {year}"]
    return []


def _subject_swap(premise: str, sentences: list[str]) -> list[str]:
    """"Armenia has kept the crossing blocked" against "Azerbaijan has blocked the crossing ... pressure on
    Armenia": the sentence that states the act names another actor right before the same verb. (Not for a
    premise that reports a view, "Galuzin says Russia's role has no alternative": the act there is the
    speaker's, and the words after it have subjects of their own; `_speaker_swap` checks who said them.)"""
    if _REPORTS.match(premise):
        return []
    first = next((m for m in _NAME.finditer(premise) if is_name(_bare(m.group(0)))), None)
    if first is None:
        return []
    mine = _bare(first.group(0))
    rest = premise[first.end():]
    # The act: the first word after the subject that is no auxiliary or function word, and any past participle
    # ("has kept the crossing blocked"); not a noun after a determiner, not "since" or "troops" further on.
    words = [m for m in re.finditer(r"[a-z][\w'’-]+", rest)
             if m.group(0) not in _NOT_ACTS and not _NOUN_BEFORE.search(rest[:m.start()])]
    verbs = [m.group(0) for i, m in enumerate(words) if len(m.group(0)) > 4 and (i == 0 or m.group(0).endswith("ed"))]
    for sentence in sentences:
        if mine not in sentence:
            continue
        for verb in verbs:
            found = re.search(rf"\b{re.escape(verb[:5])}\w*", sentence)
            if found is None or _root(found.group(0)) != _root(verb):  # "suppliers" is no form of "supplied"
                continue
            clause = re.split(r"[,;:]", sentence[:found.start()])[-1]
            if _NOUN_BEFORE.search(clause):  # "With this corridor": the premise's word used as a noun, no act
                continue
            names = [n for n in _NAME.findall(clause) if is_name(_bare(n))]  # "With ..." opens, names nothing
            if not names or _PASSIVE.search(clause) or re.match(r"\s*by\b", sentence[found.end():]):
                continue
            theirs = _bare(names[-1])
            if theirs != mine and theirs.lower() not in premise.lower():
                return [f"the sources say {theirs}, not {mine}, {found.group(0)}"]
    return []


# A determiner, perhaps with names between ("the Lachin crossing"), right before a word: a noun there, no act.
_NOUN_BEFORE = re.compile(r"\b(?i:the|this|that|these|those|a|an|its|their|his|her)\s+(?:[A-Z][\w'’-]*\s+)*$")


def _root(word: str) -> str:
    """A word without its verbal ending: "supplied", "supplies", "supply" -> "suppl"; "suppliers" -> "supplier"."""
    word = word.lower()
    for ending in ("ing", "ied", "ies", "ed", "es", "s", "d", "e", "y"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[:-len(ending)]
    return word


def _modifier_swap(premise: str, sentences: list[str]) -> list[str]:
    """"the Russian political scientist" against "an Ukrainian political scientist": the same description
    with another name in front of it."""
    out = []
    for match in re.finditer(r"\b([A-Z][a-z]+)\s+([a-z]{4,})\s+([a-z]{4,})\b", premise):
        mine, phrase = match.group(1), f"{match.group(2)} {match.group(3)}"
        if re.search(rf"\b{mine}\s+{phrase}\b", " ".join(sentences)):
            continue
        for sentence in sentences:
            theirs = re.search(rf"\b([A-Z][a-z]+)\s+{phrase}\b", sentence)
            if theirs and theirs.group(1) != mine:
                out.append(f"the sources say {theirs.group(1)} {phrase}, not {mine} {phrase}")
                break
    return out


_SAYS = r"(?:said|says|stated|states|noted|notes|argued|argues|emphasi[sz]ed|emphasi[sz]es|told|warned|warns|" \
        r"claimed|claims|added|remarked|stressed|stressing|stating|saying|noting|arguing|warning|claiming)"
_PERSON = r"((?:[A-Z][\w’'.-]+\s+){0,3}[A-Z][\w’'-]+)"
_QUOTES_AS = re.compile(rf"\bquot(?:es|ed|ing)\s+{_PERSON}(?:\s+as\s+{_SAYS}|\s*[:,])")
_SAYS_AFTER = re.compile(rf"{_PERSON}(?:,[^,]{{1,60}},)?\s+{_SAYS}\b")


_REPORTS = re.compile(rf"^\s*{_PERSON}\s+(?:{_SAYS}|thinks?|believes?|calls?|considers?|describes?|sees?|views?|"
                      r"insists?|accuses?|blames?)\b")


def _speaker_swap(claim: str, sentences: list[str]) -> list[str]:
    """"X quotes Putin as stating that Russia's objective is ..." against "Galuzin remarked ..., stating that
    Russia's objective is ...": the words are the claim's, the speaker is another person."""
    found = _QUOTES_AS.search(claim) or _SAYS_AFTER.search(claim)
    if found is None:
        return []
    mine = _bare(found.group(1).split()[-1])
    if not is_name(mine):
        return []
    said = set(tokenize(claim[found.end():])) - set(tokenize(found.group(0)))
    if len(said) < 4:
        return []
    best = max(sentences, key=lambda s: len(said & set(tokenize(s))), default="")
    if len(said & set(tokenize(best))) < 0.5 * len(said) or mine.lower() in best.lower():
        return []
    theirs = [_bare(m.group(1).split()[-1]) for m in _SAYS_AFTER.finditer(best)]
    theirs = [t for t in theirs if is_name(t) and t != mine]
    return [f"the sources give these words to {theirs[0]}, not {mine}"] if theirs else []


def premise_conflicts(premise: str, passages: list[str]) -> list[str]:
    """Recombinations a judge reading the passage's own words misses: a figure, an act, a description or
    words that the sources attach to another name than the premise (or claim) does."""
    sentences = [s for p in passages for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()]
    return _number_attachment(premise, sentences) or _year_attachment(premise, sentences) or \
        _subject_swap(premise, sentences) or _modifier_swap(premise, sentences) or _speaker_swap(premise, sentences)


def _lower_first(statement: str) -> str:
    """"The Russian ..." -> "the Russian ..." inside a sentence; names and "I" keep their capital."""
    first, _, rest = statement.partition(" ")
    if first.lower() in {"the", "a", "an", "she", "he", "they", "it", "we", "you", "this", "that", "these", "those",
                         "having", "its", "his", "her", "their"}:
        return f"{first.lower()} {rest}".strip()
    return statement


def stated_premise(question: str) -> str | None:
    """The premise a question states in a leading clause ("Since X, what ...?"), which the question's own
    evidence need not bear on: it is checked against evidence found for it."""
    given = _GIVEN.match(question)
    return presupposition(question) if given is not None else None


def holder_lines(premise: str, lines: Sequence[Evidence]) -> list[Evidence] | None:
    """For a premise that reports someone's view ("Chalenko thinks ..."), the lines that can give it (see
    `_voices`); None for a premise that reports no one's."""
    holder = _view_holder(premise)
    return None if holder is None else [e for e in lines if _voices(e, holder)]


def _view_holder(premise: str) -> str | None:
    """Whose view a premise reports ("Chalenko thinks Russia is a good mediator" -> "Chalenko")."""
    found = _REPORTS.match(premise)
    if found is None:
        return None
    name = _bare(found.group(1).split()[-1])
    return name if is_name(name) else None


def _voices(e: Evidence, holder: str) -> bool:
    """A line that can give the holder's view: from the holder's own piece (its author or outlet), or naming
    the holder (quoted, reported). Another source's line on the same subject says what that source thinks."""
    named = re.compile(rf"(?<![\w-]){re.escape(holder)}(?![\w-])", re.I)
    return bool(named.search(e.source) or named.search(e.reading))


def premise_gate(question: str, evidence: Sequence[Evidence], verifier: ClaimVerifier) -> AnswerGate | None:
    """A question whose presupposition (a why-question's, or a leading clause's) the evidence does not support
    (the verifier's verdict, or a recombination conflict): the gate that answers with a correction instead."""
    presupposed = presupposition(question)
    if presupposed is None:
        return None
    held = holder_lines(presupposed, evidence)
    if held is not None:  # "Chalenko thinks ...": only his lines can say what he thinks
        evidence = held
        if not evidence:
            return AnswerGate(kind="premise", premise=presupposed,
                              verdict=Verdict(label="unsupported", score=0.0, judge="view holder"),
                              message=f"The sources do not say that {_lower_first(presupposed)}.")
    verdict = verifier.verify(presupposed, [labelled_passage(e.source, e.reading) for e in evidence])
    conflicts = premise_conflicts(presupposed, [e.text for e in evidence])
    if verdict.label == "supported" and not conflicts:
        return None
    because = f": {conflicts[0]}" if conflicts else ""
    return AnswerGate(kind="premise", premise=presupposed, verdict=verdict, missing=tuple(conflicts),
                      message=f"The sources do not say that {_lower_first(presupposed)}{because}.")
