"""Wires settings, providers and the store for the CLI, the UI and the API."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel

from rag.answer import (
    AnswerChain,
    AnswerEvent,
    AnswerOptions,
    ClaimVerifier,
    clean_question,
)
from rag.brief import Briefing, BriefOptions, BriefPipeline, BriefProgress
from rag.config import Settings
from rag.embeddings import LazyEmbeddings
from rag.errors import InputError, NotFoundError, SourcebriefError, StoreError
from rag.guide import GUIDE_SCHEMA, GuideProgress, GuideWriter, SourceGuide, guide_key
from rag.guide.answerable import passage_finder
from rag.guide.cache import GuideCache
from rag.ingest.fetch import Fetched, fetch_url
from rag.ingest.pipeline import Progress, document_id, ingest_bytes, ingest_pages, ingest_paths
from rag.notebooks import DEFAULT, Notebook, NotebookRegistry, notebook_collection, notebook_dir
from rag.notes import (
    Note,
    Notes,
    NoteSentence,
    StaleCitation,
    note_from_answer,
    note_from_section,
    note_markdown,
    stale_citations,
)
from rag.prompts import load_prompt
from rag.providers import (
    chat_model_name,
    embedding_id,
    make_chat_model,
    make_embeddings,
    make_verifier,
    structured_output_kwargs,
)
from rag.retrieval import HybridRetriever
from rag.store import Store, drop_collections, make_client
from rag.types import (
    ChatTurn,
    CitedAnswer,
    DocumentRecord,
    IngestReport,
    Removed,
    SearchHit,
    SkippedFile,
    Verdict,
    VerifyMode,
)
from rag.verify.verifier import Calibration, load_calibration

__all__ = ["DoctorCheck", "DoctorReport", "Service", "SourceView"]

log = logging.getLogger(__name__)


class DoctorCheck(BaseModel):
    name: str
    ok: bool
    detail: str


class DoctorReport(BaseModel):
    checks: list[DoctorCheck]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


class SourceView(BaseModel):
    record: DocumentRecord
    text: str
    removed: list[Removed]




class _LazyVerifier:
    """Builds the service's verifier on first use, so `--verify off` never loads a judge."""

    def __init__(self, service: Service) -> None:
        self._service = service

    @property
    def name(self) -> str:
        return str(getattr(self._service.verifier, "name", type(self._service.verifier).__name__))

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict:
        return self._service.verifier.verify(claim, passages)


