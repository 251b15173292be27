"""Evidence selection: from retrieved chunks, the few sentences that bear on the question.

A 2-core CPU model reads ~90 prompt tokens/s, so the answer prompt carries a few hundred
tokens of numbered sentences, not whole chunks. Each sentence keeps its exact offsets.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TypeVar

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.ingest.sentences import split_sentences
from rag.parts import gives_kind
from rag.retrieval import tokenize
from rag.structure import line_contexts, read_with, structured_evidence
from rag.types import DocumentRecord, Evidence, SearchHit

__all__ = ["SentenceVectors", "candidate_sentences", "document_lines", "evidence_score", "format_evidence",
           "headline_evidence", "is_author_box", "is_evidence", "labelled_passage", "names_source", "refers_back",
           "select_evidence", "source_label", "sources_do", "spread_by_document", "with_headline"]

_MIN_WORDS = 5  # shorter "sentences" are headings, bylines and debris, never evidence
_HEADING_WORDS = 15  # a shorter line without closing punctuation is a headline or subheading
_CLOSING = tuple('.!"”’\')…')
_LABEL_WORDS = 6


def is_evidence(sentence: str) -> bool:
    """Whether a sentence can be evidence: it states something. Headings, bylines, debris and
    questions do not, however close they come to the question's words (and each one shown costs
    prompt tokens): on the seeds suite dropping them raised key-fact coverage of the evidence."""
    text = sentence.rstrip()
    words = len(text.split())
    if words < _MIN_WORDS or text.endswith("?"):
        return False
    return text.endswith(_CLOSING) or words >= _HEADING_WORDS


def source_label(record: DocumentRecord | None) -> str:
    """How a document is named to the model and the reader: outlet, else author, else as a reader
    names an article known only by its headline: the article “<headline, up to six words>…” (a
    headline is never presented as a publisher). The label is repeated on every evidence line, and
    the model attributes claims with it."""
    if record is None:
        return "unknown source"
    if named := record.outlet or record.author:
        return named
    words = record.title.split()
    head = re.split(r":\s| [–—-] ", record.title, maxsplit=1)[0].split()[:_LABEL_WORDS] or words[:_LABEL_WORDS]
    cut = "…" if len(head) < len(words) else ""
    return f"the article “{' '.join(head)}{cut}”" if head else "an untitled document"


_AUTHOR_BOX = re.compile(r"^[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,2} is an? [\w -]{0,40}"
                         r"(scientist|analyst|journalist|writer|editor|correspondent|expert|researcher|author)\b")


T = TypeVar("T")


def document_lines(doc_id: str, record: DocumentRecord, text: str) -> Iterator[Evidence]:
    """A whole document's evidence lines (headings and debris left out), in reading order, under its source
    label: for answers read off whole texts (mentions, timelines). Unnumbered (n 0), score 1.0."""
    label = source_label(record)
    for s in split_sentences(text):
        if is_evidence(s.text):
            yield Evidence(n=0, doc_id=doc_id, file_name=record.file_name, title=record.title, source=label,
                           start=s.start, end=s.end, text=s.text, score=1.0)


def spread_by_document(items: Sequence[T], doc_of: Callable[[T], str], most: int) -> list[T]:
    """At most `most` items, taken in turn from each document (in the order they first appear, each document's
    in the order given), so one long article does not fill the answer or the section."""
    by_doc: dict[str, list[T]] = {}
    for item in items:
        by_doc.setdefault(doc_of(item), []).append(item)
    out: list[T] = []
    while len(out) < most and any(by_doc.values()):
        for queue in by_doc.values():
            if queue and len(out) < most:
                out.append(queue.pop(0))
    return out


def sources_do(labels: Sequence[str]) -> str:
    """The subject of a sentence said of some sources: "Igor Chalenko does", "Alwaght and Caucasus Watch do",
    "The sources do" (none named)."""
    if not labels:
        return "The sources do"
    first = labels[0][0].upper() + labels[0][1:]
    return f"{first} does" if len(labels) == 1 else ", ".join([first, *labels[1:-1]]) + f" and {labels[-1]} do"


def names_source(text: str, label: str) -> bool:
    """Whether a label ("Alwaght", "Igor Chalenko", "the article “Russia – main…”") is named in a text: the
    whole label, or a person's surname, as a word."""
    label = label.strip()
    if label.startswith("the article “"):
        head = label.removeprefix("the article “").rstrip("”…").strip()
        return bool(head) and head.lower() in text.lower()
    words = label.split()
    names = [label] + ([words[-1]] if len(words) == 2 and words[0][:1].isupper() else [])
    return any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", text, re.I) for n in names if len(n) > 2)


