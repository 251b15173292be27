"""Stage 2 (map): per document, the model lists its main claims and who makes them; rules add
figures, dates and people. Speakers are checked against the text before they are believed."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from rag.brief.attribution import mentions
from rag.brief.facts import extract_facts
from rag.brief.types import Claim, DocumentDigest, ScopedDocument
from rag.model_json import read_json_object
from rag.prompts import Prompt

__all__ = ["DIGEST_SCHEMA", "digest_documents", "digest_one", "parse_claims"]

log = logging.getLogger(__name__)

DIGEST_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"claims": {"type": "array", "minItems": 2, "maxItems": 3, "items": {
        "type": "object",
        "properties": {"who": {"type": "string"}, "claim": {"type": "string"},
                       "sentences": {"type": "array", "items": {"type": "integer"}}},
        "required": ["who", "claim", "sentences"]}}},
    "required": ["claims"],
}
_SELF = {"", "author", "the author", "article", "the article", "none", "null", "n/a", "unknown", "it", "they"}
_MAX_CLAIM_WORDS = 30
_DETERMINERS = {"the", "a", "an", "its", "their", "this", "these", "there", "it", "both", "all", "some"}


def _messages(prompt: Prompt, scoped: ScopedDocument) -> list[BaseMessage]:
    shown = [e for e in scoped.sentences if e.n in set(scoped.digest_sentences)]
    system, user = prompt.render(title=scoped.doc.title, source=scoped.doc.label,
                                 sentences="\n".join(f"[{e.n}] {e.text}" for e in shown))
    return [SystemMessage(content=system), HumanMessage(content=user)]


def _claim_id(doc_id: str, speaker: str | None, text: str) -> str:
    return hashlib.sha256(f"{doc_id}\n{speaker}\n{text}".encode()).hexdigest()[:12]


def _speaker(who: str, numbers: Sequence[int], scoped: ScopedDocument, flags: list[str]) -> str | None:
    """Rules first: a speaker the rules find in the cited sentences wins. The model's 'who' is believed
    only when it is a person the rules saw quoted in this document (small models confuse the subject
    of a claim with its speaker)."""
    for n in numbers:
        if n in scoped.speakers:
            return scoped.speakers[n][0]
    who = who.strip().strip('"').strip()
    if who.lower() in _SELF or who == scoped.doc.label or (scoped.doc.author and mentions(scoped.doc.author, who)):
        return None
    people = {name for name, _ in scoped.speakers.values() if len(name.split()) >= 2}
    match = next((p for p in people if mentions(p, who) and mentions(who, p)), None)
    if match is None and not mentions(" ".join(e.text for e in scoped.sentences), who):
        flags.append(f"speaker-not-in-text:{who}")
    return match


def parse_claims(raw: str, scoped: ScopedDocument, flags: list[str]) -> list[Claim]:
    """Claims from the model's JSON: unknown sentence numbers dropped, speakers checked, duplicates merged."""
    data = read_json_object(raw)
    items = data.get("claims") if isinstance(data, dict) else None
    valid = {e.n for e in scoped.sentences}
    claims: list[Claim] = []
    seen: set[str] = set()
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        text = " ".join(str(item.get("claim", "")).split())
        numbers = [int(n) for n in item.get("sentences") or [] if str(n).isdigit()]
        bad = [n for n in numbers if n not in valid]
        flags += [f"dropped-sentence:{n}" for n in bad]
        numbers = list(dict.fromkeys(n for n in numbers if n in valid))
        if not text or not numbers:
            flags.append("claim-without-text-or-sentences")
            continue
        origin: Literal["model", "extracted"] = "model"
        if len(text.split()) > _MAX_CLAIM_WORDS:  # a copied sentence, not a claim: quote it instead
            text, origin = scoped.sentences[numbers[0] - 1].text, "extracted"
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        who = str(item.get("who") or "").strip()
        speaker = _speaker(who, numbers, scoped, flags)
        first = text.split(" ", 1)[0]
        if origin == "model" and first[:1].islower() and first not in _DETERMINERS and (speaker or who):
            # "accused the United States ...": the model put the subject in "who"
            subject = speaker if speaker and (not who or mentions(speaker, who)) else who
            text = f"{subject} {text}"
        claims.append(Claim(id=_claim_id(scoped.doc.doc_id, speaker, text), doc_id=scoped.doc.doc_id,
                            speaker=speaker, text=text, sentences=tuple(numbers), origin=origin))
    return claims


