"""Shared fixtures: a temporary data dir, deterministic embeddings, a real embedded Chroma."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from langchain_core.language_models.chat_models import BaseChatModel

from rag.config import REPO_ROOT, Settings
from rag.embeddings import HashingEmbeddings
from rag.service import Service

SEEDS = REPO_ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """onnxruntime and chromadb write caches under HOME; keep them out of the user's."""
    old = os.environ.get("HOME")
    os.environ["HOME"] = str(tmp_path_factory.mktemp("home"))
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    yield
    if old is not None:
        os.environ["HOME"] = old


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", embedding_provider="fake", llm_provider="fake",
                    chroma_host=None, chunk_size=500, chunk_overlap=100, verify_mode="off")


@pytest.fixture
def service(settings: Settings) -> Service:
    """A service on a real embedded Chroma in a temp dir, with deterministic fake embeddings."""
    return Service(settings, embeddings=HashingEmbeddings())


class _SupportingJudge:
    """A judge that supports every claim: for answers whose sentences are verbatim quotes anyway."""

    name = "scripted-judge"

    def probability(self, claim: str, passage: str) -> float:
        return 0.95


@pytest.fixture
def quoting_service(settings: Settings, seeds_copy: Path) -> Callable[[BaseChatModel], Service]:
    """A guarded service over the five seeds, made with the given chat model and a judge that supports all: for
    answers read off the texts (mentions, timelines), where any model call is the test's failure."""
    from rag.verify.verifier import Calibration, Verifier

    def make(model: BaseChatModel) -> Service:
        service = Service(settings.model_copy(update={"verify_mode": "guarded"}), embeddings=HashingEmbeddings(),
                          chat_model=model, verifier=Verifier([_SupportingJudge()], calibration=Calibration(0.5)))
        service.ingest([seeds_copy])
        return service

    return make


@pytest.fixture
def seeds_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The five seed articles copied into a temp folder that is also the working directory."""
    folder = tmp_path / "work" / "seeds"
    shutil.copytree(SEEDS, folder)
    monkeypatch.chdir(folder.parent)
    return folder


@dataclass
class ChromaServer:
    """A real `chroma run` on loopback, started for the session (stop/start for fault tests)."""

    path: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                          "--port", str(self.port)], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("chroma run exited: " + self.log.read_text()[-2000:])
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("chroma run did not open its port in 60 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
            self.proc = None


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    folder = tmp_path_factory.mktemp("chroma-server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = ChromaServer(path=folder / "db", port=port, log=folder / "chroma.log")
    server.start()
    yield server
    server.stop()


def server_settings(settings: Settings, server: ChromaServer) -> Settings:
    """The same settings against the server, in a collection of the test's own."""
    return settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": server.port,
                                       "collection": f"t{uuid.uuid4().hex[:12]}"})
