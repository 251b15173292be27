"""Who says what: evidence gathered per source for comparative questions, answered source by source.

"How do the sources differ on ...?" answered from the top-k sentences overall hears the sources that
repeat the question's words and drops the one that argues the opposite. Here each document that
speaks to the question contributes its own best sentences, and the answer gives one attributed,
cited sentence per source: written by the model from that source's lines alone (so it cannot borrow
another outlet's view), kept only when it names its own source and no other and the verifier
supports it, else the source's best sentence quoted verbatim (a view in its own words cannot be
misattributed or laundered into fact). Documents with nothing relevant enough are named as silent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from langchain_core.embeddings import Embeddings

from rag.evidence import (
    SentenceVectors,
    evidence_score,
    headline_evidence,
    is_author_box,
    names_source,
    select_evidence,
)
from rag.gates import question_terms
from rag.guard import citation_of
from rag.retrieval import HybridRetriever, prefixes, tokenize
from rag.types import AnswerSentence, DocumentRecord, Evidence, SearchHit, SourcePosition
from rag.verify.checks import PassageNames

__all__ = ["by_source_rows", "designated_documents", "per_source_evidence", "position_sentence", "source_groups",
           "thesis_question"]

# Words of a comparative question that say how to compare, not what about.
_FRAMING = frozenset("source sources outlet outlets article articles differ difference agree disagree compare "
                     "view views portray describe each whether according".split())
T = TypeVar("T")
_MAX_SOURCES = 8  # documents heard per comparative question (the best-retrieved ones beyond that)
_DISTINCT_BONUS = 0.1  # per distinctive question word a sentence has (evidence scores: ~0.3-0.7)
_ACRONYM = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z]{2,5}\b(?!\.)")  # "US", "U.S.", "EU", "CSTO"


def _focus_names(question: str, records: Mapping[str, DocumentRecord], names_of: Callable[[str], PassageNames],
                 label_words: set[str]) -> list[tuple[str, tuple[str, ...]]]:
    """What a comparative question asks about by name ("Iran", "the US", "the CSTO"), as name words with their
    runs: the question's names and acronyms, less the sources' own names and the collection's common subject
    (a name every document mentions, in any of its forms)."""
    named = [(w, run) for w, run in question_terms(question).names if w.lower() not in label_words]
    named += [(a.replace(".", ""), (a.replace(".", ""),)) for a in _ACRONYM.findall(question)]
    named = list(dict.fromkeys(named))
    if not named or len(records) < 2:
        return named
    return [(w, run) for w, run in named if not all(_names(names_of(doc_id), w, run) for doc_id in records)]


def _names(passage: PassageNames, word: str, run: tuple[str, ...]) -> bool:
    """An acronym is named only as one ("US", "U.S.") or spelled out ("United States"), never by "us"."""
    return word in passage.acronyms if word.isupper() else passage.mentions(word, run)


def _mentions(text: str, names: Sequence[tuple[str, tuple[str, ...]]]) -> bool:
    if not names:
        return False
    passage = PassageNames(text)
    return any(_names(passage, w, run) for w, run in names)


def _label_words(records: Mapping[str, DocumentRecord]) -> set[str]:
    """The words of the sources' own names (outlets, authors): they say who is asked, not what about."""
    return {w for r in records.values() for label in (r.outlet, r.author) if label for w in tokenize(label)}


def _asked_words(question: str, label_words: set[str]) -> set[str]:
    """What a comparative question asks about: its words less the framing and the sources' names."""
    return set(tokenize(question)) - _FRAMING - label_words


def thesis_question(question: str, records: Mapping[str, DocumentRecord], text_of: Callable[[str], str]) -> str:
    """A comparison that names one source and nothing it says ("Do the sources disagree with Chalenko?", a
    follow-up's "Does anyone disagree?") is asked on that source's headline, an op-ed's thesis: "... with
    Chalenko that Russia – main obstacle in negotiations ...?". Any other question is returned as it is."""
    named = designated_documents(question, records)
    if len(named) != 1 or _asked_words(question, _label_words(records)):
        return question
    headline = headline_evidence(records[named[0]], text_of(named[0]))
    return f"{question.rstrip(' ?')} that {headline.text}?" if headline is not None else question


def designated_documents(question: str, records: Mapping[str, DocumentRecord]) -> list[str]:
    """The documents a question asks by their outlet or author ("According to Alwaght, ...", "What does Chalenko
    say about Iran?"): the outlet's whole name, or the author's whole name or surname as written. None when it
    designates none, or every document."""
    out = []
    # "Chalenko", capitalised: a surname, not a word; in a question typed all in lower case ("whats chalenkos main
    # argument") capitals say nothing, and the surname is matched as written.
    surname_flags = re.I if question == question.lower() else re.NOFLAG
    for doc_id, r in records.items():
        names = [(n, re.I) for n in (r.outlet, r.author) if n and len(n) > 2]
        if r.author and len(r.author.split()) > 1 and len(r.author.split()[-1]) > 2:
            names.append((r.author.split()[-1], surname_flags))
        # "Chalenko's", "chalenkos": a possessive with or without its apostrophe
        if any(re.search(rf"(?<![\w-]){re.escape(n)}(?:s)?(?![\w-])", question, flags) for n, flags in names):
            out.append(doc_id)
    out = out or described_document(question, records)
    return out if len(out) < len(records) else []


