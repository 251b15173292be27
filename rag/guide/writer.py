"""The guide writer: per document, a cited and verified summary, its stance where the text makes one plain,
key topics and suggested questions that the document can answer.

The summary reuses the briefing's map stage (`rag.brief.digest`): the model proposes the main claims,
attribution is built in code, and each sentence cites the document's own sentences. A claim the
verifier does not support is dropped; verbatim quotes of the document's most informative sentences
fill the summary up to three sentences (supported by construction). Topics and questions come from
one short prompt (`prompts/guide.md`) with rules as the fallback; a question is kept only when
retrieval within the document finds a passage for it, so every suggestion can be answered.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from rag.answer import ClaimVerifier
from rag.brief.attribution import REPORTING_VERB, claim_clause
from rag.brief.digest import digest_one
from rag.brief.pipeline import BriefOptions
from rag.brief.scope import scope_document
from rag.brief.types import BriefSentence, DocumentDigest, Footnotes, ScopedDocument, SourceDoc, provenance_fields
from rag.brief.write import claim_sentence, quoted
from rag.chat_models import add_usage
from rag.errors import InputError, model_failure
from rag.evidence import labelled_passage
from rag.guide.types import FindPassage, GuideProgress, GuideProvenance, SourceGuide, SuggestedQuestion
from rag.model_json import read_json_object
from rag.prompts import Prompt
from rag.types import DocumentRecord, Verdict, VerifyMode

__all__ = ["GuideWriter", "parse_guide_reply", "rule_topics"]

log = logging.getLogger(__name__)

_VERBATIM = Verdict(label="supported", score=1.0, judge="verbatim: the quoted span is the cited text")
# Markers of the writer's own position; sentences quoting someone else are never taken as the stance.
_STANCE = re.compile(r"\b(should|must|ought to|needs? to|in my view|I believe|I think|we believe|it is (?:clear|"
                     r"obvious|evident) that|clearly|undoubtedly|of course|argue[sd]?)\b", re.I)
_OTHERS = re.compile(r"\b(analysts|experts|observers|critics|officials|sources|reportedly)\b", re.I)
_CAPS = re.compile(r"\b[A-Z][a-z]+(?:[ -](?:of |the |and )?[A-Z][a-z]+)*\b")
_NOT_TOPICS = {"The", "This", "That", "In", "On", "At", "It", "He", "She", "They", "We", "A", "An", "But", "And",
               "However", "According", "Meanwhile", "Moscow", "Monday", "Tuesday", "Wednesday", "Thursday",
               "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December"}


class GuideWriter:
    """Writes one document's guide; collaborators are passed in, as everywhere in `rag`."""

    def __init__(self, *, chat_model: BaseChatModel, embeddings: Embeddings, verifier: ClaimVerifier | None,
                 digest_prompt: Prompt, guide_prompt: Prompt, options: BriefOptions, find_passage: FindPassage,
                 verify_mode: VerifyMode, provenance: Mapping[str, str], guide_structured: dict[str, Any],
                 min_sentences: int = 3, max_sentences: int = 5) -> None:
        self.model = chat_model
        self.embeddings = embeddings
        self.verifier = verifier
        self.digest_prompt = digest_prompt
        self.guide_prompt = guide_prompt
        self.options = options
        self.find_passage = find_passage
        self.verify_mode = verify_mode
        self.provenance = dict(provenance)
        self.guide_structured = guide_structured
        self.min_sentences = min_sentences
        self.max_sentences = max_sentences

    def _call(self, stage: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Exception as exc:  # provider SDKs raise many types; all mean the model call failed
            raise model_failure(exc, self.options.error_hint, f"while writing the guide's {stage}") from exc

    def write(self, record: DocumentRecord, text: str, *, key: str,
              on_progress: GuideProgress | None = None) -> SourceGuide:
        progress = on_progress or (lambda _stage, _done, _total: None)
        o = self.options
        timings: dict[str, float] = {}
        started = time.perf_counter()
        scoped = scope_document(record, text, self.embeddings, topic=None, topic_spans=None,
                                max_sentences=o.digest_sentences, max_chars=o.digest_chars)
        if scoped.doc.kind == "article":  # the guide's heading names the article; "the article" is enough
            scoped = scoped.model_copy(update={"doc": scoped.doc.model_copy(update={"label": "the article"})})
        if not scoped.digest_sentences:
            raise InputError(f"{record.file_name} has no usable sentences to summarise")
        progress("digest", 0, 1)
        digest: DocumentDigest = self._call("summary", lambda: digest_one(
            scoped, self.model, self.digest_prompt, structured=o.structured, max_tokens=o.digest_max_tokens))
        progress("digest", 1, 1)
        timings["digest"] = round(time.perf_counter() - started, 3)

        mark = time.perf_counter()
        flags: list[str] = list(digest.flags)
        summary, stance = self._summary_and_stance(scoped, digest, text, flags, progress)
        timings["verify"] = round(time.perf_counter() - mark, 3)

        mark = time.perf_counter()
        progress("topics", 0, 1)
        usage = dict(digest.usage)
        topics, proposed = self._topics_and_questions(scoped, digest, flags, usage)
        progress("topics", 1, 1)
        timings["topics"] = round(time.perf_counter() - mark, 3)

        mark = time.perf_counter()
        questions = self._answerable(proposed, topics, scoped, flags, progress)
        timings["questions"] = round(time.perf_counter() - mark, 3)
        timings["total"] = round(time.perf_counter() - started, 3)

        verifier_name = str(getattr(self.verifier, "name", "")) if self.verify_mode != "off" else ""
        provenance = GuideProvenance(guide_key=key, verify_mode=self.verify_mode, verifier=verifier_name,
                                     **provenance_fields(self.provenance, {"digest": self.digest_prompt.ref,
                                                                           "guide": self.guide_prompt.ref},
                                                         self.verify_mode))
        summary, stance = _numbered(summary, stance)
        return SourceGuide(doc=scoped.doc, content_hash=record.id, summary=tuple(summary), stance=stance,
                           topics=tuple(topics), questions=tuple(questions), flags=tuple(flags),
                           provenance=provenance, timings=timings, usage=usage)

    # --- summary and stance ------------------------------------------------------------------
    def _check(self, sentence: BriefSentence, text: str, label: str) -> BriefSentence | None:
        """Quotes re-checked at their offsets; model-written claims judged; unsupported ones dropped."""
        good = tuple(c for c in sentence.citations if c.holds_in(text))
        if not good or len(good) != len(sentence.citations):
            return None
        if "verbatim" in sentence.flags:
            return sentence.model_copy(update={"verdict": _VERBATIM})
        if self.verify_mode == "off" or self.verifier is None:
            return sentence
        verdict = self.verifier.verify(sentence.checked or sentence.text,
                                       [labelled_passage(label, c.quote) for c in good])
        if verdict.label != "supported":
            return None
        return sentence.model_copy(update={"verdict": verdict})

    def _summary_and_stance(self, scoped: ScopedDocument, digest: DocumentDigest, text: str, flags: list[str],
                            progress: GuideProgress) -> tuple[list[BriefSentence], BriefSentence | None]:
        claims = list(digest.claims[:self.max_sentences])
        progress("verify", 0, len(claims))
        kept: list[tuple[int, BriefSentence]] = []
        dropped = 0
        stance: BriefSentence | None = None
        for i, claim in enumerate(claims, start=1):
            draft = claim_sentence(claim, scoped)
            checked = self._call("verification", partial(self._check, draft, text, scoped.doc.label))
            progress("verify", i, len(claims))
            if checked is None:
                dropped += 1
                continue
            kept.append((min(claim.sentences), checked))
            # An author's own claims are their argument; an outlet's only where its wording takes a side.
            if stance is None and claim.speaker is None and claim.origin == "model" and (
                    scoped.doc.kind == "author" or any(_own_stance(scoped, n) for n in claim.sentences)):
                stance = checked.model_copy(update={"text": f"{_arguer(scoped.doc)} argues that "
                                                            f"{claim_clause(claim.text)}.", "flags": ("stance",)})
        if dropped:
            flags.append(f"dropped-unsupported:{dropped}")
        cited = {c.start for _, s in kept for c in s.citations}
        ranked = sorted(scoped.digest_sentences, key=lambda n: (n in scoped.speakers, n))
        for n in ranked:  # fill with verbatim quotes of the informative sentences not yet cited
            if len(kept) >= self.min_sentences:
                break
            e = scoped.sentences[n - 1]
            if e.start in cited:
                continue
            quote = self._check(quoted(e, scoped.doc, scoped.speakers.get(n, (None, 0))[0]), text,
                                scoped.doc.label)
            if quote is not None:
                kept.append((n, quote))
                cited.add(e.start)
        if len(kept) < self.min_sentences:
            flags.append(f"short-summary:{len(kept)}")
        if stance is None:
            own = next((e for e in scoped.sentences if _own_stance(scoped, e.n)), None)
            if own is not None:
                q = quoted(own, scoped.doc)
                stance = q.model_copy(update={"text": f"{_arguer(scoped.doc)} argues: “{q.citations[0].quote}”",
                                              "verdict": _VERBATIM, "flags": ("stance", *q.flags)})
        kept.sort(key=lambda pair: pair[0])
        return [s for _, s in kept[:self.max_sentences]], stance

    # --- topics and questions ----------------------------------------------------------------
    def _topics_and_questions(self, scoped: ScopedDocument, digest: DocumentDigest, flags: list[str],
                              usage: dict[str, int]) -> tuple[list[str], list[str]]:
        points = [c.text for c in digest.claims]
        by_n = {e.n: e.text for e in scoped.sentences}
        budget = 700
        for n in scoped.digest_sentences:
            if sum(len(p) for p in points) + len(by_n[n]) > budget:
                break
            points.append(by_n[n])
        system, user = self.guide_prompt.render(title=scoped.doc.title, source=scoped.doc.label,
                                                claims="\n".join(f"- {p}" for p in points))
        model = self.model.bind(**self.guide_structured, max_tokens=self.options.digest_max_tokens)
        reply = self._call("topics", lambda: model.invoke([SystemMessage(content=system), HumanMessage(content=user)]))
        add_usage(usage, getattr(reply, "usage_metadata", None))
        topics, questions = parse_guide_reply(str(reply.content))
        if len(topics) < 3:
            flags.append("topics:rules")
            topics = _merge(topics, rule_topics(scoped, digest), 6)
        return topics[:6], questions

    def _answerable(self, proposed: list[str], topics: list[str], scoped: ScopedDocument, flags: list[str],
                    progress: GuideProgress) -> list[SuggestedQuestion]:
        # Few words besides the topic: retrieval scores the question's content words.
        fallback = [f"What is said about {t}?" for t in topics]
        kept: list[SuggestedQuestion] = []
        tried = 0
        seen: set[str] = set()
        candidates = [(q, origin) for q, origin in [*((q, "model") for q in proposed),
                                                    *((q, "rules") for q in fallback)]
                      if not (q.lower() in seen or seen.add(q.lower()))]  # type: ignore[func-returns-value]
        progress("questions", 0, len(candidates))
        for question, origin in candidates:
            if len(kept) == 5 or (origin == "rules" and len(kept) >= 3):
                break
            tried += 1
            found = self.find_passage(question)
            progress("questions", tried, len(candidates))
            if found is None:
                flags.append(f"unanswerable:{question}")
                continue
            passage, score = found
            kept.append(SuggestedQuestion(text=question, passage=passage, score=round(score, 4),
                                          origin=origin))  # type: ignore[arg-type]
        return kept


def _own_stance(scoped: ScopedDocument, n: int) -> bool:
    """The writer's own position: a stance marker in a sentence that quotes nobody."""
    e = scoped.sentences[n - 1]
    return n not in scoped.speakers and not re.search(r"[“\"]", e.text) and REPORTING_VERB.search(e.text) is None \
        and _OTHERS.search(e.text) is None and _STANCE.search(e.text) is not None


def _arguer(doc: SourceDoc) -> str:
    if doc.kind == "author":
        return f"The author, {doc.label},"
    if doc.kind == "outlet":
        return doc.label
    return "The article"


def _numbered(summary: list[BriefSentence], stance: BriefSentence | None) -> \
        tuple[list[BriefSentence], BriefSentence | None]:
    """Footnote numbers in reading order, one per distinct quoted span."""
    notes = Footnotes()
    return [notes.sentence(s) for s in summary], notes.sentence(stance) if stance is not None else None


def parse_guide_reply(raw: str) -> tuple[list[str], list[str]]:
    """Topics (1-5 words) and questions (ending in '?', at most 25 words) from the model's JSON, deduplicated."""
    data = read_json_object(raw)
    if not isinstance(data, dict):
        return [], []
    topics = [" ".join(str(t).split()).strip(" .,;:-\"'") for t in data.get("topics") or [] if isinstance(t, str)]
    topics = [t for t in topics if 1 <= len(t.split()) <= 5 and len(t) <= 60]
    questions = [" ".join(str(q).split()) for q in data.get("questions") or [] if isinstance(q, str)]
    questions = [q for q in questions if q.endswith("?") and 3 <= len(q.split()) <= 25]
    return _merge([], topics, 6), _merge([], questions, 8)


def _merge(first: list[str], more: list[str], most: int) -> list[str]:
    out = list(first)
    seen = {x.lower() for x in out}
    for item in more:
        if item.lower() not in seen and len(out) < most:
            seen.add(item.lower())
            out.append(item)
    return out


def rule_topics(scoped: ScopedDocument, digest: DocumentDigest, most: int = 5) -> list[str]:
    """Names the document repeats (people, places, bodies), most frequent first, then the people quoted."""
    counts: Counter[str] = Counter()
    for e in scoped.sentences:
        for match in _CAPS.finditer(e.text):
            name = match.group(0)
            if name not in _NOT_TOPICS and name != scoped.doc.label and len(name) > 3:
                counts[name] += 1
    people = [f.value for f in digest.facts if f.kind == "person"]
    names = [name for name, n in counts.most_common() if n >= 2]
    return _merge([], [*names, *people], most)