class Service:
    """Everything the front ends call. Collaborators may be passed in (tests) or built lazily."""

    def __init__(self, settings: Settings, *, embeddings: Embeddings | None = None, client: Any | None = None,
                 chat_model: BaseChatModel | None = None, verifier: ClaimVerifier | None = None,
                 notebook: Notebook | None = None, models_of: Service | None = None) -> None:
        self.settings = settings
        self._models_of = models_of  # another notebook's service whose chat model this one shares, when built
        self._embeddings = embeddings
        self._client = client
        self._chat_model = chat_model
        self._verifier = verifier
        self._notebook = notebook
        self._others: dict[str, Service] = {}  # other notebooks' services, made once (their indexes are kept)
        self._others_lock = threading.Lock()

    # --- notebooks -------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        """The Chroma client (embedded or a server), made once."""
        if self._client is None:
            self._client = make_client(self.settings)
        return self._client

    @cached_property
    def notebooks(self) -> NotebookRegistry:
        return NotebookRegistry(self.client, self.settings.collection)

    @cached_property
    def notebook(self) -> Notebook:
        """The notebook this service works on (`settings.notebook`: a name or an id)."""
        if self._notebook is not None:
            return self._notebook
        if self.settings.notebook == DEFAULT:  # no registry read on the default path
            return Notebook(id=DEFAULT, name=DEFAULT)
        return self.notebooks.resolve(self.settings.notebook)

    @property
    def collection(self) -> str:
        """The notebook's Chroma collection."""
        return notebook_collection(self.settings.collection, self.notebook.id)

    @property
    def work_dir(self) -> Path:
        """The notebook's folder: guides, briefings, notes and eval runs."""
        return notebook_dir(self.settings.data_dir, self.notebook.id)

    def for_notebook(self, ref: str | Notebook) -> Service:
        """The same service on another notebook (by name or id, or the notebook itself), sharing the models, the
        judge and the store's client; made once per notebook, so its BM25 index and sentence vectors are built
        once, when first used. The notebook's id of this service or of one made already needs no registry read
        (ids never name another notebook): every app event and API request names its notebook."""
        if self._models_of is not None:
            return self._models_of.for_notebook(ref)
        if isinstance(ref, str):
            if ref == self.notebook.id:
                return self
            with self._others_lock:
                if ref in self._others:
                    return self._others[ref]
        notebook = ref if isinstance(ref, Notebook) else self.notebooks.resolve(ref)
        if notebook.id == self.notebook.id:
            return self
        with self._others_lock:
            if notebook.id not in self._others:
                self._others[notebook.id] = Service(
                    self.settings.model_copy(update={"notebook": notebook.id}), embeddings=self.embeddings,
                    client=self.client, chat_model=self._chat_model, verifier=_LazyVerifier(self), notebook=notebook,
                    models_of=self)
            return self._others[notebook.id]

    def rename_notebook(self, ref: str, name: str) -> Notebook:
        if self._models_of is not None:
            return self._models_of.rename_notebook(ref, name)
        notebook = self.notebooks.rename(ref, name)
        with self._others_lock:
            self._others.pop(notebook.id, None)
        return notebook

    def delete_notebook(self, ref: str) -> Notebook:
        """Delete a notebook and everything in it (its collections, its folder), nothing else."""
        if self._models_of is not None:
            return self._models_of.delete_notebook(ref)
        notebook = self.notebooks.resolve(ref)
        if notebook.id == DEFAULT:
            raise InputError("the default notebook cannot be deleted (delete its documents instead)")
        with self._write_lock():
            drop_collections(self.client, notebook_collection(self.settings.collection, notebook.id))
            folder = notebook_dir(self.settings.data_dir, notebook.id)
            if folder.is_dir():
                shutil.rmtree(folder)
            self.notebooks.forget(notebook.id)
        with self._others_lock:
            self._others.pop(notebook.id, None)
        return notebook

    @cached_property
    def embeddings(self) -> Embeddings:
        if self._embeddings is not None:
            return self._embeddings
        return LazyEmbeddings(lambda: make_embeddings(self.settings))

    @cached_property
    def store(self) -> Store:
        return Store(self.client, self.collection, embedding_id(self.settings))

    # --- ingestion -------------------------------------------------------------------------
    @contextmanager
    def _write_lock(self, wait_s: float = 30.0) -> Iterator[None]:
        """One writer at a time on an embedded store (Chroma is thread-safe, not process-safe)."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(self.settings.data_dir / ".ingest.lock", timeout=wait_s, poll_interval=0.2):
                yield
        except Timeout:
            raise StoreError("another ingest is writing to this store; try again when it ends") from None

    def ingest(self, paths: Sequence[Path] | None = None, *, prune: bool = False, reindex: bool = False,
               on_progress: Progress | None = None) -> IngestReport:
        """Ingest files/folders (default: the seeds folder) into the store."""
        targets = list(paths) if paths else [self.settings.seeds_dir]
        with self._write_lock():
            if reindex:
                self._reset_store()
            return ingest_paths(targets, self.store, self.embeddings, chunk_size=self.settings.chunk_size,
                                chunk_overlap=self.settings.chunk_overlap, max_bytes=self._max_bytes,
                                prune=prune, on_progress=on_progress)

    def upload_name(self, file_name: str) -> str:
        """The upload's bare file name (folders dropped), refused when empty or of a type not accepted."""
        safe = Path(file_name).name.strip()
        if not safe or safe in {".", ".."}:
            raise InputError(f"bad file name {file_name!r}")
        allowed = self.settings.upload_types
        if Path(safe).suffix.lower() not in allowed:
            raise InputError(f"file type not accepted: {safe!r} (accepted: {', '.join(allowed)})")
        return safe

    def ingest_upload(self, data: bytes, file_name: str) -> IngestReport:
        """Ingest an uploaded file, keeping a copy under <data_dir>/uploads."""
        safe = self.upload_name(file_name)
        with self._write_lock():
            key = f"uploads/{safe}"
            return ingest_bytes(data, safe, key, self.store, self.embeddings, chunk_size=self.settings.chunk_size,
                                chunk_overlap=self.settings.chunk_overlap, max_bytes=self._max_bytes)

    def ingest_urls(self, urls: Sequence[str]) -> IngestReport:
        """Fetch pages by URL (`rag.ingest.fetch`: http(s) only, public addresses unless allowed, within the
        timeout and size limit) and ingest them; a page that cannot be fetched or read is skipped with why."""
        fetched: list[Fetched] = []
        skipped: list[SkippedFile] = []
        for url in dict.fromkeys(u.strip() for u in urls if u.strip()):
            try:
                fetched.append(fetch_url(url, timeout_s=self.settings.fetch_timeout_s, max_bytes=self._max_bytes,
                                         allow_private=self.settings.fetch_allow_private))
            except InputError as exc:
                skipped.append(SkippedFile(path=url, reason=str(exc)))
        with self._write_lock():
            report = ingest_pages(fetched, self.store, self.embeddings, chunk_size=self.settings.chunk_size,
                                  chunk_overlap=self.settings.chunk_overlap)
        return report.model_copy(update={"skipped": (*skipped, *report.skipped)})

    def ingest_url(self, url: str) -> IngestReport:
        """One page by URL; a page that cannot be fetched or read is a one-line InputError."""
        report = self.ingest_urls([url])
        if report.skipped:
            raise InputError(report.skipped[0].reason)
        return report

    @property
    def _max_bytes(self) -> int:
        return int(self.settings.max_file_mb * 1_000_000)

    def _reset_store(self) -> None:
        drop_collections(self.client, self.collection)
        self.__dict__.pop("store", None)
        self.__dict__.pop("retriever", None)
        self.__dict__.pop("answer_chain", None)

    # --- sources ---------------------------------------------------------------------------
    def sources(self) -> list[DocumentRecord]:
        return self.store.list_documents()

    def resolve_source(self, ref: str) -> DocumentRecord:
        """A document by id, unique id prefix, or file name."""
        ref = ref.strip()
        records = self.store.list_documents()
        exact = [r for r in records if r.id == ref or r.file_name == ref]
        prefix = [r for r in records if r.id.startswith(ref) or r.file_name.startswith(ref)] if len(ref) >= 3 else []
        matches = exact or prefix
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no document {ref!r} (see `sourcebrief sources`)")
        raise NotFoundError(f"{ref!r} matches {len(matches)} documents; give more of the id")

    def resolve_file(self, path: Path) -> DocumentRecord:
        """The ingested document whose content is this file's bytes (ids are content hashes)."""
        try:
            doc_id = document_id(path.read_bytes())
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
        found = next((r for r in self.store.list_documents() if r.id == doc_id), None)
        if found is None:
            raise NotFoundError(f"{path} is not ingested in its current form (content hash {doc_id}); "
                                f"run `sourcebrief ingest {path}` first")
        return found

    def source(self, ref: str) -> SourceView:
        record = self.resolve_source(ref)
        stored = self.store.get_document_text(record.id)
        if stored is None:
            raise NotFoundError(f"document {record.id} has no stored text")
        return SourceView(record=record, text=stored[0], removed=stored[1])

    def delete_source(self, ref: str) -> DocumentRecord:
        record = self.resolve_source(ref)
        with self._write_lock():
            self.store.delete_document(record.id)
        return record

    # --- retrieval -------------------------------------------------------------------------
    @cached_property
    def retriever(self) -> HybridRetriever:
        return HybridRetriever(self.store, self.embeddings)

    def retrieve(self, query: str, k: int | None = None, sources: Sequence[str] | None = None) -> list[SearchHit]:
        """Hybrid (dense + BM25, fused, diversified) search, optionally within some documents."""
        if not query.strip():
            raise InputError("empty query")
        doc_ids = [self.resolve_source(s).id for s in sources] if sources else None
        titles = {r.id: (r.file_name, r.title) for r in self.store.list_documents()}
        return self.retriever.search(query, k or self.settings.top_k, doc_ids, titles)

    # --- answering -------------------------------------------------------------------------
    @cached_property
    def chat_model(self) -> BaseChatModel:
        if self._chat_model is not None:
            return self._chat_model
        if self._models_of is not None:  # one embedded model per process, whichever notebook asks first
            return self._models_of.chat_model
        return make_chat_model(self.settings)

    @cached_property
    def calibration(self) -> Calibration:
        """The judge's threshold, read once: the verifier judges with it and cache keys name it."""
        return load_calibration(self.settings.verify_calibration)

    @cached_property
    def verifier(self) -> ClaimVerifier:
        if self._verifier is not None:
            return self._verifier
        return make_verifier(self.settings, self.chat_model, self.embeddings,  # type: ignore[no-any-return]
                             self.calibration)

    @cached_property
    def answer_chain(self) -> AnswerChain:
        s = self.settings
        options = AnswerOptions.from_settings(s, self._model_queue())
        return AnswerChain(chat_model=self.chat_model, retriever=self.retriever, embeddings=self.embeddings,
                           store=self.store, answer_prompt=load_prompt(s.prompts_dir, "answer"),
                           condense_prompt=load_prompt(s.prompts_dir, "condense_question"), options=options,
                           provenance=self.provenance(), verifier=_LazyVerifier(self),
                           position_prompt=load_prompt(s.prompts_dir, "position"))

    def warm(self) -> tuple[int, int]:
        """Build what the first question would otherwise wait for: the BM25 index and, when the
        collection's sentences fit their cache, their embeddings. Returns (chunks, sentence vectors)."""
        return self.retriever.warm(), self.answer_chain.warm()

    def _model_queue(self) -> Any:
        """The embedded model's queue length, for the 'waiting for the model' status line."""
        if self.settings.llm_provider != "local" and self._chat_model is None:
            return None
        from rag.chat_models import GENERATION_LOCK

        return GENERATION_LOCK.ahead

    def provenance(self) -> dict[str, str]:
        prompts = ",".join(load_prompt(self.settings.prompts_dir, name).ref
                           for name in ("answer", "condense_question", "verify_claim"))
        return {"settings_fingerprint": self.settings.fingerprint(), "chat_model": chat_model_name(self.settings),
                "llm_provider": self.settings.llm_provider, "embeddings": embedding_id(self.settings),
                "prompts": prompts,
                # A re-calibrated judge changes verdicts: cached eval cases and guides must not outlive it.
                "judge_calibration": self.calibration.key}

    def ask_stream(self, question: str, history: Sequence[ChatTurn] = (), sources: Sequence[str] | None = None,
                   verify: VerifyMode | None = None) -> Iterator[AnswerEvent]:
        """Answer from the sources, yielding status and partial text, then the final CitedAnswer."""
        records = {r.id: r for r in self.store.list_documents()}
        doc_ids = [self.resolve_source(ref).id for ref in sources] if sources else None
        yield from self.answer_chain.stream(question, history, doc_ids, records, verify)

    def ask(self, question: str, history: Sequence[ChatTurn] = (), sources: Sequence[str] | None = None,
            verify: VerifyMode | None = None) -> CitedAnswer:
        final = None
        for event in self.ask_stream(question, history, sources, verify):
            final = event.answer or final
        assert final is not None
        return final

    # --- briefings ------------------------------------------------------------------------
    def brief(self, topic: str | None = None, sources: Sequence[str] | None = None, *,
              verify: VerifyMode | None = None, run_id: str | None = None,
              on_progress: BriefProgress | None = None) -> Briefing:
        """A cited, verified briefing over the collection (or `sources`), narrowed to `topic` when given.

        Stages are saved under <notebook folder>/briefs/<run id>/; the same run id resumes a run.
        `on_progress(stage, done, total)` reports each stage (done == total == 0: loaded from the run).
        """
        s = self.settings
        topic = clean_question(topic, s.max_question_chars) if topic is not None and topic.strip() else None
        records = [self.resolve_source(ref) for ref in sources] if sources else self.store.list_documents()
        records = list({r.id: r for r in records}.values())
        texts = {}
        for record in records:
            stored = self.store.get_document_text(record.id)
            if stored is None:
                raise NotFoundError(f"document {record.id} has no stored text; run `sourcebrief ingest` again")
            texts[record.id] = stored[0]
        options = BriefOptions.from_settings(s)
        verify_prompt = load_prompt(s.prompts_dir, "verify_claim").ref
        pipeline = BriefPipeline(chat_model=self.chat_model, embeddings=self.embeddings, retriever=self.retriever,
                                 verifier=_LazyVerifier(self), digest_prompt=load_prompt(s.prompts_dir, "brief_digest"),
                                 stance_prompt=load_prompt(s.prompts_dir, "brief_stance"), options=options,
                                 runs_dir=self.work_dir / "briefs", collection=self.collection,
                                 provenance={**self.provenance(), "verify_prompt": verify_prompt})
        return pipeline.run(records, texts, topic=topic, run_id=run_id, verify_mode=verify or s.verify_mode,
                            on_progress=on_progress)

    # --- notes -------------------------------------------------------------------------------
    @cached_property
    def notes(self) -> Notes:
        """The notebook's kept answers and briefing sections."""
        return Notes(self.work_dir / "notes")

    def keep_answer(self, answer: CitedAnswer) -> Note:
        return self.notes.save(note_from_answer(answer))

    def keep_section(self, briefing: Briefing, key: str) -> Note:
        """A briefing section (summary, facts, who_says_what, contention, missing or timeline) as a note."""
        section = briefing.section(key)
        if section is None:
            keys = ", ".join(s.key for s in briefing.sections)
            raise InputError(f"no section {key!r} in this briefing ({keys})")
        sentences = [NoteSentence(text=s.text, lead=s.lead, citations=s.citations, verdict=s.verdict)
                     for s in section.sentences]
        return self.notes.save(note_from_section(briefing.title, section.title, sentences))

    def note(self, ref: str) -> tuple[Note, dict[int, StaleCitation]]:
        """A note and, per citation, why its quote is no longer shown (its document deleted or changed)."""
        note = self.notes.get(ref)

        def text_of(doc_id: str) -> str | None:
            stored = self.store.get_document_text(doc_id)
            return stored[0] if stored else None

        return note, stale_citations(note, self.store.list_documents(), text_of)

    def note_markdown(self, ref: str) -> str:
        return note_markdown(*self.note(ref))

    # --- source guides -----------------------------------------------------------------------
    def _guide_verify_mode(self) -> VerifyMode:
        # A guide keeps only what the verifier supports: annotate and strict both drop the rest.
        return "off" if self.settings.verify_mode == "off" else "strict"

    def guide_path(self, doc_id: str) -> Path:
        """Where a document's guide is cached: one file per content hash and guide fingerprint."""
        s = self.settings
        key = guide_key(s.fingerprint(), chat_model_name(s), load_prompt(s.prompts_dir, "brief_digest").ref,
                        load_prompt(s.prompts_dir, "guide").ref, load_prompt(s.prompts_dir, "verify_claim").ref,
                        self._guide_verify_mode(), self.calibration.key, "guide-1")
        return self._guides.path(doc_id, key)

    @cached_property
    def _guides(self) -> GuideCache:
        return GuideCache(self.work_dir / "guides")

    def guide(self, ref: str, *, refresh: bool = False, on_progress: GuideProgress | None = None) -> SourceGuide:
        """A document's source guide (by id, id prefix or file name), from the cache unless `refresh`.

        The cache is keyed by the document's content hash, so a changed file (a new id) gets a new guide
        and an unchanged one is never regenerated. `on_progress(stage, done, total)` reports each stage.
        """
        record = self.resolve_source(ref)
        path = self.guide_path(record.id)
        cached = None if refresh else self._guides.load(path)
        if cached is not None:
            return cached
        stored = self.store.get_document_text(record.id)
        if stored is None:
            raise NotFoundError(f"document {record.id} has no stored text; run `sourcebrief ingest` again")
        s = self.settings
        writer = GuideWriter(
            chat_model=self.chat_model, embeddings=self.embeddings, verifier=_LazyVerifier(self),
            digest_prompt=load_prompt(s.prompts_dir, "brief_digest"), guide_prompt=load_prompt(s.prompts_dir, "guide"),
            options=BriefOptions.from_settings(s),
            find_passage=passage_finder(record, self.retriever, self.embeddings, top_k=s.top_k,
                                        evidence_chars=s.evidence_chars, min_score=s.min_evidence_score),
            verify_mode=self._guide_verify_mode(),
            provenance={**self.provenance(), "verify_prompt": load_prompt(s.prompts_dir, "verify_claim").ref},
            guide_structured=structured_output_kwargs(s, GUIDE_SCHEMA))
        guide = writer.write(record, stored[0], key=path.stem.rsplit("-", 1)[-1], on_progress=on_progress)
        self._guides.save(path, guide)
        return guide

    def guides(self, on_progress: Callable[[int, int, str], None] | None = None) -> list[SourceGuide]:
        """Every document's guide (cached ones are loaded); `on_progress(done, total, file name)`."""
        records = self.store.list_documents()
        out = []
        for i, record in enumerate(records):
            if on_progress:
                on_progress(i, len(records), record.file_name)
            out.append(self.guide(record.id))
        if on_progress:
            on_progress(len(records), len(records), "")
        return out

    # --- health ----------------------------------------------------------------------------
    def doctor(self, *, check_llm: bool = True) -> DoctorReport:
        """Load each component and report what is ready."""
        checks: list[DoctorCheck] = []

        def run(name: str, fn: Any) -> None:
            started = time.perf_counter()
            try:
                detail = fn()
                checks.append(DoctorCheck(name=name, ok=True,
                                          detail=f"{detail} ({time.perf_counter() - started:.1f}s)"))
            except SourcebriefError as exc:
                checks.append(DoctorCheck(name=name, ok=False, detail=str(exc)))

        def embeddings() -> str:
            vector = self.embeddings.embed_query("doctor check")
            model = self.embeddings.model if isinstance(self.embeddings, LazyEmbeddings) else self.embeddings
            return f"{embedding_id(self.settings)} via {type(model).__name__}, {len(vector)} dims"

        def store() -> str:
            where = (f"server {self.settings.chroma_host}:{self.settings.chroma_port}" if self.settings.chroma_host
                     else f"embedded {self.settings.chroma_dir}")
            docs = self.store.list_documents()
            return (f"{where}; notebook {self.notebook.name!r}, collection {self.collection!r}: {len(docs)} "
                    f"documents, {self.store.count_chunks()} chunks")

        run("embeddings", embeddings)
        run("store", store)
        if check_llm:
            from rag.llm_check import check_chat_model

            run("llm", lambda: check_chat_model(self.settings))
        return DoctorReport(checks=checks)
