"""Parse a model's cited answer (JSON, or text with [n] markers) and check its citations."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from rag.ingest.sentences import split_sentences
from rag.model_json import read_json_object
from rag.prompts import REFUSAL
from rag.retrieval import tokenize
from rag.types import AnswerSentence, Citation, Evidence

__all__ = ["check_quotes", "is_refusal", "parse_answer", "partial_text", "resolve_citations"]

_MARKERS = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_TEXT_FIELD = re.compile(r'"text"\s*:\s*"((?:[^"\\]|\\.)*)("?)')


def _norm(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower()).strip()


def is_refusal(text: str) -> bool:
    """The shared refusal sentence, allowing for punctuation and case."""
    return _norm(text) == _norm(REFUSAL)


def _markers(text: str) -> tuple[str, list[int]]:
    """Strip [n] / [n, m] markers from a sentence; return the clean text and the numbers in order."""
    numbers = [int(n) for group in _MARKERS.findall(text) for n in re.split(r"\s*[,;]\s*", group)]
    clean = _MARKERS.sub("", text).strip()
    clean = re.sub(r"\s+([.,;:!?])", r"\1", clean)
    return clean, list(dict.fromkeys(numbers))


def parse_answer(raw: str) -> list[tuple[str, list[int]]]:
    """(sentence, cited numbers) pairs from JSON output, falling back to [n] markers in plain text."""
    data = read_json_object(raw)
    if isinstance(data, dict) and isinstance(data.get("sentences"), list):
        out = []
        for item in data["sentences"]:
            if not isinstance(item, dict) or not str(item.get("text", "")).strip():
                continue
            text, inline = _markers(str(item["text"]))
            cited = [int(n) for n in item.get("citations") or [] if isinstance(n, int | str) and str(n).isdigit()]
            out.append((text, list(dict.fromkeys(cited + inline))))
        return out
    if raw.lstrip().startswith("{"):  # JSON too broken to repair: its complete-looking text fields, uncited
        return [(text, []) for text in (_markers(t)[0] for t in _text_fields(raw)) if text]
    pairs = []
    for sent in split_sentences(raw.strip()):
        text, numbers = _markers(sent.text)
        if text:
            pairs.append((text, numbers))
        elif numbers and pairs:  # markers standing alone after a sentence belong to it
            pairs[-1] = (pairs[-1][0], list(dict.fromkeys(pairs[-1][1] + numbers)))
    return pairs


def partial_text(raw: str) -> str:
    """Readable answer text from a JSON answer still being generated (for streaming)."""
    if "{" not in raw[:20]:  # [n] text: drop the markers, and one still being written at the end
        return _markers(re.sub(r"\s*\[[\d,;\s]*$", "", raw))[0]
    return " ".join(_MARKERS.sub("", t).strip() for t in _text_fields(raw))


def _text_fields(raw: str) -> list[str]:
    """The "text" values of a JSON answer, complete or cut off, unescaped."""
    texts = []
    for match in _TEXT_FIELD.finditer(raw):
        body = re.sub(r"\\(u[0-9a-fA-F]{0,3})?$", "", match.group(1))  # an escape cut mid-way
        try:
            texts.append(json.loads(f'"{body}"'))
        except json.JSONDecodeError:
            texts.append(body)
    return texts


def _whole_sentences(text: str, min_words: int = 4) -> list[str]:
    """The sentences of a model's item, never cutting inside a quotation, before a lower-case continuation
    ("…” and Caucasus Watch, ...") or off a fragment of fewer than `min_words` words; one part when unsure."""
    parts: list[str] = []
    for s in split_sentences(text):
        last = parts[-1] if parts else ""
        open_quote = last.count("“") > last.count("”") or last.count('"') % 2 == 1
        if parts and (open_quote or not s.text[:1].isupper() or len(s.text.split()) < min_words
                      or len(last.split()) < min_words):
            parts[-1] = f"{last} {s.text}"
        else:
            parts.append(s.text)
    return parts or [text]


def _drawn_on(part: str, numbers: list[int], by_n: Mapping[int, Evidence]) -> list[int]:
    """The item's cited lines that one of its sentences draws on: those sharing at least half as many content
    words with it as the line sharing most; all of them when none shares any (or only one was cited)."""
    words = set(tokenize(part))
    shared = {n: len(words & set(tokenize(by_n[n].reading))) for n in numbers if n in by_n}
    best = max(shared.values(), default=0)
    if len(numbers) < 2 or best == 0:
        return numbers
    return [n for n in numbers if n not in by_n or shared[n] * 2 >= best]


def _split_attributions(pairs: Sequence[tuple[str, list[int]]], evidence: Sequence[Evidence]
                        ) -> list[tuple[str, list[int]]]:
    """An item of several sentences becomes one item per sentence, so that each is verified on its own: a
    sentence that adds a name or number the lines lack no longer takes a supported one down with it. One
    that attributes two views ("According to A, x. According to B, y.") has each sentence cite the lines of
    the source it names (all the item's lines when it names none of them), so each view is checked against
    its own source."""
    by_n = {e.n: e for e in evidence}
    out: list[tuple[str, list[int]]] = []
    for text, numbers in pairs:
        parts = _whole_sentences(text)
        if sum(bool(_NAMED_SOURCE.match(p)) for p in parts) < 2:  # a tacked-on refusal is stripped below
            out += [(text, numbers)] if len(parts) < 2 or any(is_refusal(p) for p in parts) else \
                [(part, _drawn_on(part, numbers, by_n)) for part in parts]
            continue
        for part in parts:
            named = _NAMED_SOURCE.match(part)
            own = [n for n in numbers if n in by_n and named and _same(named.group("name"), by_n[n].source)]
            if named and not own:
                own = [e.n for e in evidence if _same(named.group("name"), e.source)][:2]
            out.append((part, own or numbers))
    return out


def resolve_citations(pairs: Sequence[tuple[str, list[int]]], evidence: Sequence[Evidence],
                      question: str = "") -> list[AnswerSentence]:
    """Turn cited numbers into Citations; drop numbers not shown to the model; flag what lacks support."""
    by_n = {e.n: e for e in evidence}
    known = list(dict.fromkeys(e.source for e in evidence))
    sentences = []
    for text, numbers in _split_attributions(pairs, evidence):
        if _ONLY_ATTRIBUTION.fullmatch(text):  # "According to the article '<title>'" and nothing it says
            continue
        if is_refusal(text):
            sentences.append(AnswerSentence(text=REFUSAL, flags=("refusal",)))
            continue
        flags = [f"dropped-citation:{n}" for n in numbers if n not in by_n]
        kept = [s.text for s in split_sentences(text) if not is_refusal(s.text)]
        if kept and len(kept) < len(split_sentences(text)):  # "X said Y. <the refusal sentence>": keep the claim
            text, flags = " ".join(kept), [*flags, "refusal-stripped"]
        cited = [by_n[n] for n in numbers if n in by_n]
        citations = tuple(Citation(n=e.n, doc_id=e.doc_id, file_name=e.file_name, title=e.title, quote=e.text,
                                   start=e.start, end=e.end, context=e.context) for e in cited)
        if not citations:
            flags.append("uncited")
        named = _name_the_source(text, [e.source for e in cited], [e.text for e in cited], known, question)
        if named != text:
            text, flags = named, [*flags, "source-named"]
        sentences.append(AnswerSentence(text=_attributed_once(text), citations=citations, flags=tuple(flags)))
    return sentences


_VAGUE_SOURCE = re.compile(r"^according to\s*(?:(?:the )?(?:provided |given |cited )?"
                           r"(?:evidence|sources?|passages?|text|documents?|information|article|report)"
                           r"(?: provided| given)?)?\s*,\s*", re.I)
_SPEECH = re.compile(r"\b(said|says|stated|noted|told|added|emphasi[sz]ed|remarked|called|stressed|warned|"
                     r"mentioned|declared|argued|according to)\b|[“\"]", re.I)
_ONLY_ATTRIBUTION = re.compile(r"\s*according to [^,]*", re.I)
_NAMED_SOURCE = re.compile(r"^according to (?P<name>[^,]{2,80}?),\s*", re.I)


def _name_the_source(text: str, labels: Sequence[str], quotes: Sequence[str] = (),
                     known: Sequence[str] = (), question: str = "") -> str:
    """Attribution that reads right, from the cited lines' source labels:
    "According to the evidence, X" and "According to, X" -> "According to Alwaght, X";
    a person the cited quote names keeps the outlet ("According to Zakharova, quoted by Caucasus Watch, X");
    another document's label, when that document is not cited, becomes the cited one's; the question's own
    name for a source ("per the Lavrov explainer") becomes the cited source's label."""
    names = list(dict.fromkeys(labels))
    if not names:
        return text
    match = _VAGUE_SOURCE.match(text)
    if match:
        return f"According to {' and '.join(names)}, {text[match.end():]}"
    named = _NAMED_SOURCE.match(text)
    if named is None:
        return text
    name = named.group("name").strip()
    same = [label for label in names if _same(name, label)]
    if same:  # "According to Russia Steps In" -> the label as the reader sees it everywhere
        return text if name in same else f"According to {same[0]}, {text[named.end():]}"
    if any(_same(name, label) for label in known):  # another source's name on this source's line
        return f"According to {' and '.join(names)}, {text[named.end():]}"
    quoting = [label for label, q in zip(labels, quotes, strict=False) if name.split()[-1] in q and _SPEECH.search(q)]
    if quoting:  # only the sources whose cited lines quote the person
        return f"According to {name}, quoted by {' and '.join(dict.fromkeys(quoting))}, {text[named.end():]}"
    if question and len(_plain(name)) > 3 and _plain(name) in _plain(question):
        return f"According to {' and '.join(names)}, {text[named.end():]}"
    return text


_TRAILING_SOURCE = re.compile(r",?\s+(?:according to|as told by|per)\s+(?P<name>[^,;:]{2,80}?)\s*(?P<end>[.!?]?)$",
                              re.I)


def _attributed_once(text: str) -> str:
    """"According to Igor Chalenko, Russia is the main obstacle according to Chalenko." -> the trailing
    attribution dropped when it names the source the sentence opens with (the model echoes the question's)."""
    lead, tail = _NAMED_SOURCE.match(text), _TRAILING_SOURCE.search(text)
    if lead is None or tail is None or tail.start() <= lead.end():
        return text
    if not set(_plain(tail.group("name")).split()) & set(_plain(lead.group("name")).split()):
        return text
    return text[:tail.start()] + (tail.group("end") or ".")


def _same(name: str, label: str) -> bool:
    a, b = _plain(name), _plain(label)
    return a == b or a in b or b in a


def _plain(label: str) -> str:
    """A label without its quote marks and ellipsis: the model writes 'X...' for “X…”."""
    return re.sub(r"[“”\"'‘’]|\.\.\.|…", "", label.lower()).strip()


def check_quotes(sentences: Sequence[AnswerSentence], texts: Mapping[str, str]) -> list[AnswerSentence]:
    """Keep only citations whose quote is found verbatim at its offsets in the stored cleaned text."""
    out = []
    for sentence in sentences:
        good = tuple(c for c in sentence.citations if c.holds_in(texts.get(c.doc_id, "")))
        if len(good) == len(sentence.citations):
            out.append(sentence)
            continue
        flags = [*sentence.flags, *(f"quote-mismatch:{c.n}" for c in sentence.citations if c not in good)]
        if not good and "uncited" not in flags:
            flags.append("uncited")
        out.append(sentence.model_copy(update={"citations": good, "flags": tuple(flags)}))
    return out