# "the Lavrov explainer", "the piece about Moscow condemning U.S. involvement", "the article on Moscow's
# accusations": a document named by what it is about.
_DESCRIBED = re.compile(r"\b(?:the|this|that)\s+(?P<desc>(?:[\w’'.-]+\s+){0,4}?)(?:explainer|article|piece|op-?ed|"
                        r"report|story|interview|analysis|column)(?:\s+(?:about|on)\s+(?P<about>[^,?]+))?"
                        r"(?![\w-])", re.I)


def described_document(question: str, records: Mapping[str, DocumentRecord]) -> list[str]:
    """The one document whose title shares the most words (by their first five letters) with the question's
    description of a document ("the Lavrov explainer" -> "Russia Steps In: Lavrov Offers to Mend ..."); words
    every title uses ("Armenia") say nothing. [] when no title, or more than one, fits best."""
    found = _DESCRIBED.search(question)
    if found is None:
        return []
    wanted = prefixes(f"{found.group('desc')} {found.group('about') or ''}")
    titles = {doc_id: prefixes(r.title or "") for doc_id, r in records.items()}
    common = set.intersection(*titles.values()) if titles else set()
    shared = {doc_id: len((words - common) & wanted) for doc_id, words in titles.items()}
    best = max(shared.values(), default=0)
    fits = [doc_id for doc_id, n in shared.items() if n == best]
    return fits if best > 0 and len(fits) == 1 else []