def is_author_box(text: str) -> bool:
    """An author's biography line ("Igor Chalenko is an Ukrainian political scientist who ..."): who wrote
    the piece, not what it says."""
    return bool(_AUTHOR_BOX.match(text))


def headline_evidence(record: DocumentRecord, text: str, label: str | None = None) -> Evidence | None:
    """A document's title as it stands near the start of its text (n=0, with offsets), where it has at least
    four words: an op-ed's headline is its thesis. A title only in the metadata is not quotable."""
    title = record.title.strip()
    at = text.find(title, 0, 400) if len(title.split()) >= 4 else -1
    if at < 0:
        return None
    return Evidence(n=0, doc_id=record.id, file_name=record.file_name, title=record.title,
                    source=label if label is not None else source_label(record), start=at, end=at + len(title),
                    text=title, score=0.0)


def with_headline(evidence: Sequence[Evidence], headline: Evidence | None) -> list[Evidence]:
    """The evidence with the document's headline first (renumbered from 1), for a question on a piece's main
    point: an op-ed states its thesis there, and no sentence of the body scores as high for "main point"."""
    if headline is None or any(e.doc_id == headline.doc_id and e.start == headline.start for e in evidence):
        return list(evidence)
    return [e.model_copy(update={"n": i}) for i, e in enumerate([headline, *evidence], start=1)]


def labelled_passage(label: str, text: str) -> str:
    """A passage as the judge reads it: with the source label the model saw on its evidence line, so
    "According to <source>, ..." is judged (and the name checks find the source's name)."""
    return f"{label}: {text}"


#: A sentence that names its subject only through the sentence before it ("He also mentioned ...", "This
#: group, co-chaired by ...", "The ministry cautioned ...").
_REFERS_BACK = re.compile(
    r"^\W*(?:(?:Additionally|Furthermore|Moreover|Also|However|In addition|Meanwhile),?\s+)?"
    r"(?:He|She|They|It|His|Her|Their|Its|This|These|Those|Such|The\s+(?:diplomat|minister|ministry|official|"
    r"spokesperson|spokesman|spokeswoman|group|organi[sz]ation|president|premier|analyst|author|agency|report|"
    r"statement|deal|agreement|side|body|bloc|alliance|mission|government|country|leader|leadership|"
    # what the sentence before did or claimed: "The reason is that ...", "The move ...", "The aim ..."
    r"reason|move|decision|step|result|consequence|purpose|aim|goal|plan))\b")


def refers_back(sentence: str) -> bool:
    """Whether a sentence names its subject only through what comes before it."""
    return bool(_REFERS_BACK.match(sentence))


Prior = dict[tuple[str, int], tuple[int, int, str]]
Candidate = tuple[SearchHit, int, int, str, str]  # hit, start, end, text, context (a row's header, an item's heading)


