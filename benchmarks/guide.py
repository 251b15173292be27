"""Source-guide time per document against a naive one-prompt summary, measured in the same run.

    python benchmarks/guide.py [--repeat 1]

1. Ours: `Service.guide(..., refresh=True)` for each seed article with the embedded model, from a
   cold data folder: seconds in total and per stage (digest, verify, topics and questions,
   answerability checks), summary sentences, how many the verifier dropped, and suggested questions kept.
2. Baseline: one prompt, "summarise this article in 3-5 sentences", with the whole article (what a
   plain LangChain `load_summarize_chain(chain_type="stuff")` sends); it has no citations, topics or
   questions and nothing is verified.

Prints the median and worst time per document against the 90 s target and the ratio ours/baseline.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks.seeded import seeded_service, timed_baseline

BASELINE_PROMPT = "Summarise this article in 3 to 5 sentences.\n\n{text}\n\nSummary:"
TARGET_S = 90.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="guides written per document (medians are reported)")
    parser.add_argument("--baseline-tokens", type=int, default=200, help="most tokens the baseline may write")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        service = seeded_service(Path(tmp) / "data")
        ours: list[float] = []
        base: list[float] = []
        for record in service.sources():
            runs = []
            for _ in range(args.repeat):
                service.chat_model.llm.reset()  # type: ignore[attr-defined]  # no prompt cache from the last one
                started = time.perf_counter()
                guide = service.guide(record.id, refresh=True)
                runs.append(time.perf_counter() - started)
            ours.append(statistics.median(runs))
            stages = ", ".join(f"{k} {v:.1f}" for k, v in guide.timings.items() if k != "total")
            dropped = next((f.split(":")[1] for f in guide.flags if f.startswith("dropped-unsupported:")), "0")
            text = service.source(record.id).text
            base.append(timed_baseline(service, BASELINE_PROMPT.format(text=text), args.baseline_tokens)[1])
            print(f"{record.file_name} ({len(text)} chars): ours {ours[-1]:.1f} s ({stages} s), "
                  f"{len(guide.summary)} summary sentences ({dropped} dropped as unsupported), "
                  f"stance {'yes' if guide.stance else 'no'}, {len(guide.topics)} topics, "
                  f"{len(guide.questions)} questions; baseline {base[-1]:.1f} s", flush=True)
        med, worst = statistics.median(ours), max(ours)
        print(f"ours: median {med:.1f} s, worst {worst:.1f} s per document (target < {TARGET_S:.0f} s: "
              f"{'met' if worst < TARGET_S else 'NOT met'})")
        print(f"baseline: median {statistics.median(base):.1f} s per document (uncited, unverified)")
        print(f"ratio ours/baseline (medians): {med / statistics.median(base):.2f}")


if __name__ == "__main__":
    main()
