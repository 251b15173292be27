"""Chroma behind a few functions: chunks with their embeddings, and the document registry.

The registry lives in Chroma too (a second collection), so an embedded store and a
`chroma run` server hold the whole state. A document's record is written after its chunks,
which makes the record the commit marker: chunks without a matching record are leftovers of
an interrupted ingest and are swept on the next run.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from rag.config import Settings
from rag.errors import ConfigError, SourcebriefError, StoreError
from rag.types import Chunk, DocumentRecord, Removed

__all__ = ["GuardedMethods", "Store", "drop_collections", "make_client"]

log = logging.getLogger(__name__)

_BATCH = 1000  # Chroma caps the records per call; stay well under it.
T = TypeVar("T")


def make_client(settings: Settings) -> Any:
    """An embedded PersistentClient, or an HttpClient when `chroma_host` is set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except Exception as exc:  # chromadb raises bare Exceptions/ValueErrors for unreachable servers
        where = (f"{settings.chroma_host}:{settings.chroma_port} (SOURCEBRIEF_CHROMA_HOST/PORT)"
                 if settings.chroma_host else f"{settings.chroma_dir} (SOURCEBRIEF_CHROMA_PATH)")
        raise StoreError(f"cannot open Chroma at {where}: {exc}") from exc


def _batches(items: Sequence[Any], size: int = _BATCH) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _get_all(collection: Any, where: dict[str, Any] | None, include: list[str], page: int = 5000) -> dict[str, list]:
    """`collection.get` in pages: one unbounded get over ~50k records exceeds SQLite's variable limit."""
    merged: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(where=where, include=include, limit=page, offset=offset)
        merged["ids"] += got["ids"]
        for key in include:
            merged[key] += got[key] or []
        if len(got["ids"]) < page:
            return merged
        offset += page


