"""Concurrent clients against the running app (loopback only): requests/s, p50/p95 latency, errors.

    python benchmarks/load.py [--provider fake|local|both] [--clients 1,4,16] [--seconds 20]

Starts `sourcebrief serve` on a fresh data dir with the seeds, then for each N runs N clients
that each POST /api/ask in a loop for the given seconds (the embedded model: each client asks
once, since one answer takes tens of seconds on 2 cores and answers are generated one at a time).
The baseline is N = 1 in the same run: the ratios say how throughput and p95 grow with N.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rag.config import REPO_ROOT

QUESTIONS = ["What did Lavrov offer?", "What did Zakharova say about the CSTO?",
             "According to SIPRI, what share of Armenia's arms imports came from Russia?",
             "How many troops did Russia deploy after the 2020 war?"]


def _start(provider: str, root: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SOURCEBRIEF_DATA_DIR": str(root / provider), "SOURCEBRIEF_LLM_PROVIDER": provider,
           "SOURCEBRIEF_PORT": str(port), "SOURCEBRIEF_HOST": "127.0.0.1", "SOURCEBRIEF_UI_CONCURRENCY": "16"}
    if provider == "local":
        env["SOURCEBRIEF_LLM_MODEL_PATH"] = str(REPO_ROOT / "data" / "models" /
                                                "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")
    cli = [sys.executable, "-m", "rag"]
    subprocess.run([*cli, "ingest", str(REPO_ROOT / "seeds")], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([*cli, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("the app did not start")


def _run(url: str, clients: int, seconds: float, once: bool) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(i: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=900) as http:
            n = 0
            while True:
                started = time.perf_counter()
                try:
                    ok = http.post("/api/ask", json={"question": QUESTIONS[(i + n) % len(QUESTIONS)],
                                                     "verify": "off"}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors += not ok
                n += 1
                if once or time.monotonic() > stop:
                    return

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - started), latencies, errors


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--provider", choices=["fake", "local", "both"], default="fake")
    parser.add_argument("--clients", default="1,4,16", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration per client count (fake)")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    providers = ["fake", "local"] if args.provider == "both" else [args.provider]
    with tempfile.TemporaryDirectory() as tmp:
        for provider in providers:
            proc, url = _start(provider, Path(tmp))
            try:
                base: tuple[float, float] | None = None
                for n in counts:
                    rate, latencies, errors = _run(url, n, args.seconds, once=provider == "local")
                    p50, p95 = statistics.median(latencies), _p95(latencies)
                    base = base or (rate, p95)
                    print(f"[{provider:5}] N={n:2d}: {len(latencies):4d} requests, {rate:6.2f} req/s, "
                          f"p50 {p50 * 1000:7.0f} ms, p95 {p95 * 1000:7.0f} ms, errors {errors} | vs N=1: "
                          f"throughput x{rate / base[0]:.2f}, p95 x{p95 / base[1]:.2f}")
            finally:
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    main()
