"""Typed results of the briefing pipeline: each stage's output is saved as JSON and can be reloaded.

Offsets always index a document's cleaned text, as everywhere else: any quote can be re-checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rag.evidence import is_author_box
from rag.types import Citation, Evidence, Verdict

__all__ = [
    "BriefSection",
    "BriefSentence",
    "Briefing",
    "Cell",
    "Claim",
    "ClaimGroup",
    "DocumentDigest",
    "Fact",
    "Footnotes",
    "Grouping",
    "Position",
    "Provenance",
    "Scope",
    "ScopedDocument",
    "SourceDoc",
    "TimelineEvent",
    "TopicJudgement",
]

Position = Literal["asserts", "disputes", "silent"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceDoc(_Frozen):
    """A document used by the briefing and how it is named to the reader."""

    doc_id: str = Field(description="Content hash of the file (the document id).")
    file_name: str
    title: str
    outlet: str | None = None
    author: str | None = None
    label: str = Field(description="How sentences attribute it: outlet, else author, else the article's title.")
    kind: Literal["outlet", "author", "article"] = Field(description="What `label` names.")


class ScopedDocument(_Frozen):
    """A document and the sentences of it the briefing reads (numbered from 1 per document)."""

    doc: SourceDoc
    sentences: tuple[Evidence, ...] = Field(description="Informative sentences, boilerplate skipped, in order.")
    digest_sentences: tuple[int, ...] = Field(description="Numbers of the sentences shown to the model.")
    sections: dict[str, tuple[int, ...]] = Field(
        default_factory=dict, description="With a topic: per section (facts, timeline, missing), the sentences its "
        "own retrieval found; a section not listed may use every sentence.")
    speakers: dict[int, tuple[str, int]] = Field(
        default_factory=dict, description="Sentence number -> (speaker found by rules, number of the sentence "
        "that names them; differs when 'he', 'the diplomat' ... refers back).")
    headline: Evidence | None = Field(default=None, description="The document's title where it stands in the "
                                      "text (n=0, with offsets): an op-ed's headline is its thesis.")

    def position(self) -> Evidence | None:
        """The sentence that best states where this source stands on the briefing's topic (or, without a
        topic, its most central sentence), an author's biography line never."""
        ranked = sorted((e for e in self.sentences if not is_author_box(e.text)), key=lambda e: e.score, reverse=True)
        return ranked[0] if ranked else None

    def usable(self, section: str) -> list[Evidence]:
        """The sentences a section may draw on."""
        wanted = self.sections.get(section)
        return [e for e in self.sentences if wanted is None or e.n in wanted]


class TopicJudgement(_Frozen):
    """How one document was judged against a briefing's topic: by its own closest passage, not by a global
    top-k that a few long documents fill."""

    doc: SourceDoc
    used: bool
    score: float = Field(description="Relevance of its closest sentence (or title) to the topic: cosine + shared "
                         "words; a document is used from `BriefOptions.topic_min_score`.")
    passage: str = Field(default="", description="That closest sentence (or the title).")


class Scope(_Frozen):
    """Stage 1: what the briefing covers."""

    topic: str | None = None
    documents: tuple[ScopedDocument, ...]
    off_topic: tuple[SourceDoc, ...] = Field(default=(), description="Asked-for documents with nothing on the topic.")
    judged: tuple[TopicJudgement, ...] = Field(default=(), description="With a topic: every document's judgement.")
    min_score: float = Field(default=0.0, description="With a topic: the relevance a document needs to be used.")


class Claim(_Frozen):
    """A main claim of one document, with who makes it and the sentences that state it."""

    id: str = Field(description="Content-derived id (document, speaker, text).")
    doc_id: str
    speaker: str | None = Field(description="Person or body making the claim as named in the text; None: the source.")
    text: str = Field(description="The claim in a few words, without the speaker.")
    stance: Literal["asserts", "disputes"] = Field(default="asserts", description="The speaker's position on `text`.")
    sentences: tuple[int, ...] = Field(description="Numbers of the document's scoped sentences that state it.")
    origin: Literal["model", "extracted"] = Field(description="model: from the digest prompt; extracted: by rules.")


class Fact(_Frozen):
    """A figure, date or named person extracted by rules from one sentence."""

    kind: Literal["figure", "date", "person"]
    value: str
    doc_id: str
    sentence: int = Field(description="Number of the scoped sentence it comes from.")
    sort_key: str = Field(default="", description="For dates: yyyy-mm-dd with zeros where unknown.")