def _guarded(method: Callable[..., T]) -> Callable[..., T]:
    """Turn whatever the Chroma client raises (a server gone mid-session, a refused connection,
    a broken local file) into a one-line StoreError; the caller may retry once it is back."""
    @functools.wraps(method)
    def wrapped(self: Store, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except SourcebriefError:
            raise
        except Exception as exc:  # chromadb and httpx raise many unrelated types
            first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            raise StoreError(f"Chroma failed during {method.__name__} ({type(exc).__name__}: {first}); is the "
                             "store reachable? (SOURCEBRIEF_CHROMA_HOST/PORT or SOURCEBRIEF_CHROMA_PATH)") from exc
    return wrapped


class GuardedMethods(type):
    """Wraps every public method of the class with `_guarded`."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
        for key, value in list(namespace.items()):
            if callable(value) and not key.startswith("_"):
                namespace[key] = _guarded(value)
        return super().__new__(mcs, name, bases, namespace)


class Store(metaclass=GuardedMethods):
    """Chunks and document records of one collection, tied to one embedding model."""

    def __init__(self, client: Any, name: str, embedding_id: str) -> None:
        self._client = client
        self.name = name
        self.embedding_id = embedding_id
        try:
            self._chunks = client.get_or_create_collection(
                name, metadata={"hnsw:space": "cosine", "embedding": embedding_id}, embedding_function=None)
            self._docs = client.get_or_create_collection(
                f"{name}__documents", metadata={"hnsw:space": "cosine"}, embedding_function=None)
        except Exception as exc:
            raise StoreError(f"cannot open collection {name!r}: {exc}") from exc
        stored = (self._chunks.metadata or {}).get("embedding")
        if stored and stored != embedding_id:
            raise ConfigError(
                f"collection {name!r} was built with embeddings {stored!r}, not {embedding_id!r}: "
                "run `sourcebrief ingest --reindex` or set SOURCEBRIEF_COLLECTION to another name")

    # --- chunks ----------------------------------------------------------------------------
    def add_chunks(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        """Upsert chunks with their embeddings (ids are content hashes, so upsert is idempotent)."""
        for lo in range(0, len(chunks), _BATCH):
            part = chunks[lo:lo + _BATCH]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=[list(map(float, e)) for e in embeddings[lo:lo + _BATCH]],
                documents=[c.text for c in part],
                metadatas=[{"doc_id": c.doc_id, "index": c.index, "start": c.start, "end": c.end} for c in part],
            )

    def chunk_ids(self, doc_id: str | None = None) -> set[str]:
        """Ids of stored chunks, of one document or of all."""
        where = {"doc_id": doc_id} if doc_id else None
        return set(_get_all(self._chunks, where, [])["ids"])

    def chunk_doc_ids(self) -> dict[str, str]:
        """Map every stored chunk id to its document id (for sweeping leftovers)."""
        got = _get_all(self._chunks, None, ["metadatas"])
        return {cid: str(meta["doc_id"]) for cid, meta in zip(got["ids"], got["metadatas"], strict=True)}

    def delete_chunks(self, ids: Iterable[str]) -> None:
        for part in _batches(list(ids)):
            self._chunks.delete(ids=list(part))

    def count_chunks(self) -> int:
        return int(self._chunks.count())

    def get_chunks(self, doc_ids: Sequence[str] | None = None) -> list[Chunk]:
        """All chunks, or those of some documents, in document order."""
        where = _doc_filter(doc_ids)
        got = _get_all(self._chunks, where, ["documents", "metadatas"])
        chunks = [_to_chunk(cid, text, meta) for cid, text, meta in
                  zip(got["ids"], got["documents"], got["metadatas"], strict=True)]
        return sorted(chunks, key=lambda c: (c.doc_id, c.index))

    def query(self, embedding: Sequence[float], k: int,
              doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (1 - distance), best first."""
        if k <= 0 or self.count_chunks() == 0:
            return []
        got = self._chunks.query(query_embeddings=[list(map(float, embedding))], n_results=k,
                                 where=_doc_filter(doc_ids), include=["documents", "metadatas", "distances"])
        rows = zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True)
        return [(_to_chunk(cid, text, meta), 1.0 - float(dist)) for cid, text, meta, dist in rows]

    # --- document registry -----------------------------------------------------------------
    def put_document(self, record: DocumentRecord, cleaned: str, removed: Sequence[Removed]) -> None:
        """Write (or replace) a document's record; call after its chunks are stored."""
        self.put_documents([(record, cleaned, removed)])

    def put_documents(self, items: Sequence[tuple[DocumentRecord, str, Sequence[Removed]]]) -> None:
        """Write several records in one call (each Chroma write is a transaction: batch them)."""
        for part in _batches(items):
            self._docs.upsert(
                ids=[record.id for record, _, _ in part], embeddings=[[1.0]] * len(part),
                documents=[cleaned for _, cleaned, _ in part],
                metadatas=[{"record": record.model_dump_json(),
                            "removed": json.dumps([r.model_dump() for r in removed])} for record, _, removed in part])

    def revision(self) -> int:
        """A counter bumped whenever chunks change, read fresh so other processes' writes show."""
        meta = self._client.get_collection(f"{self.name}__documents").metadata or {}
        return int(meta.get("revision", 0))

    def mark_changed(self) -> None:
        """Tell readers (the BM25 index) that chunks changed; writers call it once per batch."""
        self._docs.modify(metadata={"revision": self.revision() + 1})

    def list_documents(self) -> list[DocumentRecord]:
        got = _get_all(self._docs, None, ["metadatas"])
        records = [DocumentRecord.model_validate_json(str(m["record"])) for m in got["metadatas"]]
        return sorted(records, key=lambda r: r.file_name)

    def get_document_text(self, doc_id: str) -> tuple[str, list[Removed]] | None:
        """The cleaned text of a document and what cleaning removed from it."""
        got = self._docs.get(ids=[doc_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        removed = [Removed.model_validate(r) for r in json.loads(str((got["metadatas"] or [])[0]["removed"]))]
        return str((got["documents"] or [])[0]), removed

    def delete_document(self, doc_id: str) -> int:
        """Remove a document's record first, then its chunks; returns the chunks removed."""
        ids = self.chunk_ids(doc_id)
        self._docs.delete(ids=[doc_id])
        self.delete_chunks(ids)
        self.mark_changed()
        return len(ids)


def drop_collections(client: Any, name: str) -> None:
    """Delete a store's two collections (for `--reindex`); missing ones are fine."""
    for collection in (name, f"{name}__documents"):
        try:
            client.delete_collection(collection)
        except Exception as exc:  # chromadb raises NotFoundError or ValueError depending on version
            log.debug("delete_collection(%s): %s", collection, exc)


def _doc_filter(doc_ids: Sequence[str] | None) -> dict[str, Any] | None:
    if not doc_ids:
        return None
    if len(doc_ids) == 1:
        return {"doc_id": doc_ids[0]}
    return {"doc_id": {"$in": list(doc_ids)}}


def _to_chunk(cid: str, text: str | None, meta: Any) -> Chunk:
    return Chunk(id=cid, doc_id=str(meta["doc_id"]), index=int(meta["index"]), start=int(meta["start"]),
                 end=int(meta["end"]), text=text or "")
