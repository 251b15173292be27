"""Incremental, idempotent ingestion: files -> cleaned text -> chunks -> embeddings -> store.

Document ids are content hashes of the file bytes; chunk ids derive from (document, span, text).
Unchanged files cost a hash and a registry look-up; nothing is embedded twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from langchain_core.embeddings import Embeddings

from rag.errors import InputError
from rag.ingest.chunk import chunk_text
from rag.ingest.clean import CLEANER_VERSION, clean_text
from rag.ingest.fetch import Fetched
from rag.ingest.load import load_bytes
from rag.ingest.meta import META_VERSION, find_author, find_outlet, find_title
from rag.store import Store
from rag.types import Chunk, CleanedText, DocumentRecord, IngestReport, Origin, SkippedFile

__all__ = ["discover_files", "document_id", "ingest_bytes", "ingest_pages", "ingest_paths", "pipeline_fingerprint"]

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
CHUNKER_VERSION = "1"
FLUSH_CHUNKS = 1024  # chunks parsed before one embedding call: long length-sorted batches pad least


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def pipeline_fingerprint(embedding_id: str, chunk_size: int, chunk_overlap: int) -> str:
    """What must match for a stored document to count as up to date."""
    chunking = f"chunk{CHUNKER_VERSION}:{chunk_size}:{chunk_overlap}"
    return f"clean{CLEANER_VERSION}/meta{META_VERSION}/{chunking}/{embedding_id}"


def discover_files(paths: Iterable[Path]) -> tuple[list[Path], list[SkippedFile]]:
    """Expand folders recursively (hidden files skipped); report paths that do not exist."""
    files: list[Path] = []
    missing: list[SkippedFile] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            files.append(path)
        else:
            missing.append(SkippedFile(path=str(path), reason="no such file or folder"))
    return files, missing


def _path_key(path: Path) -> str:
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


@dataclass
class _Pending:
    """A parsed file waiting for its chunks to be embedded (cleaned None: a second name for one queued)."""

    key: str
    record: DocumentRecord
    cleaned: CleanedText | None
    chunks: list[Chunk] = field(default_factory=list)


@dataclass
class _Run:
    store: Store
    embeddings: Embeddings
    chunk_size: int
    chunk_overlap: int
    pipeline: str = ""
    pending: list[_Pending] = field(default_factory=list)
    records: dict[str, DocumentRecord] = field(default_factory=dict)
    owners: dict[str, set[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: dict(added=0, updated=0, unchanged=0, removed=0))
    skipped: list[SkippedFile] = field(default_factory=list)
    embedded: int = 0

    def set_record(self, record: DocumentRecord) -> None:
        """Keep `records` and the path index (path -> document ids) in step."""
        old = self.records.get(record.id)
        for path in old.paths if old else ():
            self.owners.get(path, set()).discard(record.id)
        self.records[record.id] = record
        for path in record.paths:
            self.owners.setdefault(path, set()).add(record.id)

    def delete_record(self, doc_id: str) -> None:
        record = self.records.pop(doc_id)
        for path in record.paths:
            self.owners.get(path, set()).discard(doc_id)
        self.store.delete_document(doc_id)

    def by_path(self, key: str) -> DocumentRecord | None:
        ids = self.owners.get(key)
        return self.records[min(ids)] if ids else None

    def detach_path(self, key: str, keep_id: str | None) -> None:
        """Forget `key` on every other document; delete documents left with no path."""
        for doc_id in sorted(self.owners.get(key, set()) - {keep_id}):
            record = self.records[doc_id]
            paths = tuple(p for p in record.paths if p != key)
            if paths:
                self._save_paths(record, paths)
            else:
                self.delete_record(doc_id)

    def _save_paths(self, record: DocumentRecord, paths: tuple[str, ...]) -> None:
        text = self.store.get_document_text(record.id)
        cleaned, removed = text if text else ("", [])
        updated = record.model_copy(update={"paths": paths})
        self.store.put_document(updated, cleaned, removed)
        self.set_record(updated)

    def ingest(self, key: str, data: bytes, file_name: str, origin: Origin | None = None) -> str | None:
        """Queue one file's content under path `key`.

        Returns 'unchanged' at once, or None when the file was parsed and queued for embedding;
        `flush` then embeds queued files together (batching across small files) and commits them.
        """
        doc_id = document_id(data)
        existing = self.records.get(doc_id)
        if existing is not None and existing.pipeline == self.pipeline:
            if key not in existing.paths:
                self._save_paths(existing, (*existing.paths, key))
            self.detach_path(key, keep_id=doc_id)
            return "unchanged"
        if any(p.record.id == doc_id for p in self.pending):
            self.pending.append(_Pending(key=key, record=next(p.record for p in self.pending
                                                               if p.record.id == doc_id), cleaned=None))
            return None
        loaded = load_bytes(data)
        cleaned = clean_text(loaded.text)
        if not cleaned.text.strip():
            raise InputError("nothing left after removing boilerplate")
        chunks = chunk_text(doc_id, cleaned.text, self.chunk_size, self.chunk_overlap)
        record = DocumentRecord(
            id=doc_id, file_name=file_name, paths=(), title=find_title(loaded, cleaned.text),
            outlet=find_outlet(loaded.text), author=find_author(loaded, loaded.text), format=loaded.format,
            chars=len(cleaned.text), chunks=len(chunks), pipeline=self.pipeline,
            ingested_at=datetime.now(UTC).isoformat(timespec="seconds"), origin=origin)
        self.pending.append(_Pending(key=key, record=record, cleaned=cleaned, chunks=chunks))
        return None

    def pending_chunks(self) -> int:
        return sum(len(p.chunks) for p in self.pending)

    def flush(self) -> None:
        """Embed every queued chunk in one call, store all chunks, then commit all records.

        Chroma makes each write a transaction, so the batch is written in a few large calls;
        records still follow their chunks, keeping the record the commit marker.
        """
        if not self.pending:
            return
        # Chunk ids are content hashes in a collection tied to one embedding model, so a chunk
        # already stored (e.g. after a cleaner or metadata change) keeps its vector.
        parsed = [p for p in self.pending if p.cleaned is not None]
        stored = {p.record.id: self.store.chunk_ids(p.record.id) for p in parsed if p.record.id in self.records}
        fresh = [c for p in parsed for c in p.chunks if c.id not in stored.get(p.record.id, set())]
        vectors = self.embeddings.embed_documents([c.text for c in fresh])
        self.embedded += len(fresh)
        self.store.add_chunks(fresh, vectors)
        self.store.delete_chunks([cid for p in parsed for cid in stored.get(p.record.id, set())
                                  - {c.id for c in p.chunks}])
        commits = []
        for item in parsed:
            existing = self.records.get(item.record.id)
            previous = self.by_path(item.key)
            paths = tuple(dict.fromkeys([*(existing.paths if existing else ()), item.key]))
            record = item.record.model_copy(update={"paths": paths})
            assert item.cleaned is not None
            commits.append((record, item.cleaned.text, item.cleaned.removed))
            self.set_record(record)
            self.counts["updated" if existing is not None or previous is not None else "added"] += 1
        self.store.put_documents(commits)
        for item in self.pending:
            if item.cleaned is None:  # same content queued under a second name in this run
                record = self.records[item.record.id]
                if item.key not in record.paths:
                    self._save_paths(record, (*record.paths, item.key))
                self.counts["unchanged"] += 1
            self.detach_path(item.key, keep_id=item.record.id)
        self.pending.clear()
        self.store.mark_changed()

    def sweep_leftovers(self) -> None:
        """Delete chunks that no committed document record accounts for (an interrupted run)."""
        orphans = [cid for cid, doc in self.store.chunk_doc_ids().items() if doc not in self.records]
        if orphans:
            log.info("removing %d chunks left by an interrupted ingest", len(orphans))
            self.store.delete_chunks(orphans)

    def prune(self, roots: Sequence[Path], seen: set[str]) -> None:
        """Forget paths under `roots` that this run did not see; delete documents left with none."""
        prefixes = [_path_key(r) for r in roots]
        for record in list(self.records.values()):
            gone = [p for p in record.paths if p not in seen
                    and any(p == pre or p.startswith(pre.rstrip("/") + "/") for pre in prefixes)]
            if not gone:
                continue
            paths = tuple(p for p in record.paths if p not in gone)
            if paths:
                self._save_paths(record, paths)
            else:
                self.delete_record(record.id)
                self.counts["removed"] += 1

    def report(self) -> IngestReport:
        return IngestReport(documents=len(self.store.list_documents()), chunks=self.store.count_chunks(),
                            skipped=tuple(self.skipped), embedded_chunks=self.embedded, **self.counts)


def _new_run(store: Store, embeddings: Embeddings, chunk_size: int, chunk_overlap: int) -> _Run:
    run = _Run(store, embeddings, chunk_size, chunk_overlap)
    run.pipeline = pipeline_fingerprint(store.embedding_id, chunk_size, chunk_overlap)
    for record in store.list_documents():
        run.set_record(record)
    run.sweep_leftovers()
    return run


def ingest_paths(paths: Sequence[Path], store: Store, embeddings: Embeddings, *, chunk_size: int,
                 chunk_overlap: int, max_bytes: int, prune: bool = False,
                 on_progress: Progress | None = None) -> IngestReport:
    """Ingest files and folders; bad files are skipped with a reason and the rest completes."""
    files, missing = discover_files(paths)
    run = _new_run(store, embeddings, chunk_size, chunk_overlap)
    run.skipped.extend(missing)
    seen: set[str] = set()
    for done, path in enumerate(files):
        key = _path_key(path)
        seen.add(key)
        try:
            size = path.stat().st_size
            if size > max_bytes:
                raise InputError(f"file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB, "
                                 "SOURCEBRIEF_MAX_FILE_MB)")
            outcome = run.ingest(key, path.read_bytes(), path.name)
            if outcome is not None:
                run.counts[outcome] += 1
        except (InputError, OSError) as exc:
            reason = str(exc) if isinstance(exc, InputError) else f"unreadable ({exc.strerror or exc})"
            log.warning("skipped %s: %s", key, reason)
            run.skipped.append(SkippedFile(path=key, reason=reason))
        if run.pending_chunks() >= FLUSH_CHUNKS or done + 1 == len(files):
            run.flush()
        if on_progress is not None:
            on_progress("ingest", done + 1, len(files))
    run.flush()
    if prune:
        run.prune([p for p in paths if p.is_dir() or p.is_file()], seen)
    return run.report()


def ingest_bytes(data: bytes, file_name: str, key: str, store: Store, embeddings: Embeddings, *,
                 chunk_size: int, chunk_overlap: int, max_bytes: int) -> IngestReport:
    """Ingest one uploaded file's content under a stable key (the upload path)."""
    if len(data) > max_bytes:
        raise InputError(f"file too large ({len(data) / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB)")
    run = _new_run(store, embeddings, chunk_size, chunk_overlap)
    outcome = run.ingest(key, data, file_name)
    if outcome is not None:
        run.counts[outcome] += 1
    run.flush()
    return run.report()


def ingest_pages(pages: Sequence[Fetched], store: Store, embeddings: Embeddings, *, chunk_size: int,
                 chunk_overlap: int) -> IngestReport:
    """Ingest fetched pages, each under the address asked for: the same page fetched again is unchanged, a
    changed one replaces its chunks. The final address is the document's file name (shown in citations)."""
    run = _new_run(store, embeddings, chunk_size, chunk_overlap)
    for page in pages:
        origin = Origin(url=page.url, final_url=page.final_url, fetched_at=page.fetched_at)
        try:
            outcome = run.ingest(page.url, page.data, page.final_url, origin)
        except InputError as exc:
            run.skipped.append(SkippedFile(path=page.url, reason=str(exc)))
            continue
        if outcome is not None:
            run.counts[outcome] += 1
    run.flush()
    return run.report()