def _extracted_claims(scoped: ScopedDocument, most: int = 2) -> list[Claim]:
    """When the model gives nothing usable: the top digest sentences themselves, quoted verbatim."""
    by_n = {e.n: e for e in scoped.sentences}
    ranked = sorted(scoped.digest_sentences, key=lambda n: (n not in scoped.speakers, n))[:most]
    return [Claim(id=_claim_id(scoped.doc.doc_id, None, by_n[n].text), doc_id=scoped.doc.doc_id,
                  speaker=scoped.speakers.get(n, (None, 0))[0], text=by_n[n].text, sentences=(n,),
                  origin="extracted") for n in sorted(ranked)]


def _quoted_speakers(scoped: ScopedDocument, claims: Sequence[Claim], most: int) -> list[Claim]:
    """Statements by people the rules found quoted in the digest sentences and the model left out:
    kept as attributed verbatim quotes, so an official's statement is never lost or misattributed."""
    covered = {c.speaker for c in claims if c.speaker}
    cited = {n for c in claims for n in c.sentences}
    by_n = {e.n: e for e in scoped.sentences}
    out: list[Claim] = []
    for n in scoped.digest_sentences:
        speaker = scoped.speakers.get(n, (None, 0))[0]
        if len(out) == most or speaker is None or len(speaker.split()) < 2 or speaker in covered or n in cited:
            continue
        covered.add(speaker)
        out.append(Claim(id=_claim_id(scoped.doc.doc_id, speaker, by_n[n].text), doc_id=scoped.doc.doc_id,
                         speaker=speaker, text=by_n[n].text, sentences=(n,), origin="extracted"))
    return out


def digest_one(scoped: ScopedDocument, model: BaseChatModel, prompt: Prompt, *, structured: dict[str, Any],
               max_tokens: int) -> DocumentDigest:
    """One model call: the document's main claims, speakers checked; figures and dates by rules."""
    started = time.perf_counter()
    reply = model.bind(**structured, max_tokens=max_tokens).invoke(_messages(prompt, scoped))
    raw = str(reply.content)
    flags: list[str] = []
    claims = parse_claims(raw, scoped, flags)
    if not claims:
        flags.append("no-model-claims")
        claims = _extracted_claims(scoped)
    claims += _quoted_speakers(scoped, claims, most=2)
    usage = dict(getattr(reply, "usage_metadata", None) or {})
    return DocumentDigest(doc_id=scoped.doc.doc_id, claims=tuple(claims),
                          facts=tuple(extract_facts(scoped.doc.doc_id, scoped.sentences, scoped.speakers)),
                          raw=raw, flags=tuple(flags), seconds=round(time.perf_counter() - started, 3),
                          usage={k: int(v) for k, v in usage.items() if isinstance(v, int)})


def digest_documents(documents: Sequence[ScopedDocument], model: BaseChatModel, prompt: Prompt, *,
                     structured: dict[str, Any], max_tokens: int, concurrency: int = 1,
                     on_done: Callable[[int, int], None] | None = None) -> list[DocumentDigest]:
    """Digest every document; concurrently (remote servers) or one at a time (the embedded model)."""
    def run(scoped: ScopedDocument) -> DocumentDigest:
        return digest_one(scoped, model, prompt, structured=structured, max_tokens=max_tokens)

    results: list[DocumentDigest] = []
    if concurrency > 1 and len(documents) > 1:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            for digest in pool.map(run, documents):
                results.append(digest)
                if on_done:
                    on_done(len(results), len(documents))
        return results
    for scoped in documents:
        results.append(run(scoped))
        if on_done:
            on_done(len(results), len(documents))
    return results
