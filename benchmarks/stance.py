"""Stance checks between sources, against hand labels: may the briefing's "Points of contention" be on?

    python benchmarks/stance.py [--labels evals/labels/stances.yaml]

`evals/labels/stances.yaml` says, for subjects the seed articles take sides on, how each article presents
the subject (positive, negative, neutral), labelled by reading the articles. Two sources with the same
non-neutral label are an agreeing pair, a positive and a negative one a conflicting pair. For each ordered
pair (A, B) this runs the briefing's own stance check (`prompts/brief_stance.md`, one model call through
`rag.brief.pipeline.ModelStanceJudge`, read by `rag.brief.group.parse_stance`): A's line closest to the
subject (cosine with the subject, plus shared words) as the claim, B's as the passage. It prints conflicts
found among the conflicting pairs, false conflicts among the agreeing pairs (the first requirement: none),
and seconds per check. The briefing runs these checks only when `brief_stance_checks` (default: 6 with a
remote model, 0 with the embedded one) allows; this is the number behind that default. Set
SOURCEBRIEF_LLM_PROVIDER=openai (and its URL and model) to measure a remote model instead.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.seeded import seeded_service
from rag.brief.group import parse_stance
from rag.brief.pipeline import ModelStanceJudge
from rag.config import REPO_ROOT
from rag.evidence import document_lines
from rag.prompts import load_prompt
from rag.retrieval import tokenize
from rag.types import Evidence


def closest_line(subject: str, lines: list[Evidence], vectors: np.ndarray, subject_vector: np.ndarray) -> Evidence:
    """The line that best speaks to the subject: cosine plus 0.05 per shared content word."""
    words = set(tokenize(subject))
    scores = vectors @ subject_vector + 0.05 * np.array([len(words & set(tokenize(e.text))) for e in lines])
    return lines[int(np.argmax(scores))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=REPO_ROOT / "evals" / "labels" / "stances.yaml")
    args = parser.parse_args()
    subjects = yaml.safe_load(args.labels.read_text())["subjects"]
    with tempfile.TemporaryDirectory() as tmp:
        service = seeded_service(Path(tmp))
        judge = ModelStanceJudge(service.chat_model, load_prompt(service.settings.prompts_dir, "brief_stance"))
        records = {r.file_name: r for r in service.store.list_documents()}
        lines: dict[str, tuple[list[Evidence], np.ndarray]] = {}
        for name, record in records.items():
            text = service.store.get_document_text(record.id)
            own = list(document_lines(record.id, record, text[0] if text else ""))
            lines[name] = (own, np.array(service.embeddings.embed_documents([e.text for e in own])))
        found = conflicts = false = agreeing = 0
        seconds: list[float] = []
        for item in subjects:
            subject, labels = item["subject"], item["labels"]
            vector = np.array(service.embeddings.embed_query(subject))
            for a, b in itertools.permutations(labels, 2):
                if "neutral" in (labels[a], labels[b]):
                    continue
                claim = closest_line(subject, *lines[a], vector)
                passage = closest_line(subject, *lines[b], vector)
                started = time.perf_counter()
                position = parse_stance(judge(claim.text, passage.text))
                seconds.append(time.perf_counter() - started)
                if labels[a] == labels[b]:
                    agreeing += 1
                    false += position == "disputes"
                else:
                    conflicts += 1
                    found += position == "disputes"
                print(f"{subject[:44]:44} {a[:3]} vs {b[:3]}  labels {labels[a]:8} / {labels[b]:8}  check: {position}",
                      flush=True)
    print(f"\nmodel: {service.settings.llm_provider}; {len(seconds)} checks, median {statistics.median(seconds):.2f} s")
    print(f"conflicting pairs called disputes: {found} of {conflicts}")
    print(f"agreeing pairs called disputes (false conflicts): {false} of {agreeing}")


if __name__ == "__main__":
    main()