def _named_documents(question: str, records: Mapping[str, DocumentRecord], names_of: Callable[[str], PassageNames]
                     ) -> list[str]:
    """The documents a question names as its sources: the ones whose outlet or author it names ("Alwaght",
    "Chalenko"), and the ones that alone mention a person or thing it names ("Zakharova": only one or two
    documents quote her). Names most documents mention ("Russia") pick nothing."""
    labels = {doc_id: [x for x in (r.outlet, r.author) if x] for doc_id, r in records.items()}
    named = [doc_id for doc_id, own in labels.items() if any(names_source(question, label) for label in own)]
    label_words = {w.lower() for own in labels.values() for label in own for w in label.split()}
    words = {(w, run) for w, run in question_terms(question).names if w.lower() not in label_words}
    rare = max(2, len(records) // 3)
    for word, run in words:
        having = [doc_id for doc_id in records if names_of(doc_id).mentions(word, run)]
        if len(having) <= rare:
            named += having
    return list(dict.fromkeys(named))


def _candidate_documents(question: str, hits: Sequence[SearchHit], records: Mapping[str, DocumentRecord],
                         doc_ids: Sequence[str] | None, names_of: Callable[[str], PassageNames]) -> list[str]:
    """The ticked documents, else the ones the question names (two or more), else every document of a small
    collection, else those retrieval found."""
    if doc_ids:
        return list(dict.fromkeys(doc_ids))[:_MAX_SOURCES]
    named = _named_documents(question, records, names_of)
    if len(named) >= 2:
        return named[:_MAX_SOURCES]
    if len(records) <= _MAX_SOURCES:
        return list(records)
    return list(dict.fromkeys(h.chunk.doc_id for h in hits))[:_MAX_SOURCES]


def _distinctive(question: str, texts: Sequence[str]) -> set[str]:
    """The question's words that at most half of the collection's documents use ("Iran", "peacekeepers"): a
    sentence that has them speaks to this question, not merely to the collection's common subject."""
    terms = set(tokenize(question)) - _FRAMING
    docs = [set(tokenize(t)) for t in texts]
    return {t for t in terms if 0 < sum(t in d for d in docs) <= max(1, len(docs) // 2)}


def _headline(question: str, record: DocumentRecord, text: str, embeddings: Embeddings,
              query_vector: Sequence[float] | None) -> list[Evidence]:
    """The document's headline as a candidate line, scored as evidence sentences are (an op-ed's headline is
    its thesis: "Russia – main obstacle in negotiations between Armenia and Azerbaijan")."""
    headline = headline_evidence(record, text)
    if headline is None:
        return []
    query = query_vector if query_vector is not None else embeddings.embed_query(question)
    [vector] = embeddings.embed_documents([headline.text])
    cosine = sum(a * b for a, b in zip(query, vector, strict=True))
    score = evidence_score(cosine, set(tokenize(question)), set(tokenize(headline.text)))
    return [headline.model_copy(update={"score": round(score, 4)})]


def _once(of: Callable[[str], T]) -> Callable[[str], T]:
    """`of`, computed once per document per question (a document's text read from the store, its names)."""
    done: dict[str, T] = {}

    def get(doc_id: str) -> T:
        if doc_id not in done:
            done[doc_id] = of(doc_id)
        return done[doc_id]

    return get


def per_source_evidence(question: str, hits: Sequence[SearchHit], retriever: HybridRetriever,
                        embeddings: Embeddings, records: Mapping[str, DocumentRecord], *,
                        doc_ids: Sequence[str] | None, min_score: float, text_of: Callable[[str], str],
                        per_source: int = 2, max_chars: int = 1600, chunks_per_source: int = 4,
                        vectors: SentenceVectors | None = None,
                        query_vector: Sequence[float] | None = None) -> tuple[list[Evidence], list[str]]:
    """Each candidate document's best sentences for the question (at most `per_source`, scoring at least
    `min_score`), numbered from 1 source by source, best source first; and the documents with none. A sentence
    with the question's distinctive words ranks above one that only shares the collection's common ones."""
    titles = {r.id: (r.file_name, r.title) for r in records.values()}
    text_of = _once(text_of)  # names, distinctive words and headlines all read the same documents
    names_of = _once(lambda doc_id: PassageNames(text_of(doc_id)))  # for the named documents and the focus
    # The sources' own names say who is asked, not what about: "Chalenko" does not make his author box evidence.
    label_words = _label_words(records)
    terms = _asked_words(question, label_words)
    candidates = _candidate_documents(question, hits, records, doc_ids, names_of)
    distinctive = _distinctive(question, [text_of(d) for d in records]) - label_words if len(records) > 2 else set()
    # A line naming what the question asks about ("the US" in "The US, which has always regarded a foothold ...")
    # speaks to it at a lower score: a short question's embedding matches such lines poorly.
    focus = _focus_names(question, records, names_of, label_words)
    chosen: list[list[Evidence]] = []
    silent: list[str] = []
    for doc_id in candidates:
        own = retriever.search(question, chunks_per_source, [doc_id], titles, query_vector=query_vector)
        found = select_evidence(question, own, embeddings, records, max_sentences=3 * per_source,
                                max_chars=3 * max_chars, vectors=vectors, query_vector=query_vector) \
            + _headline(question, records[doc_id], text_of(doc_id), embeddings, query_vector)
        lines = [(e, naming) for e, naming in ((e, _mentions(e.reading, focus)) for e in found)
                 if (e.score >= min_score or (e.score >= min_score / 2 and naming))
                 and terms & set(tokenize(e.text))  # it speaks to the question
                 and not is_author_box(e.text)]  # not "X is a political scientist who ..."
        ranked = [e for e, _ in sorted(lines, reverse=True, key=lambda line: line[0].score + _DISTINCT_BONUS * (
            len(distinctive & set(tokenize(line[0].text))) + line[1]))][:per_source]
        if ranked:
            chosen.append(ranked)
        else:
            silent.append(doc_id)
    chosen.sort(key=lambda group: group[0].score, reverse=True)
    out: list[Evidence] = []
    used = 0
    for group in chosen:
        for i, e in enumerate(group):
            if i and used + len(e.text) > max_chars:  # a source's first sentence always; more within budget
                break
            out.append(e.model_copy(update={"n": len(out) + 1}))
            used += len(e.text)
    return out, silent


def source_groups(evidence: Sequence[Evidence]) -> list[list[Evidence]]:
    """Evidence lines grouped by document, in the order the documents first appear (best source first)."""
    groups: dict[str, list[Evidence]] = {}
    for e in evidence:
        groups.setdefault(e.doc_id, []).append(e)
    return list(groups.values())


def position_sentence(text: str, group: Sequence[Evidence], others: Iterable[str]) -> AnswerSentence | None:
    """The model's sentence for one source, cleaned and cited to that source's lines; None when it is empty,
    does not open by naming its source, or names another source of the comparison (a view must never
    travel to another outlet). Whether it is supported is the verifier's call, after this."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = line.strip().strip('"').strip()
    if len(line.split()) < 4:
        return None
    label = group[0].source
    if not names_source(line[:len(label) + 40], label) or any(names_source(line, o) for o in others if o != label):
        return None
    line = line[0].upper() + line[1:]
    if line[-1] not in ".!?”\"":
        line += "."
    return AnswerSentence(text=line, citations=tuple(citation_of(e) for e in group), flags=("by-source",))


def by_source_rows(sentences: Sequence[AnswerSentence], evidence: Sequence[Evidence],
                   silent: Sequence[tuple[str, str]]) -> tuple[SourcePosition, ...]:
    """The comparison as a table: one row per source that speaks (its sentence, the quote it rests on, the
    verdict, who wrote it), then one per silent source ((doc_id, label) pairs)."""
    by_n = {e.n: e for e in evidence}
    rows = []
    for sentence in sentences:
        first = by_n.get(sentence.citations[0].n) if sentence.citations else None
        if first is None:
            continue
        rows.append(SourcePosition(
            doc_id=first.doc_id, source=first.source, position=sentence.text, quote=first.text, n=first.n,
            verdict=sentence.verdict.label if sentence.verdict else None,
            written="quote" if "quote" in sentence.flags else "model"))
    rows += [SourcePosition(doc_id=doc_id, source=label, written="silent") for doc_id, label in silent]
    return tuple(rows)
