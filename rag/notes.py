"""Notes: answers and briefing sections kept in a notebook, citations and verdicts included.

A note is saved as it was shown (its sentences, the verbatim quotes they cite with their offsets, the verifier's
verdicts), one JSON file per note under the notebook's `notes/` folder. Document ids are content hashes, so when
a cited document is deleted or re-ingested with other content its id is gone from the notebook; a note then says
so for that citation instead of showing a quote the sources no longer hold.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.errors import InputError, NotFoundError
from rag.types import Citation, CitedAnswer, DocumentRecord, Verdict

__all__ = ["Note", "NoteSentence", "Notes", "StaleCitation", "footnotes", "note_from_answer", "note_from_section",
           "note_markdown", "stale_citations"]

_ID = re.compile(r"^[0-9a-f]{4,32}$")


class NoteSentence(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    lead: str = Field(default="", description="A label shown before the text (a date, a figure), as in briefings.")
    citations: tuple[Citation, ...] = ()
    verdict: Verdict | None = None


class Note(BaseModel):
    """A kept answer or briefing section."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: Literal["answer", "briefing"]
    title: str = Field(description="The question, or the briefing's title and the section's.")
    created_at: str
    sentences: tuple[NoteSentence, ...]


class StaleCitation(BaseModel):
    """A citation of a note whose quote the notebook no longer holds, and why."""

    n: int
    reason: str


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _numbered(sentences: Sequence[NoteSentence]) -> tuple[NoteSentence, ...]:
    """Citations numbered 1.. in reading order, one number per distinct quoted span."""
    numbers: dict[tuple[str, int, int], int] = {}
    out = []
    for sentence in sentences:
        cites = []
        for c in sentence.citations:
            n = numbers.setdefault((c.doc_id, c.start, c.end), len(numbers) + 1)
            cites.append(c.model_copy(update={"n": n}))
        out.append(sentence.model_copy(update={"citations": tuple(cites)}))
    return tuple(out)


def note_from_answer(answer: CitedAnswer) -> Note:
    """An answer as a note (what was shown: refusals and removed sentences are not kept)."""
    if answer.declined or not answer.sentences:
        raise InputError("nothing to keep: the sources did not answer this question")
    sentences = [NoteSentence(text=s.text, citations=s.citations, verdict=s.verdict) for s in answer.sentences
                 if "refusal" not in s.flags]
    return Note(id=_new_id(), kind="answer", title=answer.question, created_at=_now(), sentences=_numbered(sentences))


def note_from_section(title: str, section_title: str, sentences: Sequence[NoteSentence]) -> Note:
    """A briefing section as a note (`rag.brief` sentences carry the same text, lead, citations and verdict)."""
    kept = [s for s in sentences if s.text.strip()]
    if not kept:
        raise InputError(f"nothing to keep: the section {section_title!r} is empty")
    return Note(id=_new_id(), kind="briefing", title=f"{title}: {section_title}", created_at=_now(),
                sentences=_numbered(kept))


def stale_citations(note: Note, records: Sequence[DocumentRecord],
                    text_of: Callable[[str], str | None]) -> dict[int, StaleCitation]:
    """Per citation number, why its quote cannot be shown: the document was deleted, or changed (a document of
    that name holds other content now), or the quote no longer stands at its offsets."""
    by_id = {r.id: r for r in records}
    names = {r.file_name for r in records}
    out: dict[int, StaleCitation] = {}
    for sentence in note.sentences:
        for c in sentence.citations:
            if c.n in out:
                continue
            if c.doc_id not in by_id:
                why = (f"{c.file_name} has changed since this note was kept" if c.file_name in names
                       else f"{c.file_name} is no longer in this notebook")
                out[c.n] = StaleCitation(n=c.n, reason=why)
                continue
            text = text_of(c.doc_id)
            if text is None or not c.holds_in(text):
                out[c.n] = StaleCitation(n=c.n, reason=f"the quote no longer stands in {c.file_name}")
    return out


def footnotes(note: Note) -> list[tuple[Citation, NoteSentence]]:
    """Each citation number once, in order, with the sentence it first supports (for its verdict)."""
    seen: dict[int, tuple[Citation, NoteSentence]] = {}
    for s in note.sentences:
        for c in s.citations:
            seen.setdefault(c.n, (c, s))
    return list(seen.values())


def note_markdown(note: Note, stale: Mapping[int, StaleCitation]) -> str:
    """The note as Markdown with footnotes, like an exported answer; a stale citation says why, without its quote."""
    body = []
    for s in note.sentences:
        lead = f"**{s.lead}:** " if s.lead else ""
        body.append(f"{lead}{s.text}" + "".join(f"[^{c.n}]" for c in s.citations))
    joiner = " " if note.kind == "answer" else "\n\n"
    lines = [f"**{'Q' if note.kind == 'answer' else 'Note'}:** {note.title}", "", joiner.join(body), ""]
    for c, s in footnotes(note):
        if c.n in stale:
            lines.append(f"[^{c.n}]: {c.file_name}: quote not shown: {stale[c.n].reason}.")
            continue
        verdict = f" (verdict: {s.verdict.label} {s.verdict.score:.2f})" if s.verdict else ""
        lines.append(f'[^{c.n}]: {c.file_name}, characters {c.start}-{c.end}: "{c.quote}"{verdict}')
    lines += ["", f"<!-- note {note.id}, kept {note.created_at} -->"]
    return "\n".join(lines) + "\n"


class Notes:
    """The notes of one notebook: one JSON file each under `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def save(self, note: Note) -> Note:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{note.id}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(note.model_dump_json(indent=1), encoding="utf-8")
        os.replace(tmp, path)  # a crash leaves the old note or the new one, never half of one
        return note

    def all(self) -> list[Note]:
        """Every note, newest first (an unreadable file is skipped, not fatal)."""
        notes = []
        for path in self.folder.glob("*.json") if self.folder.is_dir() else ():
            try:
                notes.append(Note.model_validate(json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError):
                continue
        return sorted(notes, key=lambda n: (n.created_at, n.id), reverse=True)

    def get(self, ref: str) -> Note:
        """A note by id or a unique id prefix (at least 4 characters)."""
        ref = ref.strip()
        if not _ID.match(ref):
            raise InputError(f"bad note id {ref!r} (see `sourcebrief notes list`)")
        matches = [n for n in self.all() if n.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise NotFoundError(f"no note {ref!r} (see `sourcebrief notes list`)")
        raise NotFoundError(f"{ref!r} matches {len(matches)} notes; give more of the id")

    def delete(self, ref: str) -> Note:
        note = self.get(ref)
        (self.folder / f"{note.id}.json").unlink()
        return note
