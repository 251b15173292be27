"""The cited-answer chain: condense -> retrieve -> select evidence -> generate -> parse -> check -> verify.

Built from LCEL runnables (prompt rendering | chat model); `stream` yields readable partial text
while the model writes, then the final typed `CitedAnswer`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import Runnable, RunnableLambda

from rag.citations import check_quotes, parse_answer, partial_text, resolve_citations
from rag.compare import (
    by_source_rows,
    designated_documents,
    per_source_evidence,
    position_sentence,
    source_groups,
    thesis_question,
)
from rag.config import Settings
from rag.errors import InputError, ModelError, model_failure
from rag.evidence import (
    SentenceVectors,
    format_evidence,
    headline_evidence,
    is_author_box,
    select_evidence,
    source_label,
    sources_do,
    with_headline,
)
from rag.followup import checked_rewrite, rule_rewrite, topic_question
from rag.gates import asks_thesis, check_answerable, is_comparative, off_question, polar_names, speech_topic
from rag.guard import context_before, correction, guard_sentences, quote_sentence, refusal_answer
from rag.mentions import mention_answer, mention_subject
from rag.parts import evidence_parts, missing_parts, question_parts
from rag.premise import holder_lines, premise_conflicts, premise_gate, stated_premise
from rag.prompts import Prompt
from rag.retrieval import HybridRetriever, spelled_out
from rag.store import Store
from rag.timeline import asked_date, timeline_answer, timeline_topic
from rag.types import (
    AnswerGate,
    AnswerSentence,
    ChatTurn,
    Citation,
    CitedAnswer,
    ClaimVerifier,
    DocumentRecord,
    Evidence,
    RemovedSentence,
    SearchHit,
    VerifyMode,
)
from rag.who_said import said_statement, who_said_answer

__all__ = ["ANSWER_PREFILL", "ANSWER_PREFILL_GRAMMAR", "ANSWER_SCHEMA", "AnswerChain", "AnswerEvent", "AnswerOptions",
           "ClaimVerifier", "clean_question"]

log = logging.getLogger(__name__)

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"sentences": {"type": "array", "items": {
        "type": "object",
        "properties": {"text": {"type": "string"}, "citations": {"type": "array", "items": {"type": "integer"}}},
        "required": ["text", "citations"]}}},
    "required": ["sentences"],
}
#: For the embedded model, the JSON answer's opening is written into the prompt (`prefill`) and
#: this grammar holds the rest to ANSWER_SCHEMA's shape, so the first generated token is already
#: answer text: the ~8 tokens of `{"sentences": [{"text": "` cost ~0.35 s on 2 cores.
ANSWER_PREFILL = '{"sentences": [{"text": "'
ANSWER_PREFILL_GRAMMAR = r"""root ::= body "\", \"citations\": " nums "}" more* "]}"
more ::= ", {\"text\": \"" body "\", \"citations\": " nums "}"
body ::= char char*
char ::= [^"\\\x00-\x1f] | "\\" (["\\/bfnrt] | "u" hex hex hex hex)
hex ::= [0-9a-fA-F]
nums ::= "[" (num (", " num)*)? "]"
num ::= [1-9] [0-9]?
"""
_SENTENCE_CHARS = 100  # per sentence, to guess whether a collection's sentences fit the cache (news: ~120-150)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class AnswerOptions:
    k: int = 6
    max_sentences: int = 8
    max_chars: int = 1600
    #: Sentences always shown, and how far below the best one a further sentence may score (0: no limit).
    min_sentences: int = 3
    score_margin: float = 0.0
    min_evidence_score: float = 0.25
    max_question_chars: int = 2000
    max_answer_tokens: int = 320
    structured: dict[str, Any] = field(default_factory=dict)
    error_hint: str = "run `sourcebrief doctor`"
    verify_mode: VerifyMode = "guarded"
    #: Longest stretch of a retrieved document the answerability gate reads for names and numbers.
    gate_document_chars: int = 200_000
    #: Sentence embeddings kept for evidence selection (0: embed a question's candidates each time).
    sentence_cache: int = 20_000
    #: How many requests the model is busy with or has queued (the embedded model serves one at a time).
    model_queue: Callable[[], int] | None = None
    #: Comparative answers: seconds the model may spend writing per-source sentences (0: quotes only), and
    #: whether the reply's opening (the source's name) can be written for it (the embedded model).
    compare_budget_s: float = 24.0
    position_prefill: bool = False
    position_max_tokens: int = 64
    #: Lines of each source quoted when the model's sentence is not used.
    compare_quotes: int = 2

    @classmethod
    def from_settings(cls, s: Settings, model_queue: Callable[[], int] | None = None) -> AnswerOptions:
        """The answer chain's options as the settings give them, with what the provider supports."""
        from rag.providers import provider_hint, structured_output_kwargs

        return cls(
            k=s.top_k, max_sentences=s.evidence_sentences, max_chars=s.evidence_chars,
            min_sentences=s.evidence_min_sentences, score_margin=s.evidence_score_margin,
            min_evidence_score=s.min_evidence_score, max_question_chars=s.max_question_chars,
            max_answer_tokens=s.answer_max_tokens,
            structured=structured_output_kwargs(s, ANSWER_SCHEMA, (ANSWER_PREFILL, ANSWER_PREFILL_GRAMMAR)),
            error_hint=provider_hint(s), verify_mode=s.verify_mode, model_queue=model_queue,
            sentence_cache=s.evidence_cache_sentences,
            compare_budget_s=s.compare_budget_s if s.compare_budget_s is not None
            else 0.0 if s.llm_provider == "local" else 24.0,
            position_prefill=s.llm_provider == "local")


