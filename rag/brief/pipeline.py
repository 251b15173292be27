"""The staged briefing pipeline: scope -> digest (map) -> group -> write -> verify and assemble.

Each stage's typed result is saved as `<run dir>/stage-N-<name>.json` with a key of its inputs;
running again with the same run id reloads every stage whose key still matches, so a briefing can
be inspected stage by stage and an interrupted one resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, TypeAdapter

from rag.answer import ClaimVerifier
from rag.brief.digest import digest_documents
from rag.brief.group import group_claims
from rag.brief.scope import build_scope
from rag.brief.types import (
    Briefing,
    BriefSection,
    BriefSentence,
    ClaimGroup,
    DocumentDigest,
    Footnotes,
    Grouping,
    Provenance,
    Scope,
    TimelineEvent,
    provenance_fields,
)
from rag.brief.write import Draft, write_sections
from rag.chat_models import add_usage
from rag.config import Settings
from rag.errors import InputError, model_failure
from rag.evidence import labelled_passage
from rag.prompts import Prompt
from rag.retrieval import HybridRetriever
from rag.types import DocumentRecord, Verdict, VerifyMode

__all__ = ["STAGES", "BriefOptions", "BriefPipeline", "BriefProgress", "ModelStanceJudge", "check_run_id"]

log = logging.getLogger(__name__)

STAGES = ("scope", "digest", "group", "write", "verify")
#: (stage, done, total); done == total == 0 announces a stage loaded from a saved run.
BriefProgress = Callable[[str, int, int], None]
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SECTION_QUERIES = {"facts": "{topic} figures numbers amounts", "timeline": "{topic} dates when events",
                    "missing": "{topic} reportedly claimed uncertain"}
T = TypeVar("T")
#: Bump when a stage's code changes what it produces, so saved runs are not reused across versions.
PIPELINE_VERSION = "3"
_VERBATIM = Verdict(label="supported", score=1.0, judge="verbatim: the quoted span is the cited text")


@dataclass(frozen=True)
class BriefOptions:
    """Budgets of the briefing: the local model reads ~20 prompt tokens/s, so they set its run time."""

    digest_sentences: int = 8
    digest_chars: int = 1100
    digest_max_tokens: int = 200
    max_groups: int = 8
    stance_checks: int = 6
    join: float = 0.7
    stance_min: float = 0.35
    topic_k: int = 12
    #: With a topic: each document's own closest chunks searched too, and the relevance its closest
    #: sentence (or title) needs for the document to be used (see `rag.brief.scope.topic_relevance`).
    topic_doc_k: int = 2
    topic_min_score: float = 0.6
    concurrency: int = 1
    structured: dict[str, Any] = field(default_factory=dict)
    error_hint: str = "run `sourcebrief doctor`"

    @classmethod
    def from_settings(cls, s: Settings) -> BriefOptions:
        """Budgets as the settings and the provider give them: a remote server digests four documents at once;
        the stance checks are off for the embedded 1.5B model unless asked for (see `brief_stance_checks`)."""
        from rag.brief.digest import DIGEST_SCHEMA
        from rag.providers import provider_hint, structured_output_kwargs

        checks = s.brief_stance_checks if s.brief_stance_checks is not None else 0 if s.llm_provider == "local" else 6
        return cls(structured=structured_output_kwargs(s, DIGEST_SCHEMA), error_hint=provider_hint(s),
                   concurrency=4 if s.llm_provider == "openai" else 1, stance_checks=checks)


def check_run_id(run_id: str) -> str:
    if not _RUN_ID.match(run_id):
        raise InputError(f"bad run id {run_id!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return run_id


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


class ModelStanceJudge:
    """One-word stance of a passage towards a claim, counting the tokens it uses."""

    def __init__(self, model: BaseChatModel, prompt: Prompt) -> None:
        self.model = model.bind(max_tokens=3)
        self.prompt = prompt
        self.usage: dict[str, int] = {}

    def __call__(self, claim: str, passage: str) -> str:
        system, user = self.prompt.render(claim=claim, passage=passage)
        reply = self.model.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        add_usage(self.usage, getattr(reply, "usage_metadata", None))
        return str(reply.content)


class BriefPipeline:
    """Runs (or resumes) one briefing; collaborators are passed in, as everywhere in `rag`."""

    def __init__(self, *, chat_model: BaseChatModel, embeddings: Embeddings, retriever: HybridRetriever,
                 verifier: ClaimVerifier | None, digest_prompt: Prompt, stance_prompt: Prompt,
                 options: BriefOptions, runs_dir: Path, provenance: Mapping[str, str], collection: str) -> None:
        self.model = chat_model
        self.embeddings = embeddings
        self.retriever = retriever
        self.verifier = verifier
        self.digest_prompt = digest_prompt
        self.stance_prompt = stance_prompt
        self.options = options
        self.runs_dir = runs_dir
        self.provenance = dict(provenance)
        self.collection = collection

    # --- saved stages ----------------------------------------------------------------------
    def _load(self, run_dir: Path, index: int, key: str, adapter: TypeAdapter[T]) -> T | None:
        path = run_dir / f"stage-{index}-{STAGES[index - 1]}.json"
        if not path.is_file():
            return None
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            if saved.get("key") != key:
                return None
            return adapter.validate_python(saved["data"])
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable %s: %s", path, exc)
            return None

    @staticmethod
    def _save(run_dir: Path, index: int, key: str, data: Any, seconds: float) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        dumped = TypeAdapter(type(data)).dump_python(data, mode="json") if not isinstance(data, BaseModel) \
            else data.model_dump(mode="json")
        path = run_dir / f"stage-{index}-{STAGES[index - 1]}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"stage": STAGES[index - 1], "key": key, "seconds": round(seconds, 3),
                                   "data": dumped}, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    def _stage(self, run_dir: Path, index: int, key: str, adapter: TypeAdapter[T], compute: Callable[[], T],
               timings: dict[str, float], progress: BriefProgress) -> T:
        name = STAGES[index - 1]
        loaded = self._load(run_dir, index, key, adapter)
        if loaded is not None:
            timings[f"{name}_resumed"] = 1.0
            progress(name, 0, 0)
            return loaded
        started = time.perf_counter()
        result = compute()
        timings[name] = round(time.perf_counter() - started, 3)
        self._save(run_dir, index, key, result, timings[name])
        return result

    def _model_call(self, stage: str, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except Exception as exc:  # provider SDKs raise many types; all mean the model call failed
            raise model_failure(exc, self.options.error_hint, f"in the {stage} stage") from exc

    # --- run -------------------------------------------------------------------------------
    def run(self, records: Sequence[DocumentRecord], texts: Mapping[str, str], *, topic: str | None,
            run_id: str | None, verify_mode: VerifyMode, on_progress: BriefProgress | None = None) -> Briefing:
        """A briefing over `records` (all asked-for documents), optionally narrowed to `topic`."""
        if not records:
            raise InputError("no documents to brief on; run `sourcebrief ingest` first")
        progress = on_progress or (lambda _stage, _done, _total: None)
        o = self.options
        doc_ids = sorted(r.id for r in records)
        scope_key = _key("scope", PIPELINE_VERSION, topic, doc_ids, o.digest_sentences, o.digest_chars, o.topic_k,
                         o.topic_doc_k, o.topic_min_score,
                         self.provenance.get("embeddings"))
        digest_key = _key(scope_key, self.digest_prompt.ref, self.provenance.get("chat_model"), o.digest_max_tokens,
                          o.structured)
        group_key = _key(digest_key, self.stance_prompt.ref, o.max_groups, o.stance_checks, o.join, o.stance_min)
        write_key = _key(group_key, "write", 1)
        verifier_name = str(getattr(self.verifier, "name", "")) if verify_mode != "off" else ""
        verify_key = _key(write_key, verify_mode, verifier_name, self.provenance.get("judge_calibration"))
        run_id = check_run_id(run_id) if run_id else f"brief-{_key(verify_key)[:12]}"
        run_dir = self.runs_dir / run_id
        timings: dict[str, float] = {}
        started = time.perf_counter()

        scope = self._stage(run_dir, 1, scope_key, TypeAdapter(Scope),
                            lambda: self._scope(records, texts, topic, progress), timings, progress)
        if not scope.documents:
            raise InputError(f"nothing in the documents bears on the topic {topic!r}" if topic
                             else "the documents have no usable sentences")
        digests = self._stage(run_dir, 2, digest_key, TypeAdapter(list[DocumentDigest]),
                              lambda: self._digest(scope, progress), timings, progress)
        grouping = self._stage(run_dir, 3, group_key, TypeAdapter(Grouping),
                               lambda: self._group(scope, digests, progress), timings, progress)
        draft_adapter: TypeAdapter[tuple[list[BriefSection], list[TimelineEvent]]] = TypeAdapter(
            tuple[list[BriefSection], list[TimelineEvent]])
        sections, timeline = self._stage(run_dir, 4, write_key, draft_adapter,
                                         lambda: self._write(scope, digests, grouping, progress), timings, progress)
        verified = self._stage(run_dir, 5, verify_key, TypeAdapter(tuple[list[BriefSection], list[TimelineEvent]]),
                               lambda: self._verify(Draft(sections, timeline), texts, scope, verify_mode, progress),
                               timings, progress)
        timings["total"] = round(time.perf_counter() - started, 3)
        usage: dict[str, int] = {}
        for digest in digests:
            add_usage(usage, digest.usage)
        add_usage(usage, grouping.usage)
        return self._assemble(scope, grouping, verified, run_id, verify_mode, verifier_name, timings, usage)

    def _scope(self, records: Sequence[DocumentRecord], texts: Mapping[str, str], topic: str | None,
               progress: BriefProgress) -> Scope:
        progress("scope", 0, 1)
        titles = {r.id: (r.file_name, r.title) for r in records}
        ids = [r.id for r in records]
        vector = self.embeddings.embed_query(topic) if topic else None
        hits = self.retriever.search(topic, self.options.topic_k, ids, titles, query_vector=vector) if topic else None
        doc_hits = {i: self.retriever.search(topic, self.options.topic_doc_k, [i], titles, query_vector=vector)
                    for i in ids} if topic else None  # every document heard on its own, not only the top-k
        section_hits = {key: self.retriever.search(query.format(topic=topic), self.options.topic_k, ids, titles)
                        for key, query in _SECTION_QUERIES.items()} if topic else None
        scope = build_scope(records, texts, self.embeddings, topic=topic, hits=hits,
                            max_sentences=self.options.digest_sentences, max_chars=self.options.digest_chars,
                            section_hits=section_hits, doc_hits=doc_hits, min_score=self.options.topic_min_score)
        progress("scope", 1, 1)
        return scope

    def _digest(self, scope: Scope, progress: BriefProgress) -> list[DocumentDigest]:
        total = len(scope.documents)
        progress("digest", 0, total)
        return self._model_call("digest", lambda: digest_documents(
            scope.documents, self.model, self.digest_prompt, structured=self.options.structured,
            max_tokens=self.options.digest_max_tokens, concurrency=self.options.concurrency,
            on_done=lambda done, n: progress("digest", done, n)))

    def _group(self, scope: Scope, digests: Sequence[DocumentDigest], progress: BriefProgress) -> Grouping:
        progress("group", 0, 1)
        judge = ModelStanceJudge(self.model, self.stance_prompt)
        grouping = self._model_call("group", lambda: group_claims(
            digests, scope.documents, self.embeddings, judge, join=self.options.join,
            stance_min=self.options.stance_min, max_checks=self.options.stance_checks,
            max_groups=self.options.max_groups))
        progress("group", 1, 1)
        return grouping.model_copy(update={"usage": judge.usage})

    @staticmethod
    def _write(scope: Scope, digests: Sequence[DocumentDigest], grouping: Grouping,
               progress: BriefProgress) -> tuple[list[BriefSection], list[TimelineEvent]]:
        progress("write", 0, 1)
        draft = write_sections(scope, digests, grouping)
        progress("write", 1, 1)
        return draft.sections, draft.timeline

    def _verify(self, draft: Draft, texts: Mapping[str, str], scope: Scope, mode: VerifyMode,
                progress: BriefProgress) -> tuple[list[BriefSection], list[TimelineEvent]]:
        """Quotes re-checked against the cleaned text; each claim judged against its cited passages."""
        labels = {d.doc.doc_id: d.doc.label for d in scope.documents}
        total = sum(len(s.sentences) for s in draft.sections)
        done = 0
        memo: dict[str, BriefSentence | None] = {}
        progress("verify", 0, total)

        def check(sentence: BriefSentence) -> BriefSentence | None:
            key = sentence.model_dump_json()
            if key not in memo:
                memo[key] = self._check_one(sentence, texts, labels, mode)
            return memo[key]

        sections = []
        for section in draft.sections:
            kept = []
            for sentence in section.sentences:
                result = check(sentence)
                if result is not None:
                    kept.append(result)
                done += 1
                progress("verify", done, total)
            sections.append(section.model_copy(update={"sentences": tuple(kept)}))
        timeline = []
        for event in draft.timeline:
            result = check(event.sentence)
            if result is not None:
                timeline.append(event.model_copy(update={"sentence": result}))
        return sections, timeline

    def _check_one(self, sentence: BriefSentence, texts: Mapping[str, str], labels: Mapping[str, str],
                   mode: VerifyMode) -> BriefSentence | None:
        if "note" in sentence.flags:
            return sentence
        good = tuple(c for c in sentence.citations if c.holds_in(texts.get(c.doc_id, "")))
        flags = [*sentence.flags, *(f"quote-mismatch:{c.file_name}:{c.start}" for c in sentence.citations
                                    if c not in good)]
        if not good:
            flags.append("uncited")
        verdict = None
        if good and "verbatim" in flags and len(good) == len(sentence.citations):
            verdict = _VERBATIM
        elif good and mode != "off" and self.verifier is not None:
            verdict = self.verifier.verify(sentence.checked or sentence.text,
                                           [labelled_passage(labels.get(c.doc_id, c.title), c.quote) for c in good])
        if mode in ("guarded", "strict") and (verdict is None or verdict.label != "supported"):
            return None
        return sentence.model_copy(update={"citations": good, "flags": tuple(flags), "verdict": verdict})

    # --- assembly --------------------------------------------------------------------------
    def _assemble(self, scope: Scope, grouping: Grouping,
                  verified: tuple[list[BriefSection], list[TimelineEvent]], run_id: str, verify_mode: VerifyMode,
                  verifier_name: str, timings: dict[str, float], usage: dict[str, int]) -> Briefing:
        """Footnote numbers in reading order (one number per distinct quoted span), provenance attached."""
        sections, timeline = verified
        notes = Footnotes()
        sections = [s.model_copy(update={"sentences": tuple(notes.sentence(x) for x in s.sentences)}) for s in sections]
        timeline = [e.model_copy(update={"sentence": notes.sentence(e.sentence)}) for e in timeline]
        matrix: list[ClaimGroup] = [g.model_copy(update={"cells": tuple(
            c.model_copy(update={"quote": notes.cite(c.quote)}) if c.quote is not None else c for c in g.cells)})
            for g in grouping.groups]
        documents = tuple(d.doc for d in scope.documents)
        title = f"Briefing: {scope.topic}" if scope.topic else \
            f"Briefing: {self.collection} ({len(documents)} documents)"
        provenance = Provenance(
            run_id=run_id, collection=self.collection, documents={d.file_name: d.doc_id for d in documents},
            verify_mode=verify_mode, verifier=verifier_name, **provenance_fields(
                self.provenance, {"digest": self.digest_prompt.ref, "stance": self.stance_prompt.ref}, verify_mode))
        return Briefing(title=title, topic=scope.topic, documents=documents, sections=tuple(sections),
                        matrix=tuple(matrix), timeline=tuple(timeline), provenance=provenance, timings=timings,
                        usage=usage)
