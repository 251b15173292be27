"""Sentence-aware chunking with overlap; a chunk's text is always `cleaned[start:end]`."""

from __future__ import annotations

import hashlib

from rag.ingest.sentences import split_sentences
from rag.types import Chunk, Sentence

__all__ = ["chunk_id", "chunk_text"]


def chunk_id(doc_id: str, start: int, end: int, text: str) -> str:
    """Content-derived chunk id: same document, span and text give the same id."""
    digest = hashlib.sha256(f"{doc_id}:{start}:{end}:{text}".encode()).hexdigest()
    return f"{doc_id}-{digest[:16]}"


def _pieces(sentences: list[Sentence], size: int) -> list[Sentence]:
    """Cut sentences longer than `size` at word boundaries so no chunk overflows by much."""
    out: list[Sentence] = []
    for sent in sentences:
        if sent.end - sent.start <= size:
            out.append(sent)
            continue
        start = sent.start
        while start < sent.end:
            stop = min(start + size, sent.end)
            if stop < sent.end:
                space = sent.text.rfind(" ", start - sent.start, stop - sent.start)
                if space > start - sent.start:
                    stop = sent.start + space
            out.append(Sentence(start=start, end=stop, text=sent.text[start - sent.start:stop - sent.start]))
            start = stop
            while start < sent.end and sent.text[start - sent.start].isspace():
                start += 1
    return out


def chunk_text(doc_id: str, cleaned: str, size: int, overlap: int) -> list[Chunk]:
    """Pack whole sentences into chunks of about `size` characters.

    Each new chunk starts with the trailing sentences of the previous one that fit in
    `overlap` characters, so a fact that straddles a boundary is retrievable from either side.
    """
    units = _pieces(split_sentences(cleaned), size)
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1].end - units[first].start <= size:
            last += 1
        start, end = units[first].start, units[last].end
        text = cleaned[start:end]
        chunks.append(Chunk(id=chunk_id(doc_id, start, end, text), doc_id=doc_id, index=len(chunks),
                            start=start, end=end, text=text))
        if last + 1 >= len(units):
            break
        nxt = last + 1
        # Step back over trailing sentences that fit in the overlap, but always advance.
        while nxt - 1 > first and end - units[nxt - 1].start <= overlap:
            nxt -= 1
        first = nxt
    return chunks