@dataclass
class AnswerEvent:
    """What `stream` yields: status lines, the readable answer so far, then the final answer."""

    kind: Literal["status", "partial", "final"]
    text: str = ""
    answer: CitedAnswer | None = None


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and surrounding space; refuse empty or oversized questions."""
    text = _CONTROL.sub(" ", question).strip()
    if not text:
        raise InputError("empty question")
    if len(text) > max_chars:
        raise InputError(f"question too long ({len(text)} characters, limit {max_chars})")
    return text


def _scoped(gate: AnswerGate | None, searched: Sequence[str] | None,
            records: Mapping[str, DocumentRecord]) -> AnswerGate | None:
    """A 'missing' gate of a search kept to some documents (ticked, or the one the question asks by outlet or
    author) says whose text lacks the name: "Igor Chalenko does not mention Lavrov.", not "The sources do not
    mention Lavrov.", which the rest of the collection would belie."""
    if gate is None or gate.kind != "missing" or not searched or len(searched) >= len(records) \
            or not gate.message.startswith("The sources do not "):
        return gate
    who = sources_do([source_label(records.get(d)) for d in searched])
    return gate.model_copy(update={"message": gate.message.replace("The sources do", who, 1)})


def _labels(records: Mapping[str, DocumentRecord]) -> list[str]:
    """The sources' outlets and authors: names that attribute, not names a question asks about."""
    return [label for r in records.values() for label in (r.outlet, r.author) if label]


def _history_text(history: Sequence[ChatTurn], turns: int = 6, chars: int = 400) -> str:
    lines = []
    for turn in list(history)[-turns:]:
        content = turn.content if len(turn.content) <= chars else turn.content[:chars] + "..."
        lines.append(f"{'User' if turn.role == 'user' else 'Assistant'}: {content}")
    return "\n".join(lines)


