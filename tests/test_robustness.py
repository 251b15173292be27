"""Ingestion under SIGKILL and under a concurrent second ingest: the store and its registry agree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import lee_articles, perturbed, write_corpus
from rag.config import Settings
from rag.embeddings import HashingEmbeddings
from rag.service import Service


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "SOURCEBRIEF_DATA_DIR": str(data), "SOURCEBRIEF_EMBEDDING_PROVIDER": "fake",
            "SOURCEBRIEF_LLM_PROVIDER": "fake", "SOURCEBRIEF_CHROMA_HOST": "", "ANONYMIZED_TELEMETRY": "False"}


def _ingest(data: Path, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "rag", "ingest", str(folder), "--json"], env=_env(data),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _check_consistent(data: Path, corpus: Path, out: str, err: str) -> None:
    report = json.loads(out)
    service = Service(Settings(_env_file=None, data_dir=data, embedding_provider="fake", llm_provider="fake",
                               chroma_host=None), embeddings=HashingEmbeddings())
    records = service.store.list_documents()
    owners = service.store.chunk_doc_ids()
    assert len(records) == report["documents"]
    seen = {Path(p).name for r in records for p in r.paths}  # every file is stored (duplicates share a record)
    skipped = {Path(line[8:].split(":")[0]).name for line in err.splitlines() if line.startswith("skipped ")}
    assert seen | skipped == {p.name for p in corpus.iterdir()}
    assert set(owners.values()) == {r.id for r in records}  # no orphan chunks, no record without chunks
    assert len(owners) == sum(r.chunks for r in records)  # no duplicates, nothing missing
    assert service.store.count_chunks() == len(owners)


def _corpus(tmp_path: Path, copies: int) -> Path:
    return write_corpus(tmp_path / "corpus", perturbed(lee_articles(), copies))


def test_sigkill_mid_ingest_then_rerun_completes_cleanly(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 4)  # 1,200 articles
    data = tmp_path / "data"
    proc = _ingest(data, corpus)
    chroma = data / "chroma"
    deadline = time.monotonic() + 120
    # Kill once Chroma has started writing, so the kill lands inside the run.
    while time.monotonic() < deadline and proc.poll() is None:
        if chroma.exists() and sum(f.stat().st_size for f in chroma.rglob("*") if f.is_file()) > 2_000_000:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; grow the corpus"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rerun = _ingest(data, corpus)
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, err
    _check_consistent(data, corpus, out, err)


def test_two_ingests_at_once_wait_for_each_other(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 1)  # 300 articles
    data = tmp_path / "data"
    first, second = _ingest(data, corpus), _ingest(data, corpus)
    results = [p.communicate(timeout=600) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    # One waits for the other's lock (30 s) or fails with a one-line message; never corrupts.
    for code, (_, err) in zip(codes, results, strict=True):
        assert code == 0 or ("another ingest is writing" in err and err.count("\n") == 1), err
    assert 0 in codes
    _check_consistent(data, corpus, *results[codes.index(0)])
