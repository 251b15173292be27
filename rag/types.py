"""Typed results that cross module borders. Offsets always index the document's cleaned text."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from rag.structure import read_with

__all__ = [
    "VERIFY_MODES",
    "AnswerGate",
    "AnswerSentence",
    "ChatTurn",
    "Chunk",
    "Citation",
    "CitedAnswer",
    "ClaimVerifier",
    "CleanedText",
    "DocumentRecord",
    "Evidence",
    "IngestReport",
    "LoadedText",
    "Removed",
    "RemovedSentence",
    "SearchHit",
    "Sentence",
    "SkippedFile",
    "SourcePosition",
    "Verdict",
    "VerifyMode",
]

#: How answers are checked. off: not verified; annotate: a verdict badge on every sentence, all shown;
#: guarded (default): questions the sources cannot answer are refused before the model writes, a false
#: premise is corrected, and a sentence the verifier does not support is re-cited or removed;
#: strict: as guarded, but an answer that loses any sentence is refused whole.
VerifyMode = Literal["off", "annotate", "guarded", "strict"]
VERIFY_MODES: tuple[str, ...] = ("off", "annotate", "guarded", "strict")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Removed(_Frozen):
    """A piece of the loaded text that cleaning removed, and why."""

    reason: str = Field(description="Rule that removed it, e.g. 'cookie-notice'.")
    text: str = Field(description="The removed text as it stood in the loaded text.")
    line: int = Field(description="0-based line number in the loaded text.")


class LoadedText(_Frozen):
    """Plain text extracted from a file, before cleaning."""

    text: str
    format: str = Field(description="Detected format: txt, md, html or pdf.")
    title: str | None = Field(default=None, description="Title given by the format (HTML <title>, PDF info).")
    author: str | None = None


class CleanedText(_Frozen):
    """The article text after boilerplate removal, with what was removed."""

    text: str
    removed: tuple[Removed, ...] = ()


class Sentence(_Frozen):
    """A sentence of a cleaned text: `text == cleaned[start:end]`."""

    start: int
    end: int
    text: str


class Chunk(_Frozen):
    """A retrievable span of a document: `text == cleaned[start:end]`."""

    id: str = Field(description="Content-derived id: hash of document id, offsets and text.")
    doc_id: str
    index: int = Field(description="Position of the chunk within its document.")
    start: int
    end: int
    text: str


class Origin(_Frozen):
    """Where a document fetched by URL came from."""

    url: str = Field(description="The address asked for (the document's key: fetched again, it replaces itself).")
    final_url: str = Field(description="The address the page was read from, after redirects.")
    fetched_at: str = Field(description="When it was fetched (UTC, ISO 8601).")


class DocumentRecord(_Frozen):
    """What the registry knows about one ingested document."""

    id: str = Field(description="Content hash of the file's bytes (16 hex digits).")
    file_name: str
    paths: tuple[str, ...] = Field(description="Every source path seen with this content.")
    title: str
    outlet: str | None = None
    author: str | None = None
    format: str
    chars: int = Field(description="Characters in the cleaned text.")
    chunks: int
    pipeline: str = Field(description="Fingerprint of cleaning, chunking and embedding settings used.")
    ingested_at: str
    origin: Origin | None = Field(None, description="For a page ingested by URL: where and when it was fetched.")


class SkippedFile(_Frozen):
    path: str
    reason: str


class IngestReport(_Frozen):
    """Outcome of one ingest run; `--json` prints the counting fields."""

    documents: int = Field(description="Documents in the store after the run.")
    chunks: int = Field(description="Chunks in the store after the run.")
    added: int
    updated: int
    unchanged: int
    removed: int
    skipped: tuple[SkippedFile, ...] = ()
    embedded_chunks: int = 0

    def then(self, later: IngestReport) -> IngestReport:
        """This run followed by a later one: counts added up, the store's size after the later one."""
        return later.model_copy(update={
            "added": self.added + later.added, "updated": self.updated + later.updated,
            "unchanged": self.unchanged + later.unchanged, "removed": self.removed + later.removed,
            "embedded_chunks": self.embedded_chunks + later.embedded_chunks,
            "skipped": (*self.skipped, *later.skipped)})


class SearchHit(_Frozen):
    """One retrieved chunk with its document and score(s)."""

    chunk: Chunk
    file_name: str
    title: str
    score: float = Field(description="Fused or single-retriever score, higher is better.")
    scores: dict[str, float] = Field(default_factory=dict, description="Score from each retriever.")


class Evidence(_Frozen):
    """A numbered sentence shown to the model: `cleaned[start:end] == text` of its document."""

    n: int = Field(description="The number the model cites, from 1.")
    doc_id: str
    file_name: str
    title: str
    source: str = Field(description="How the source is named to the model: outlet, author or title.")
    start: int
    end: int
    text: str
    score: float = Field(description="Relevance to the question used to select it.")
    context: str = Field(default="", description=(
        "The line a table row or list item is read under (its table's header, its list's heading), verbatim; "
        "shown with it, not part of the quote."))

    @property
    def reading(self) -> str:
        """The line as the model and the judge read it: a row with its header's names, an item after its heading."""
        return read_with(self.text, self.context)