class DocumentDigest(_Frozen):
    """Stage 2 (map), per document: claims from the model, facts from rules."""

    doc_id: str
    claims: tuple[Claim, ...]
    facts: tuple[Fact, ...]
    raw: str = Field(default="", description="The model's reply, kept for inspection.")
    flags: tuple[str, ...] = Field(default=(), description="e.g. 'speaker-not-in-text:Putin', 'no-model-claims'.")
    usage: dict[str, int] = Field(default_factory=dict)
    seconds: float = 0.0


class Cell(_Frozen):
    """One source's position on one claim group, with a short verbatim quote."""

    doc_id: str
    position: Position
    quote: Citation | None = None
    speaker: str | None = None
    claim_id: str | None = None
    judged_by: str = Field(default="", description="'digest' (own claim), 'stance-check', or '' (silent).")


class ClaimGroup(_Frozen):
    """Claims from one or more documents that say the same thing, and every source's position on it."""

    id: str
    text: str = Field(description="The group's lead claim, used as the row label.")
    claims: tuple[Claim, ...]
    cells: tuple[Cell, ...]

    @property
    def asserting(self) -> list[str]:
        return [c.doc_id for c in self.cells if c.position == "asserts"]

    @property
    def disputing(self) -> list[str]:
        return [c.doc_id for c in self.cells if c.position == "disputes"]


class Grouping(_Frozen):
    """Stage 3: the who-says-what matrix."""

    groups: tuple[ClaimGroup, ...]
    stance_checks: int = 0
    usage: dict[str, int] = Field(default_factory=dict)


class BriefSentence(_Frozen):
    """One sentence of the briefing: attributed text, resolved quotes and the verifier's verdict."""

    text: str
    lead: str = Field(default="", description="A short label shown before the text: a figure, a date, a row id.")
    citations: tuple[Citation, ...] = ()
    checked: str = Field(default="", description="The text given to the verifier (the sentence without markup).")
    verdict: Verdict | None = None
    flags: tuple[str, ...] = Field(default=(), description="e.g. 'verbatim', 'note', 'uncited', 'stance:model'.")


class BriefSection(_Frozen):
    key: str = Field(description="summary, facts, who_says_what, contention, missing, timeline.")
    title: str
    sentences: tuple[BriefSentence, ...] = ()


class TimelineEvent(_Frozen):
    when: str = Field(description="The date as the text gives it, e.g. 'December 2022'.")
    sort_key: str = Field(description="yyyy-mm-dd, zeros where unknown; '9999' when the year is not stated.")
    sentence: BriefSentence


class Provenance(_Frozen):
    """What produced a briefing, so it can be reproduced and re-checked."""

    run_id: str
    generated_at: str
    collection: str
    settings_fingerprint: str
    models: dict[str, str]
    prompts: dict[str, str]
    documents: dict[str, str] = Field(description="file name -> document id (content hash).")
    verify_mode: str
    verifier: str = ""


class Briefing(_Frozen):
    """A structured, cited, verified report over a collection or a topic."""

    title: str
    topic: str | None = None
    documents: tuple[SourceDoc, ...]
    sections: tuple[BriefSection, ...]
    matrix: tuple[ClaimGroup, ...] = ()
    timeline: tuple[TimelineEvent, ...] = ()
    provenance: Provenance
    timings: dict[str, float] = Field(default_factory=dict)
    usage: dict[str, int] = Field(default_factory=dict)

    def section(self, key: str) -> BriefSection | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def sentences(self) -> list[BriefSentence]:
        """Every sentence of every section (timeline included), in order."""
        return [s for section in self.sections for s in section.sentences]


class Footnotes:
    """Footnote numbers in reading order, one per distinct quoted span (document, start, end)."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, int, int], int] = {}

    def cite(self, c: Citation) -> Citation:
        n = self._numbers.setdefault((c.doc_id, c.start, c.end), len(self._numbers) + 1)
        return c.model_copy(update={"n": n})

    def sentence(self, s: BriefSentence) -> BriefSentence:
        return s.model_copy(update={"citations": tuple(self.cite(c) for c in s.citations)})


def provenance_fields(provenance: Mapping[str, str], prompts: Mapping[str, str], verify_mode: str) -> dict[str, Any]:
    """What a briefing's and a guide's provenance share: the settings fingerprint, the models, and the prompts
    used (the verifier's only when something was verified); each is stamped now."""
    verify = {"verify": provenance["verify_prompt"]} if "verify_prompt" in provenance and verify_mode != "off" else {}
    return {"generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings_fingerprint": provenance.get("settings_fingerprint", ""),
            "models": {k: v for k, v in provenance.items() if k in {"chat_model", "llm_provider", "embeddings"}},
            "prompts": {**prompts, **verify}}