class AnswerChain:
    """Answers only from the store's documents, citing exact evidence sentences."""

    def __init__(self, *, chat_model: BaseChatModel, retriever: HybridRetriever, embeddings: Embeddings,
                 store: Store, answer_prompt: Prompt, condense_prompt: Prompt, options: AnswerOptions,
                 provenance: Mapping[str, str], verifier: ClaimVerifier | None = None,
                 position_prompt: Prompt | None = None) -> None:
        self.model = chat_model
        self.position_prompt = position_prompt
        self.retriever = retriever
        self.embeddings = embeddings
        self.store = store
        self.answer_prompt = answer_prompt
        self.condense_prompt = condense_prompt
        self.options = options
        self.verifier = verifier
        self.provenance = {**provenance, "answer_prompt": answer_prompt.ref, "condense_prompt": condense_prompt.ref,
                           **({"position_prompt": position_prompt.ref} if position_prompt else {})}
        self._condense: Runnable[Any, str] = (
            RunnableLambda(lambda v: self._messages(self.condense_prompt, v)) | self.model.bind(max_tokens=80)
            | StrOutputParser())
        #: Sentence embeddings kept between questions (and embedded ahead by `warm`).
        self.sentence_vectors = SentenceVectors(embeddings, options.sentence_cache)
        self._structured = bool(options.structured)
        self._generate = self._generator(self._structured)

    def _generator(self, structured: bool) -> Runnable[Any, Any]:
        """Prompt -> model, asking for the JSON schema when `structured` (and the provider takes it)."""
        extra = self.options.structured if structured else {}
        return (RunnableLambda(lambda v: self._messages(self.answer_prompt, v))
                | self.model.bind(**extra, max_tokens=self.options.max_answer_tokens))

    def _answer_chunks(self, inputs: Mapping[str, str]) -> Iterator[Any]:
        """The model's answer as it streams. A server that rejects the JSON-schema request (llama.cpp's
        server takes only `json_object`) is asked again without it, for good: the `[n]` parser copes."""
        try:
            yield from self._generate.stream(inputs)
        except Exception as exc:  # re-raised below unless it is the schema refusal
            if not (self._structured and "response_format" in str(exc)):
                raise
            log.warning("the chat model refused structured output (%s); answering without it",
                        " ".join(str(exc).split())[:120])
            self._structured = False
            self._generate = self._generator(structured=False)
            yield from self._generate.stream(inputs)

    @staticmethod
    def _messages(prompt: Prompt, values: Mapping[str, str]) -> list[BaseMessage]:
        system, user = prompt.render(**values)
        return [SystemMessage(content=system), HumanMessage(content=user)] if system else [HumanMessage(content=user)]

    def warm(self, limit: int | None = None) -> int:
        """Embed the collection's chunk sentences ahead (at most `limit`, default the cache's size), so a
        question embeds only itself; returns how many sentence vectors are kept."""
        limit = self.options.sentence_cache if limit is None else limit
        texts = self.retriever.chunk_texts()
        if sum(len(t) for t in texts) > limit * _SENTENCE_CHARS:  # would not fit: embed on demand only
            return len(self.sentence_vectors)
        return self.sentence_vectors.warm(texts, limit)

    def condense(self, question: str, history: Sequence[ChatTurn],
                 records: Mapping[str, DocumentRecord] | None = None) -> str:
        """A stand-alone version of a follow-up question (unchanged when there is no history)."""
        if not history:
            return question
        ruled = rule_rewrite(question, history,  # "What about X?", "Does X agree?": no model call
                             lambda name: bool(records and designated_documents(name, records)))
        if ruled is not None:
            return ruled
        rewritten = self._condense.invoke({"history": _history_text(history), "question": question})
        line = rewritten.strip().splitlines()[0].strip().strip('"') if rewritten.strip() else ""
        return checked_rewrite(question, line, history)

    def stream(self, question: str, history: Sequence[ChatTurn] = (), doc_ids: Sequence[str] | None = None,
               records: Mapping[str, DocumentRecord] | None = None,
               verify_mode: VerifyMode | None = None) -> Iterator[AnswerEvent]:
        """Run the chain, yielding progress and partial text; the last event carries the answer."""
        question = clean_question(question, self.options.max_question_chars)
        mode = verify_mode or self.options.verify_mode
        records = records if records is not None else {r.id: r for r in self.store.list_documents()}
        timings: dict[str, float] = {}
        started = time.perf_counter()
        if history:
            yield AnswerEvent("status", "rewriting the follow-up question")
        standalone = self._timed(timings, "condense",
                                 lambda: self._call_model(self.condense, question, history, records))
        standalone = topic_question(standalone)  # "Lachin crossing?": what the sources say about it
        yield AnswerEvent("status", "searching the sources")
        titles = {r.id: (r.file_name, r.title) for r in records.values()}
        search = spelled_out(standalone)  # "the EU" also as "the EU (European Union)", for retrieval and evidence
        query_vector = self._timed(timings, "embed", lambda: self.embeddings.embed_query(search))
        parts = question_parts(standalone)
        # A question asked of one source ("According to Alwaght, ...") is answered from that source's lines: the
        # top lines overall are often another outlet's on the same subject.
        designated = designated_documents(standalone, records)
        search_ids = doc_ids or (None if is_comparative(standalone) else designated)
        hits = self._timed(timings, "retrieve", lambda: self.retriever.search(
            search, self.options.k, search_ids or None, titles, query_vector=query_vector))
        evidence = self._timed(timings, "evidence", lambda: select_evidence(
            search, hits, self.embeddings, records, max_sentences=self.options.max_sentences,
            max_chars=self.options.max_chars, min_sentences=self.options.min_sentences,
            margin=self.options.score_margin, vectors=self.sentence_vectors, query_vector=query_vector,
            parts=evidence_parts(search)))
        asked = list(doc_ids or designated)
        if len(asked) == 1 and asks_thesis(standalone) and asked[0] in records:  # "main point of the Chalenko piece"
            evidence = with_headline(evidence, headline_evidence(records[asked[0]], self._doc_text(asked[0])))
        base: dict[str, Any] = dict(question=question, standalone_question=standalone, evidence=tuple(evidence),
                    retrieved=tuple(hits), provenance=self.provenance, verify_mode=mode)
        guarded = mode in ("guarded", "strict") and self.verifier is not None
        mention = mention_subject(standalone)
        read = asked or list(records)
        answer: CitedAnswer | None = None  # an answer quoted off whole texts, no model call
        if mention is not None and mention.asks_sources(bool(asked)):  # "Is Israel mentioned?"
            answer = self._timed(timings, "mentions", lambda: mention_answer(
                mention, read, records, self._doc_text, base, timings))
        elif (topic := timeline_topic(standalone)) is not None:  # "Give me a timeline of ...": dated lines in order
            answer = self._timed(timings, "timeline", lambda: timeline_answer(
                topic, read, records, self._doc_text, base, timings))
        elif (dated := asked_date(standalone)) is not None:  # "What happened on May 19?": that date's lines
            answer = self._timed(timings, "timeline", lambda: timeline_answer(
                dated[1], read, records, self._doc_text, base, timings, on=dated[0]))
        elif (said := said_statement(standalone)) is not None:  # "Who said X?": the lines stating X (else on)
            answer = self._timed(timings, "who-said", lambda: who_said_answer(
                said, read, records, self._doc_text, base, timings))
        if answer is not None:
            timings["total"] = round(time.perf_counter() - started, 3)
            yield AnswerEvent("final", answer.text, answer)
            return
        if not evidence or max(e.score for e in evidence) < self.options.min_evidence_score:
            # Nothing relevant enough to show the model; guarded, the refusal still says what is missing.
            gate = self._gate(standalone, hits, evidence, records, premise=False)[0] if guarded and hits else None
            gate = _scoped(gate, search_ids, records)
            timings["total"] = round(time.perf_counter() - started, 3)
            answer = refusal_answer(base, timings, related=evidence, gate=gate)
            yield AnswerEvent("final", answer.text, answer)
            return
        if guarded:
            yield AnswerEvent("status", "checking that the sources cover the question")
            gate, premise_lines = self._timed(timings, "gate", lambda: self._gate(standalone, hits, evidence, records))
            gate = _scoped(gate, search_ids, records)
            if gate is not None and gate.kind != "premise":
                timings["total"] = round(time.perf_counter() - started, 3)
                answer = refusal_answer(base, timings, related=evidence, gate=gate)
                yield AnswerEvent("final", answer.text, answer)
                return
            if gate is None and is_comparative(standalone):  # who says what: every source heard, attributed
                yield AnswerEvent("status", "gathering each source's evidence")
                compared = False
                for event in self._compare(search, hits, records, doc_ids, query_vector, base, timings, started):
                    compared = True
                    yield event
                if compared:
                    return
            if gate is not None:  # a false premise: say so and quote what the sources do say
                timings["total"] = round(time.perf_counter() - started, 3)
                answer = CitedAnswer(sentences=correction(gate, premise_lines), refused=False, timings=timings,
                                     gate=gate, related=tuple(premise_lines), **base)
                yield AnswerEvent("final", answer.text, answer)
                return
        ahead = self.options.model_queue() if self.options.model_queue is not None else 0
        if ahead:
            yield AnswerEvent("status", f"waiting for the model: {ahead} request{'s' if ahead > 1 else ''} ahead")
        yield AnswerEvent("status", f"reading {len(evidence)} evidence sentences")
        raw, shown, usage = "", "", {}
        gen_started = time.perf_counter()
        try:
            for chunk in self._answer_chunks({"question": standalone, "evidence": format_evidence(evidence)}):
                raw += str(chunk.content)
                if getattr(chunk, "usage_metadata", None):
                    usage = dict(chunk.usage_metadata)
                readable = partial_text(raw) if chunk.content else shown
                if readable != shown:
                    shown = readable
                    yield AnswerEvent("partial", readable)
        except Exception as exc:  # provider SDKs raise many types; all mean the model call failed
            raise self._model_error(exc) from exc
        timings["generate"] = round(time.perf_counter() - gen_started, 3)
        sentences = resolve_citations(parse_answer(raw), evidence, standalone)
        texts = {doc_id: self._doc_text(doc_id) for doc_id in {c.doc_id for s in sentences for c in s.citations}}
        sentences = check_quotes(sentences, texts)
        removed: list[RemovedSentence] = []
        if self.verifier is not None and mode != "off" and not all("refusal" in s.flags for s in sentences):
            yield AnswerEvent("status", f"verifying {len(sentences)} sentences")
            sentences, removed = self._timed(timings, "verify", lambda: guard_sentences(
                sentences, evidence, self.verifier, drop=guarded, context=self._before))  # type: ignore[arg-type]
            if guarded:  # a yes/no question answered with a line on something else
                sentences, off = off_question(sentences, polar_names(standalone, _labels(records)),
                                              speech_topic(standalone))
                removed += off
        refused = not sentences or all("refusal" in s.flags for s in sentences) or (mode == "strict" and bool(removed))
        usage_ints = {k: int(v) for k, v in usage.items() if isinstance(v, int)}
        timings["total"] = round(time.perf_counter() - started, 3)
        if refused:
            answer = refusal_answer(base, timings, related=evidence, removed=removed, usage=usage_ints)
        else:
            sentences += missing_parts(parts, sentences)
            answer = CitedAnswer(sentences=tuple(sentences), refused=False, timings=timings, usage=usage_ints,
                                 removed=tuple(removed), **base)
        yield AnswerEvent("final", answer.text, answer)

    def _compare(self, question: str, hits: Sequence[SearchHit], records: Mapping[str, DocumentRecord],
                 doc_ids: Sequence[str] | None, query_vector: Sequence[float], base: Mapping[str, Any],
                 timings: dict[str, float], started: float) -> Iterator[AnswerEvent]:
        """A comparative question answered source by source, each sentence streamed as it is settled;
        yields nothing when fewer than two sources speak. Within `compare_budget_s` the model writes each
        source's sentence from that source's lines alone; a sentence it cannot write in time, that names
        the wrong source or that the verifier does not support becomes the source's best quote."""
        picked = time.perf_counter()
        thesis = thesis_question(question, records, self._doc_text)  # "Does anyone disagree with Chalenko?"
        if thesis != question:
            question, query_vector = thesis, self.embeddings.embed_query(thesis)
        evidence, silent = per_source_evidence(
            question, hits, self.retriever, self.embeddings, records, doc_ids=doc_ids,
            min_score=self.options.min_evidence_score, max_chars=self.options.max_chars, text_of=self._doc_text,
            vectors=self.sentence_vectors, query_vector=query_vector)
        timings["compare_evidence"] = round(time.perf_counter() - picked, 3)
        groups = source_groups(evidence)
        if len(groups) < 2:
            return
        labels = [group[0].source for group in groups]
        budget = self.options.compare_budget_s if self.position_prompt is not None and self.verifier else 0.0
        # Each source's best quote first (attributed, verbatim, at once); then, within the budget, the
        # model's sentence for each source in turn replaces its quote when it passes the checks.
        quoted = self.options.compare_quotes
        sentences = [quote_sentence(group[0], ("by-source",), group[1:quoted]) for group in groups]
        timings["first_sentence"] = round(time.perf_counter() - started, 3)
        yield AnswerEvent("partial", " ".join(s.text for s in sentences))
        writing = time.perf_counter()
        removed: list[RemovedSentence] = []
        slowest = 0.0
        for i, group in enumerate(groups):
            if not budget or time.perf_counter() - writing + slowest > budget:  # no room at the slowest pace seen
                break
            yield AnswerEvent("status", f"reading what {group[0].source} says")
            one = time.perf_counter()
            sentence, dropped = self._position(question, group, labels)
            removed += dropped
            slowest = max(slowest, time.perf_counter() - one)
            if sentence is not None:
                sentences[i] = sentence
                yield AnswerEvent("partial", " ".join(s.text for s in sentences))
        timings["compare_write"] = round(time.perf_counter() - writing, 3)
        timings["total"] = round(time.perf_counter() - started, 3)
        quiet = [(d, source_label(records.get(d))) for d in silent]
        answer = CitedAnswer(**{**base, "evidence": tuple(evidence)}, sentences=tuple(sentences), refused=False,
                             timings=timings, silent=tuple(dict.fromkeys(label for _, label in quiet)),
                             removed=tuple(removed), by_source=by_source_rows(sentences, evidence, quiet))
        yield AnswerEvent("final", answer.text, answer)

    def _position(self, question: str, group: Sequence[Evidence],
                  labels: Sequence[str]) -> tuple[AnswerSentence | None, list[RemovedSentence]]:
        """One source's sentence, written by the model from that source's lines and verified against them."""
        assert self.position_prompt is not None and self.verifier is not None
        label = group[0].source
        lines = "\n".join(f"[{e.n}] {e.reading}" for e in group)
        extra: dict[str, Any] = {"prefill": label[0].upper() + label[1:]} if self.options.position_prefill else {}
        model = self.model.bind(max_tokens=self.options.position_max_tokens, stop=["\n"], **extra)
        messages = self._messages(self.position_prompt, {"source": label, "lines": lines, "question": question})
        text = str(self._call_model(model.invoke, messages).content)
        sentence = position_sentence(text, group, labels)
        if sentence is None:
            return None, [RemovedSentence(text=text.strip()[:300] or "(empty)",
                                          reason=f"does not name {label} alone")] if text.strip() else []
        conflicts = premise_conflicts(sentence.text, [e.reading for e in group])
        if conflicts:  # words or acts given to another person than the source's lines give them to
            return None, [RemovedSentence(text=sentence.text, reason=conflicts[0])]
        kept, removed = guard_sentences([sentence], group, self.verifier, drop=True, context=self._before)
        return (kept[0] if kept else None), removed

    def _gate(self, question: str, hits: Sequence[SearchHit], evidence: Sequence[Evidence],
              records: Mapping[str, DocumentRecord], premise: bool = True
              ) -> tuple[AnswerGate | None, Sequence[Evidence]]:
        """Before the model writes: is every name and number of the question in the retrieved documents,
        together, with a sentence of the kind asked for; and is a why-question's premise supported? With the
        lines a false premise is corrected with: those found for a premise stated in a leading clause ("Since X,
        ...": the question's own evidence is about what it asks), else the question's evidence."""
        passages = [h.chunk.text for h in hits] + [e.reading for e in evidence]
        documents = {doc_id: self._doc_text(doc_id)[:self.options.gate_document_chars]
                     for doc_id in dict.fromkeys(h.chunk.doc_id for h in hits)}
        gate = check_answerable(question, passages, documents, _labels(records))
        if gate is not None or self.verifier is None or not premise:
            return gate, evidence
        own = self._premise_evidence(question, records)
        gate = premise_gate(question, [*evidence, *own], self.verifier)
        if gate is None or gate.premise is None:
            return gate, evidence
        # Quoted after the correction, closest first: the view holder's own lines, their headline (their thesis:
        # "Chalenko thinks ...") leading; else the lines found for a stated premise (a headline is judged, not
        # quoted, there); else the evidence.
        found: dict[tuple[str, int], Evidence] = {}  # a line found both for the premise and the question: once
        for e in (*own, *evidence):
            found.setdefault((e.doc_id, e.start), e)
        held = holder_lines(gate.premise, [e for e in found.values() if not is_author_box(e.text)])
        if held:
            return gate, sorted(held, key=lambda e: (e.n != 0, -e.score))
        return gate, sorted([e for e in own if e.score > 0] or evidence, key=lambda e: -e.score)

    def _premise_evidence(self, question: str, records: Mapping[str, DocumentRecord]) -> list[Evidence]:
        """For a premise stated in a leading clause ("Since Chalenko calls Russia the main obstacle, ..."): the
        lines found for the premise itself, with the headlines of their documents (an op-ed states its thesis
        there). The question's evidence answers what it asks, not what it assumes."""
        premise = stated_premise(question)
        if premise is None:
            return []
        titles = {r.id: (r.file_name, r.title) for r in records.values()}
        vector = self.embeddings.embed_query(premise)  # once, for retrieval and for scoring its lines
        hits = self.retriever.search(premise, self.options.k, None, titles, query_vector=vector)
        lines = select_evidence(premise, hits, self.embeddings, records, max_sentences=self.options.min_sentences,
                                max_chars=self.options.max_chars, vectors=self.sentence_vectors, query_vector=vector)
        heads = [headline_evidence(records[d], self._doc_text(d)) for d in dict.fromkeys(h.chunk.doc_id for h in hits)
                 if d in records]
        return [*lines, *(h for h in heads if h is not None)]

    def answer(self, question: str, history: Sequence[ChatTurn] = (), doc_ids: Sequence[str] | None = None,
               records: Mapping[str, DocumentRecord] | None = None,
               verify_mode: VerifyMode | None = None) -> CitedAnswer:
        final = None
        for event in self.stream(question, history, doc_ids, records, verify_mode):
            final = event.answer or final
        assert final is not None
        return final

    def _model_error(self, exc: Exception) -> ModelError:
        return model_failure(exc, self.options.error_hint)

    def _call_model(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:  # as in stream(): any provider failure becomes one ModelError line
            raise self._model_error(exc) from exc

    def _before(self, citation: Citation, claim: str) -> str:
        """What a quote's document says around it, for re-reading a claim (see `guard.context_before`)."""
        return context_before(self._doc_text(citation.doc_id), citation, claim)

    def _doc_text(self, doc_id: str) -> str:
        stored = self.store.get_document_text(doc_id)
        return stored[0] if stored else ""

    @staticmethod
    def _timed(timings: dict[str, float], name: str, fn: Any) -> Any:
        started = time.perf_counter()
        result = fn()
        timings[name] = round(time.perf_counter() - started, 3)
        return result

