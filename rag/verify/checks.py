"""Deterministic checks that catch what small models miss: numbers, dates, names, negation.

Each check compares a claim with the passage text it cites. They are precise rather than
complete: they fire on concrete evidence of a mismatch (a number in the claim that the passage
never states, a name the passage never mentions, a negation the passage lacks).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.ingest.sentences import split_sentences

__all__ = ["CheckResult", "PassageNames", "cap_runs", "deterministic_checks", "extract_names", "extract_numbers",
           "has_negation", "is_name"]

_FLIP_SHARE = 0.8  # share of the claim's content words an aligned sentence needs to count as a negation flip
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec").split()
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "hundred": 100,
                 "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9}
_NUM = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion|bn|k|m)\b)?", re.I)
_YEAR_RANGE = re.compile(r"\b(1[89]|20)(\d{2})\s*[-–—/]\s*(\d{2})\b(?![-–—/.,]?\d)")
_CLAUSE = re.compile(r"[,;:]\s+|\s+(?:and|but|while|whereas|although|though)\s+|\s+[–—-]\s+")
_NEGATION = re.compile(
    r"\b(not|no|never|none|nobody|nothing|neither|nor|without|cannot|can't|won't|didn't|doesn't|don't|isn't|"
    r"aren't|wasn't|weren't|hasn't|haven't|hadn't|failed to|denied|denies|deny|refused|rejects?|rejected)\b", re.I)
# "According to the Lavrov explainer, ...", "According to the Chalenko op-ed, ...": names that describe which
# document speaks, not what it says; the source labels are checked apart (citations, the misattribution count).
_DOCUMENT_WRAPPER = re.compile(r"^\s*according\s+to\s+(?:the|this|that|a|an)\s+[^,]{0,80}?\b(?:explainer|article|"
                               r"piece|op-?ed|editorial|report|analysis|story|column|commentary|interview|post|"
                               r"blog|briefing)\b[^,]{0,60},\s*", re.I)
# A cause or purpose the claim states ("..., because it maintains ...") needs one in the passage: the small
# judge passes two facts of one sentence joined by a "because" the sentence never makes.
_CAUSAL = re.compile(r"\b(?:because|due\s+to|owing\s+to|as\s+a\s+result|therefore|thus|hence|consequently|"
                     r"which\s+is\s+why|that\s+is\s+why|so\s+that|in\s+order\s+to|leads?\s+to|led\s+to|"
                     r"caus(?:e|es|ed|ing)|result(?:s|ed)?\s+in)\b", re.I)
_GROUNDS = re.compile(r"\b(?:because|due|owing|result|results|resulted|therefore|thus|hence|consequently|why|so\s+that|"
                      r"in\s+order|lead|leads|led|caus\w*|reasons?|since|given|aim\w*|goals?|purposes?|motiv\w*|"
                      r"driv\w*|after|amid|response|so|for\s+(?:this|that|these|those)|to\s+(?:ensure|prevent|"
                      r"achieve|secure|avoid|allow|keep|make|maintain|put|gain))\b|,\s*as\b", re.I)
_CAP_RUN = re.compile(r"\b([A-Z][\w'’.-]*(?:\s+(?:of|the|de|al|bin|von|van)?\s*[A-Z][\w'’.-]*)*)")
_STOP = {"the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "as", "is",
         "are", "was", "were", "be", "been", "has", "have", "had", "it", "its", "that", "this", "he", "she", "they",
         "his", "her", "their", "said", "says", "not", "no", "never", "also", "which", "who", "will", "would"}
_AUXILIARIES = {"do", "does", "did", "can", "could", "may", "might", "must", "shall", "should", "being"}
_COMMON_CAPS = {"the", "a", "an", "in", "on", "at", "he", "she", "it", "they", "this", "that", "these", "those",
                "according", "but", "and", "however", "meanwhile", "also", "while", "after", "before", "since",
                "during", "as", "by", "for", "with", "from", "his", "her", "its", "their", "we", "our", "i",
                "mr", "mrs", "ms", "dr", "there", "if", "when", "what", "who", "where", "why", "how", "both",
                "some", "many", "most", "other", "one", "two", "three", "yes", "no", "first", "last",
                "despite", "although", "though", "because", "recently", "today", "yesterday", "now", "then",
                "still", "yet", "thus", "therefore", "moreover", "furthermore", "additionally", "instead",
                "overall", "finally", "earlier", "later", "previously", "currently", "officials", "experts",
                "analysts", "critics", "observers", "several", "each", "every", "all", "any", "such", "under",
                "over", "between", "among", "against", "about", "within", "throughout", "unlike", "like",
                "given", "amid", "so", "not", "do", "does", "did", "is", "are", "was", "were", "has", "have",
                "had", "can", "could", "will", "would", "should", "may", "might", "must", "said", "says"}
# Titles and offices, capitalised before a name ("Foreign Minister Jeyhun Bayramov") but not names themselves:
# a claim may say "Foreign Minister" where its passage says "counterpart" or "foreign minister".
_COMMON_CAPS |= {"minister", "ministers", "foreign", "prime", "deputy", "president", "vice", "secretary",
                 "spokesperson", "spokesman", "spokeswoman", "ambassador", "chancellor", "chairman", "chairwoman",
                 "envoy", "senator", "governor", "mayor", "general", "commander", "chief", "head", "leader",
                 "premier", "official", "representative", "special", "counterpart", "former", "acting"}


@dataclass
class CheckResult:
    """What the deterministic checks found; `issues` empty means nothing fired."""

    issues: list[str] = field(default_factory=list)
    contradiction: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues


def _value(number: str, scale: str | None) -> float:
    value = float(number.replace(",", ""))
    return value * _SCALE.get((scale or "").lower(), 1.0)


def extract_numbers(text: str) -> set[float]:
    """Numeric values stated in text ("2,000", "1.5 million", "94 per cent", "twelve"), years included
    ("2018–19" is 2018 and 2019)."""
    text = _YEAR_RANGE.sub(_spell_year_range, text)
    values = {_value(m.group(1), m.group(2)) for m in _NUM.finditer(text)}
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _NUMBER_WORDS and word not in {"hundred", "thousand", "million", "billion"}:
            values.add(float(_NUMBER_WORDS[word]))
    return values


def _spell_year_range(match: re.Match[str]) -> str:
    """"2018–19" -> "2018 - 2019" (and "1999/00" -> "1999 - 2000"); left alone unless the second
    year follows the first by one to ten years ("2018-05" is a month)."""
    start = int(match.group(1) + match.group(2))
    end = start // 100 * 100 + int(match.group(3))
    end += 100 if end < start else 0
    return f"{start} - {end}" if 0 < end - start <= 10 else match.group(0)


def _months(text: str) -> set[str]:
    words = set(re.findall(r"[a-z]+", text.lower()))
    return {m[:3] for m in _MONTHS if m in words}


def cap_runs(text: str) -> list[list[str]]:
    """Runs of capitalised words not opening a sentence with an -ly/-ing word, cleaned of edges and possessives."""
    runs = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n", text):
        for match in _CAP_RUN.finditer(sentence):
            opening = match.start() == len(sentence) - len(sentence.lstrip())
            if opening and " " not in match.group(1) and match.group(1).lower().endswith(("ly", "ing")):
                continue  # "Recently", "Following": capitalised only because they open the sentence
            runs.append([_possessive(word.strip(".’'-")) for word in re.split(r"\s+", match.group(1))])
    return runs


def is_name(word: str) -> bool:
    return (len(word) > 2 and word.lower() not in _COMMON_CAPS and word.lower() not in _MONTHS
            and not word.isdigit() and word != "UNK")


def extract_names(text: str) -> set[str]:
    """Capitalised names not at the start of a sentence (people, places, organisations); months are
    left to the date check."""
    return {word for run in cap_runs(text) for word in run if is_name(word)}


def _initials(run: Sequence[str]) -> str:
    """"The United States" -> "US", "District of Columbia" -> "DC"."""
    return "".join(w[0] for w in run if w and w[0].isupper() and w.lower() not in _COMMON_CAPS)


class PassageNames:
    """How a passage can name something: its words (stemmed), its acronyms with the dots taken out
    ("U.S." -> "US") and the initials of its capitalised runs ("United States" -> "US")."""

    def __init__(self, passage: str) -> None:
        words = re.findall(r"[\w’'.-]+", passage)
        parts = [part for w in words if "-" in w for part in w.split("-")]  # "Neo-Nazi" also names "Nazi"
        self.stems = {_stem(_possessive(w.strip(".’'-"))) for w in [*words, *parts]}
        self.acronyms = {w.replace(".", "") for w in words if w.replace(".", "").isupper()}
        self.acronyms |= {initials for initials in map(_initials, cap_runs(passage)) if len(initials) > 1}

    def names(self, word: str, run: Sequence[str]) -> bool:
        """Whether a question's name word is named here: an acronym ("CSTO", "U.S.") only as an acronym or spelled
        out, never by a word that shares its letters ("us"); any other word as `mentions` reads it."""
        bare = word.replace(".", "")
        return bare in self.acronyms if bare.isupper() else self.mentions(word, run)

    def mentions(self, word: str, run: Sequence[str]) -> bool:
        """Whether a claim's name word (in its capitalised run) is in the passage: the same word, a
        form sharing all but its last three letters ("Libyan" / "Libya", "Presidential" /
        "President"), an acronym for it, or its run spelled out as the passage's acronym."""
        bare, initials = word.replace(".", ""), _initials(run)
        if _stem(word) in self.stems or (bare.isupper() and bare in self.acronyms):
            return True
        parts = [p for p in word.split("-") if p]
        if len(parts) > 1:  # "Armenia-Azerbaijan" is mentioned where both countries are
            return all(self.mentions(p, [p]) for p in parts)
        if len(initials) > 1 and initials in self.acronyms:
            return True
        low = word.lower()
        return len(low) >= 5 and any(_shared_prefix(low, stem) >= max(5, min(len(low), len(stem)) - 3)
                                     or (len(low) >= 6 and _one_letter_apart(low, stem))
                                     for stem in self.stems if stem[:2] == low[:2])