def candidate_sentences(hits: Sequence[SearchHit], structure: bool = True) -> tuple[list[Candidate], Prior]:
    """Distinct sentences of the retrieved chunks with absolute offsets (overlaps counted once), and, in the
    same pass, (document, start) of each chunk sentence -> the sentence before it in its chunk (any line, a
    heading too) with its offsets.

    A table row under its header and a list item under its heading are candidates too, with that header or
    heading as their context (`rag.structure`): a row alone is no sentence, but a row read with its header is
    often the most condensed statement of a fact. (`structure=False`: prose only, for comparison.)"""
    seen: set[tuple[str, int]] = set()
    out: list[Candidate] = []
    before: Prior = {}
    for hit in hits:
        previous: tuple[int, int, str] | None = None
        sentences = split_sentences(hit.chunk.text)
        contexts = line_contexts(hit.chunk.text, sentences) if structure else {}
        for i, sent in enumerate(sentences):
            start, end = hit.chunk.start + sent.start, hit.chunk.start + sent.end
            key = (hit.chunk.doc_id, start)
            if previous is not None:
                before.setdefault(key, previous)
            previous = (start, end, sent.text)
            context = contexts.get(i, "")
            if key in seen or not (structured_evidence(sent.text, context) or is_evidence(sent.text)):
                continue
            seen.add(key)
            out.append((hit, start, end, sent.text, context))
    return out, before


def evidence_score(cosine: float, terms: set[str], words: set[str]) -> float:
    """How well a line answers a question: 0.7 x cosine of meaning + 0.3 x the share of the question's words
    (`terms`) it uses (`words`)."""
    overlap = len(terms & words) / len(terms) if terms else 0.0
    return 0.7 * cosine + 0.3 * overlap


class SentenceVectors:
    """Embeddings of chunk sentences, kept (least recently used out) so that evidence selection embeds
    only the question: the sentences of a collection can be embedded ahead, when the app starts.

    Keyed by sentence text, so new documents need no invalidation; one instance per embedding model.
    """

    def __init__(self, embeddings: Embeddings, max_items: int = 20_000) -> None:
        self.embeddings = embeddings
        self.max_items = max_items
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text (embedding the ones not kept yet, in one batch). Under one lock: the
        embedding model serves one batch at a time anyway, and warming holds it per batch only."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._items))
            fresh = dict(zip(missing, self._embed(missing), strict=True)) if missing else {}
            rows = []
            for text in texts:
                if text in fresh:
                    rows.append(fresh[text])
                else:
                    self._items.move_to_end(text)
                    rows.append(self._items[text])
            self._items.update(fresh)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def warm(self, texts: Iterable[str], limit: int, batch: int = 64) -> int:
        """Embed the candidate sentences of `texts` (chunks) ahead, at most `limit`; returns how many are kept."""
        sentences = list(islice((s.text for text in texts for s in split_sentences(text)
                                 if is_evidence(s.text)), limit))
        for start in range(0, len(sentences), batch):
            self.get(sentences[start:start + batch])
        return len(self)

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        return [np.asarray(v, dtype=np.float32) for v in self.embeddings.embed_documents(texts)]


