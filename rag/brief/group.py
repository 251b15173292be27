"""Stage 3: claims from different documents grouped by meaning into the who-says-what matrix.

Claims whose embeddings are close form one row. A source with no claim in a row is checked
against the row's claim (its closest claim's sentence, by embedding) with a one-word stance
prompt; only the closest pairs are checked, within a budget, since each check is a model call.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence

from langchain_core.embeddings import Embeddings

from rag.brief.types import Cell, Claim, ClaimGroup, DocumentDigest, Grouping, Position, ScopedDocument
from rag.types import Citation, Evidence

__all__ = ["StanceJudge", "citation_for", "group_claims", "parse_stance"]

log = logging.getLogger(__name__)

StanceJudge = Callable[[str, str], str]


def parse_stance(reply: str) -> Position:
    """'agree' -> asserts, 'contradict'/'disagree' -> disputes, anything else -> silent."""
    word = reply.strip().strip('".').lower()
    if word.startswith("agree"):
        return "asserts"
    if word.startswith(("contradict", "disagree", "dispute")):
        return "disputes"
    return "silent"


def citation_for(e: Evidence, max_words: int | None = None) -> Citation:
    """A citation of a scoped sentence, or of its first `max_words` words (still verbatim, with offsets)."""
    text = e.text
    if max_words is not None and len(text.split()) > max_words:
        cut = 0
        for _ in range(max_words):
            cut = text.index(" ", cut) + 1 if " " in text[cut:] else len(text)
        text = text[:cut].rstrip(" ,;:")
    return Citation(n=0, doc_id=e.doc_id, file_name=e.file_name, title=e.title, quote=text, start=e.start,
                    end=e.start + len(text))


def _cos(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _group_id(claims: Sequence[Claim]) -> str:
    return hashlib.sha256("\n".join(c.id for c in claims).encode()).hexdigest()[:12]


def group_claims(digests: Sequence[DocumentDigest], documents: Sequence[ScopedDocument], embeddings: Embeddings,
                 judge: StanceJudge | None, *, join: float = 0.7, stance_min: float = 0.35, max_checks: int = 6,
                 max_groups: int = 8) -> Grouping:
    """Rows of claims that say the same thing, with each source's position and a short quote."""
    by_doc: Mapping[str, ScopedDocument] = {d.doc.doc_id: d for d in documents}
    claims = [c for digest in digests for c in digest.claims]
    if not claims:
        return Grouping(groups=())
    vectors = dict(zip([c.id for c in claims], embeddings.embed_documents([c.text for c in claims]), strict=True))
    rows: list[list[Claim]] = []
    for claim in claims:  # greedy: join the first row whose lead claim is close enough
        row = next((r for r in rows if _cos(vectors[r[0].id], vectors[claim.id]) >= join), None)
        if row is None:
            rows.append([claim])
        else:
            row.append(claim)
    order = {c.id: i for i, c in enumerate(claims)}
    rank = {c.id: i for digest in digests for i, c in enumerate(digest.claims)}
    rows.sort(key=lambda r: (-len({c.doc_id for c in r}), min(rank[c.id] for c in r), order[r[0].id]))
    rows = rows[:max_groups]

    def sentence(claim: Claim) -> Evidence:
        scoped = by_doc[claim.doc_id]
        return scoped.sentences[claim.sentences[0] - 1]

    cells: list[dict[str, Cell]] = []
    for row in rows:
        row_cells = {}
        for scoped in documents:
            own = next((c for c in row if c.doc_id == scoped.doc.doc_id), None)
            row_cells[scoped.doc.doc_id] = (
                Cell(doc_id=scoped.doc.doc_id, position="asserts", quote=citation_for(sentence(own), 30),
                     speaker=own.speaker, claim_id=own.id, judged_by="digest") if own is not None
                else Cell(doc_id=scoped.doc.doc_id, position="silent"))
        cells.append(row_cells)

    checks = 0
    usage: dict[str, int] = {}
    if judge is not None and max_checks > 0:
        pairs = []
        for i, row in enumerate(rows):
            lead = vectors[row[0].id]
            for doc_id, cell in cells[i].items():
                if cell.position != "silent":
                    continue
                candidates = [c for c in claims if c.doc_id == doc_id]
                if not candidates:
                    continue
                best = max(candidates, key=lambda c: _cos(lead, vectors[c.id]))
                score = _cos(lead, vectors[best.id])
                if score >= stance_min:
                    pairs.append((score, i, doc_id, best))
        for _score, i, doc_id, best in sorted(pairs, key=lambda p: p[0], reverse=True)[:max_checks]:
            evidence = sentence(best)
            position = parse_stance(judge(rows[i][0].text, evidence.text))
            checks += 1
            if position != "silent":
                cells[i][doc_id] = Cell(doc_id=doc_id, position=position, quote=citation_for(evidence, 30),
                                        speaker=best.speaker, claim_id=best.id, judged_by="stance-check")
    groups = tuple(ClaimGroup(id=_group_id(row), text=row[0].text, claims=tuple(row),
                              cells=tuple(cells[i][d.doc.doc_id] for d in documents))
                   for i, row in enumerate(rows))
    return Grouping(groups=groups, stance_checks=checks, usage=usage)