def _one_letter_apart(a: str, b: str) -> bool:
    """A spelling variant: one letter added, dropped or changed ("Paterson" / "Patterson")."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    head = _shared_prefix(a, b)
    if len(a) == len(b):
        return a[head + 1:] == b[head + 1:]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return short[head:] == long[head + 1:]


def _shared_prefix(a: str, b: str) -> int:
    """How many leading letters two words share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _possessive(word: str) -> str:
    """"Russia's" -> "Russia" (names in claims are compared without it)."""
    return word.removesuffix("’s").removesuffix("'s")


def has_negation(text: str) -> bool:
    return _NEGATION.search(text) is not None


def _stem(word: str) -> str:
    word = word.lower()
    for suffix in ("ian", "ese", "ish", "ia", "an", "i", "s", "a"):  # "Russian"/"Russia", "Chinese"/"China"
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def _content(text: str) -> set[str]:
    words = re.findall(r"[a-z][a-z'’-]+", text.lower())
    return {_stem(re.sub(r"(?<=\w{4})(?:ed|ing)$", "", w)) for w in words if w not in _STOP and w not in _AUXILIARIES}


def aligned_sentence(claim: str, passage: str) -> tuple[str, float]:
    """The passage sentence sharing the most content words with the claim, and that share."""
    words = _content(claim)
    best, share = "", 0.0
    for sentence in split_sentences(passage):
        overlap = len(words & _content(sentence.text)) / max(len(words), 1)
        if overlap > share:
            best, share = sentence.text, overlap
    return best, share


