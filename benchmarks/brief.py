"""Briefing cost and quality against a naive single-prompt baseline, measured in the same run.

    python benchmarks/brief.py [--verify annotate] [--baseline-chars 1500]

1. Our briefing over the five seeds with the embedded model, from a cold run folder: seconds per
   stage and in total, tokens read and written by the briefing prompts, sentences written, the
   share the verifier supports (verbatim quotes count as supported by definition and are also
   reported apart), and the time to resume the finished run.
2. Baseline: one prompt, "summarise these documents as a briefing", with the first
   --baseline-chars characters of each document (the whole 40k-character collection does not fit
   the 4,096-token context). Its sentences carry no citations, so each is verified against the
   whole collection text (the verifier trims the passage to the sentences that bear on it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks.seeded import seeded_service, timed_baseline
from rag.ingest.sentences import split_sentences
from rag.service import Service

BASELINE_PROMPT = ("Summarise these documents as a briefing for a reader: the main points, key facts and figures, "
                   "who says what, and where the sources disagree.\n\n{documents}\n\nBriefing:")


# Idle speeds of the slowest 2-core machine of this project's kind seen so far (AVX2 EPYC, README), for a
# projection of the model time there; faster CPUs of the same kind finish well inside it.
PROMPT_TPS, GEN_TPS = 20.0, 9.0


def _judge_tokens(service: Service, claim: str, passages: list[str]) -> int:
    """Tokens of one judge prompt (upper bound: the verifier may trim the passage)."""
    from rag.prompts import load_prompt

    system, user = load_prompt(service.settings.prompts_dir, "verify_claim").render(
        claim=claim, passage="\n".join(passages))
    return len(service.chat_model.llm.tokenize((system + user).encode(), add_bos=False))  # type: ignore[attr-defined]


def _share(labels: list[str]) -> str:
    if not labels:
        return "n/a"
    return f"{sum(label == 'supported' for label in labels) / len(labels):.2f} ({len(labels)} sentences)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verify", default="annotate", choices=["off", "annotate", "strict"])
    parser.add_argument("--baseline-chars", type=int, default=1500, help="characters of each document in the baseline")
    parser.add_argument("--baseline-tokens", type=int, default=400, help="most tokens the baseline may write")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        service = seeded_service(Path(tmp) / "data")
        service.chat_model.llm.reset()  # type: ignore[attr-defined]
        started = time.perf_counter()
        briefing = service.brief(verify=args.verify, run_id="bench")
        ours_s = time.perf_counter() - started
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in briefing.timings.items() if k != "total")
        print(f"ours: total {ours_s:.1f} s ({stages}) (target < 600 s)")
        print(f"ours: tokens read {briefing.usage.get('input_tokens', 0)}, written "
              f"{briefing.usage.get('output_tokens', 0)} by the briefing prompts (the judge's short prompts are "
              "not counted)")
        claims = [s for s in briefing.sentences if "note" not in s.flags and "verbatim" not in s.flags]
        quotes = [s for s in briefing.sentences if "verbatim" in s.flags]
        print(f"ours: {len(briefing.sentences)} sentences; verifier supports "
              f"{_share([s.verdict.label for s in claims if s.verdict])} of the written claims; "
              f"{len(quotes)} attributed verbatim quotes; {len(briefing.documents)} documents cited")
        judged = [s for s in claims if s.verdict is not None]
        judge_tokens = sum(_judge_tokens(service, s.checked or s.text, [c.quote for c in s.citations]) for s in judged)
        read, written = briefing.usage.get("input_tokens", 0) + judge_tokens, briefing.usage.get("output_tokens", 0)
        print(f"ours: with the judge's {len(judged)} prompts (<= {judge_tokens} tokens): {read} tokens read, "
              f"{written} written; at the slowest machine's idle speeds ({PROMPT_TPS:.0f} prompt, "
              f"{GEN_TPS:.0f} generated tokens/s) that is ~{read / PROMPT_TPS + written / GEN_TPS:.0f} s of model time")
        started = time.perf_counter()
        service.brief(verify=args.verify, run_id="bench")
        print(f"ours: resuming the finished run takes {time.perf_counter() - started:.2f} s")

        texts = {r.file_name: service.source(r.id).text for r in service.sources()}
        documents = "\n\n".join(f"Document {name}:\n{text[: args.baseline_chars]}" for name, text in texts.items())
        reply, base_s = timed_baseline(service, BASELINE_PROMPT.format(documents=documents), args.baseline_tokens)
        usage = reply.usage_metadata or {}
        sentences = [s.text.lstrip("-*# ").strip() for s in split_sentences(str(reply.content))]
        sentences = [s for s in sentences if len(s.split()) >= 5]
        collection = "\n".join(texts.values())
        labels = [service.verifier.verify(s, [collection]).label for s in sentences] if args.verify != "off" else []
        print(f"baseline: total {base_s:.1f} s, tokens read {usage.get('input_tokens', 0)}, written "
              f"{usage.get('output_tokens', 0)}; {len(sentences)} sentences, 0 citations; verifier supports "
              f"{_share(labels)}")
        print(f"ratio time ours/baseline: {ours_s / base_s:.2f}; sentences with citations: ours "
              f"{sum(bool(s.citations) for s in briefing.sentences)}/{len(briefing.sentences)}, baseline 0/"
              f"{len(sentences)}")


if __name__ == "__main__":
    main()