class Citation(_Frozen):
    """An answer sentence's pointer to the exact passage that supports it."""

    n: int
    doc_id: str
    file_name: str
    title: str
    quote: str = Field(description="The cited span, verbatim from the cleaned document text.")
    start: int
    end: int
    context: str = Field(default="", description="The header or heading the quoted row or item is read under.")

    @property
    def reading(self) -> str:
        """The quote as the judge reads it (with its table header or list heading)."""
        return read_with(self.quote, self.context)

    def holds_in(self, text: str) -> bool:
        """Whether the quote stands verbatim at its offsets in the document's cleaned text."""
        return text[self.start:self.end] == self.quote


class Verdict(_Frozen):
    """A faithfulness judgement of one claim against its cited passages."""

    label: str = Field(description="supported, unsupported or contradicted.")
    score: float = Field(description="Support probability in [0, 1].")
    support: tuple[str, ...] = Field(default=(), description="Passage sentences that support the claim.")
    judge: str = Field(default="", description="Which backend(s) decided.")
    signals: dict[str, float] = Field(default_factory=dict, description=(
        "What the score combines: the judge's P(supported) ('model'), the share of the claim's words the "
        "passage uses ('coverage'), the closest passage sentence's similarity ('similarity')."))
    issues: tuple[str, ...] = Field(default=(), description="What the deterministic checks found.")


class AnswerSentence(_Frozen):
    text: str
    citations: tuple[Citation, ...] = ()
    flags: tuple[str, ...] = Field(default=(), description="e.g. 'uncited', 'dropped-citation:7', 'refusal'.")
    verdict: Verdict | None = None


class RemovedSentence(_Frozen):
    """A sentence the model wrote that a guarded answer does not show, and why."""

    text: str
    reason: str = Field(description="e.g. 'number 2022 not in the passage' or 'unsupported 0.41'.")
    verdict: Verdict | None = None


class SourcePosition(_Frozen):
    """One row of a comparative answer: what one source says on the question, or that it says nothing."""

    doc_id: str
    source: str = Field(description="The source's label as the answer names it (outlet, author or headline).")
    position: str = Field(default="", description="The answer's sentence for this source ('' when silent).")
    quote: str = Field(default="", description="The source's own sentence the position rests on, verbatim.")
    n: int | None = Field(default=None, description="The evidence number the position cites.")
    verdict: str | None = Field(default=None, description="The verifier's label for the position.")
    written: Literal["model", "quote", "silent"] = Field(
        default="quote", description="model: a sentence the model wrote and the verifier supports; quote: the "
        "source's best sentence verbatim (the fallback); silent: nothing on the question.")


class AnswerGate(_Frozen):
    """What the checks before generation found about the question itself."""

    kind: Literal["missing", "unlinked", "premise", "answer-type"] = Field(description=(
        "missing: something the question names is in no retrieved passage; unlinked: the things it names "
        "are never mentioned together; premise: what it presupposes is not supported by the evidence; "
        "answer-type: it asks for a number or date that no evidence sentence on its subject gives."))
    message: str = Field(description="The sentence shown to the reader, e.g. 'The sources do not mention FIFA.'")
    missing: tuple[str, ...] = Field(default=(), description="The question's terms the sources never mention.")
    premise: str | None = Field(default=None, description="The presupposition checked, for kind 'premise'.")
    verdict: Verdict | None = Field(default=None, description="The verifier's verdict on the premise.")


class ChatTurn(_Frozen):
    role: str = Field(description="'user' or 'assistant'.")
    content: str


class CitedAnswer(_Frozen):
    """An answer whose every sentence carries resolved citations, flags and (optionally) a verdict."""

    question: str
    standalone_question: str
    sentences: tuple[AnswerSentence, ...]
    refused: bool
    evidence: tuple[Evidence, ...]
    retrieved: tuple[SearchHit, ...] = ()
    provenance: dict[str, str] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict)
    usage: dict[str, int] = Field(default_factory=dict)
    verify_mode: str = Field(default="annotate", description="How the answer was checked (see VerifyMode).")
    gate: AnswerGate | None = Field(default=None, description="Why the question was refused or corrected "
                                    "before (or instead of) a free answer, when it was.")
    removed: tuple[RemovedSentence, ...] = Field(default=(), description="Sentences a guarded answer dropped.")
    related: tuple[Evidence, ...] = Field(default=(), description="The closest passages, shown with a refusal.")
    silent: tuple[str, ...] = Field(default=(), description="Sources a comparative answer heard that have "
                                    "nothing on the question (labels).")
    by_source: tuple[SourcePosition, ...] = Field(default=(), description="A comparative answer source by "
                                                  "source, the silent ones last (empty for other answers).")

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def declined(self) -> bool:
        """Refused, or answered by correcting the question's premise: either way it did not answer as asked."""
        return self.refused or (self.gate is not None and self.gate.kind == "premise")


class ClaimVerifier(Protocol):
    """The faithfulness hook: judge one claim against the passages it cites (answers, guards, premises,
    briefings and guides all take one)."""

    def verify(self, claim: str, passages: Sequence[str]) -> Verdict: ...