def _clauses_about(claim: str, sentence: str) -> str:
    """The clauses of `sentence` that share content words with the claim (two, or its only one): "X amassed
    the largest collection, and it never would have happened without Y" is not a negated "X amassed ...", and
    "Zakharova, the Russian ministry's spokesperson, said, for various reasons, Russia cannot be ..." is no
    negated "Zakharova is the Russian ministry's spokesperson" for sharing "Russia"."""
    words = _content(claim)
    return " ".join(c for c in _CLAUSE.split(sentence) if len(words & _content(c)) >= min(2, len(words)))


def deterministic_checks(claim: str, passage: str) -> CheckResult:
    """Numbers, months, names and negation of `claim` compared with `passage`.

    Anything missing from the whole passage is an issue; it is a contradiction only when the
    passage sentence that states the same thing (most shared words) says otherwise.
    """
    result = CheckResult()
    aligned, share = aligned_sentence(claim, passage)
    same_fact = share >= 0.5
    missing_numbers = sorted(extract_numbers(claim) - extract_numbers(passage))
    for value in missing_numbers:
        shown = int(value) if value.is_integer() else value
        result.issues.append(f"number {shown} not in the passage")
    if missing_numbers and same_fact and extract_numbers(aligned) - extract_numbers(claim):
        result.contradiction = True
    missing_months = _months(claim) - _months(passage)
    if missing_months:
        result.issues.append(f"date ({', '.join(sorted(missing_months))}) not in the passage")
        result.contradiction = result.contradiction or (same_fact and bool(_months(aligned)))
    names = PassageNames(passage)
    wrapper = _DOCUMENT_WRAPPER.match(claim)
    said = claim[wrapper.end():] if wrapper else claim
    missing = sorted({word for run in cap_runs(said) for word in run
                      if is_name(word) and not names.mentions(word, run)})
    if missing:
        result.issues.append(f"name(s) {', '.join(missing)} not in the passage")
    if _CAUSAL.search(said) and not _GROUNDS.search(passage):
        result.issues.append("a cause or purpose the passage does not state")
    # A negation flip is the same sentence with "not" added or removed; at looser alignments a
    # differing negation is paraphrase, not evidence (on FRANK and WiCE it fired as often on
    # supported claims as on unsupported ones).
    if share >= _FLIP_SHARE and has_negation(claim) != has_negation(_clauses_about(claim, aligned)):
        result.issues.append("negation differs from the passage")
        result.contradiction = True
    return result
