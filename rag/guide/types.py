"""A source guide's typed result, its JSON schema for the model, and the key that caches it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.brief.types import BriefSentence, SourceDoc
from rag.types import Citation

__all__ = ["GUIDE_SCHEMA", "FindPassage", "GuideProgress", "GuideProvenance", "SourceGuide", "SuggestedQuestion",
           "guide_key"]

#: (stage, done, total): stages digest, verify, topics, questions.
GuideProgress = Callable[[str, int, int], None]
#: A question's best passage within the document (and its score), or None when it cannot be answered.
FindPassage = Callable[[str], "tuple[Citation, float] | None"]

GUIDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"topics": {"type": "array", "maxItems": 5, "items": {"type": "string"}},
                   "questions": {"type": "array", "maxItems": 5, "items": {"type": "string"}}},
    "required": ["topics", "questions"],
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SuggestedQuestion(_Frozen):
    """A question the document can answer, with the passage retrieval found for it."""

    text: str
    passage: Citation = Field(description="The best evidence sentence within the document, verbatim.")
    score: float = Field(description="Evidence score of that sentence (the answer chain refuses below "
                                     "min_evidence_score).")
    origin: Literal["model", "rules"]


class GuideProvenance(_Frozen):
    generated_at: str
    settings_fingerprint: str
    guide_key: str = Field(description="Hash of everything that shapes the guide; part of its cache file name.")
    models: dict[str, str]
    prompts: dict[str, str]
    verify_mode: str
    verifier: str = ""


class SourceGuide(_Frozen):
    """What one document says (cited, verified), its stance where plain, topics and questions to ask."""

    doc: SourceDoc
    content_hash: str = Field(description="Hash of the file's bytes; equals the document id.")
    summary: tuple[BriefSentence, ...]
    stance: BriefSentence | None = Field(None, description="The writer's own position, attributed; None when "
                                                           "the text states none plainly.")
    topics: tuple[str, ...]
    questions: tuple[SuggestedQuestion, ...]
    flags: tuple[str, ...] = Field(default=(), description="e.g. 'dropped-unsupported:2', 'topics:rules'.")
    provenance: GuideProvenance
    timings: dict[str, float] = Field(default_factory=dict)
    usage: dict[str, int] = Field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return self.doc.doc_id

    @property
    def sentences(self) -> list[BriefSentence]:
        return [*self.summary, *([self.stance] if self.stance else [])]


def guide_key(*parts: Any) -> str:
    return hashlib.sha256("\n".join(str(p) for p in parts).encode()).hexdigest()[:12]