def select_evidence(question: str, hits: Sequence[SearchHit], embeddings: Embeddings,
                    records: Mapping[str, DocumentRecord], *, max_sentences: int = 8,
                    max_chars: int = 1600, min_sentences: int = 1, margin: float = 0.0,
                    vectors: SentenceVectors | None = None,
                    query_vector: Sequence[float] | None = None, parts: Sequence[str] = (),
                    structure: bool = True, refer_back: bool = True) -> list[Evidence]:
    """Score sentences by meaning (cosine) and shared words; keep the best within the budget,
    then number them in reading order (document by document) so context reads naturally.

    With a `margin` (> 0), a sentence past the best `min_sentences` is kept only if it scores within
    `margin` of the best one: a pointed question gets its few matching sentences, not the budget's
    worth of weaker ones (prompt tokens are the cost of the first answer token on a CPU).
    `vectors` keeps sentence embeddings between questions; `query_vector` is the question's, when
    retrieval has embedded it already. With `parts` (`rag.parts.evidence_parts`: the question's parts without
    their source designations), each part's best line is kept first, whatever the margin: "when ... and how
    many ..." gets a line for each.
    `structure` and `refer_back` switch off table/list reading and the referring-back context (the evidence
    benchmark measures what each brings)."""
    candidates, before = candidate_sentences(hits, structure)
    if not refer_back:
        before = {}
    if not candidates:
        return []
    query_vec = np.asarray(query_vector if query_vector is not None else embeddings.embed_query(question),
                           dtype=np.float32)
    texts = [read_with(text, context) for *_, text, context in candidates]
    matrix = vectors.get(texts) if vectors is not None else \
        np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    cosines = (matrix @ query_vec).tolist()
    terms = set(tokenize(question))
    scored = []
    words_of = []
    for (hit, start, end, text, context), reading, cosine in zip(candidates, texts, cosines, strict=True):
        words = set(tokenize(reading))
        prior = before.get((hit.chunk.doc_id, start)) if refers_back(text) else None
        if prior is not None:  # scored with the sentence it refers to: "He" is the question's "Galuzin"
            words |= set(tokenize(prior[2]))
        words_of.append(words)
        scored.append((evidence_score(cosine, terms, words), hit, start, end, text, context))
    reserved = _part_leaders(parts, matrix, words_of, scored, embeddings) if parts else []
    scored.sort(key=lambda row: row[0], reverse=True)
    best = scored[0][0]
    picked: list[tuple[float, SearchHit, int, int, str, str]] = []
    used = 0
    for row in [*reserved, *(r for r in scored if r not in reserved)]:
        if len(picked) == max_sentences:
            break
        if used + len(row[4]) > max_chars and picked:
            continue
        if margin > 0 and row not in reserved and len(picked) >= min_sentences and row[0] < best - margin:
            break
        picked.append(row)
        used += len(row[4])
    # A chosen sentence that refers back brings the sentence it refers to (within the budget), or the model
    # attributes "he said" to whoever the evidence names nearest.
    chosen = {(row[1].chunk.doc_id, row[2]) for row in picked}
    for score, hit, start, _end, text, _context in list(picked):
        prior = before.get((hit.chunk.doc_id, start)) if refers_back(text) else None
        if prior is None or (hit.chunk.doc_id, prior[0]) in chosen or not is_evidence(prior[2]) \
                or used + len(prior[2]) > max_chars:
            continue
        picked.append((score, hit, prior[0], prior[1], prior[2], ""))
        chosen.add((hit.chunk.doc_id, prior[0]))
        used += len(prior[2])
    doc_order = {hit.chunk.doc_id: i for i, hit in reversed(list(enumerate(hits)))}
    picked.sort(key=lambda row: (doc_order[row[1].chunk.doc_id], row[2]))
    return [Evidence(n=i, doc_id=hit.chunk.doc_id, file_name=hit.file_name, title=hit.title,
                     source=source_label(records.get(hit.chunk.doc_id)), start=start, end=end, text=text,
                     score=round(score, 4), context=context)
            for i, (score, hit, start, end, text, context) in enumerate(picked, start=1)]


def _part_leaders(parts: Sequence[str], matrix: np.ndarray, words_of: Sequence[set[str]],
                  scored: Sequence[tuple[float, SearchHit, int, int, str, str]], embeddings: Embeddings
                  ) -> list[tuple[float, SearchHit, int, int, str, str]]:
    """Each question part's best-scoring line (by the part's own meaning and words, and first a line with the kind
    of fact it asks for: a number for "how many", a date for "when"), in part order, once."""
    leaders: list[tuple[float, SearchHit, int, int, str, str]] = []
    for part in parts:
        cosines = matrix @ np.asarray(embeddings.embed_query(part), dtype=np.float32)
        terms = set(tokenize(part))
        i = max(range(len(scored)), key=lambda j: (gives_kind(part, scored[j][4]),
                                                   evidence_score(float(cosines[j]), terms, words_of[j])))
        if scored[i] not in leaders:
            leaders.append(scored[i])
    return leaders


def format_evidence(evidence: Sequence[Evidence]) -> str:
    """The numbered evidence block of the answer prompt, each sentence labelled with its source.

    (Naming each source once above its sentences saved ~30 tokens an answer, but the 1.5B model then
    cited the wrong numbers more often: citation recall 0.51 -> 0.43 on the seeds suite.)"""
    return "\n".join(f"[{e.n}] ({e.source}) {e.reading}" for e in evidence)
