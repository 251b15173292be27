"""Shared fixtures: a temporary data dir, deterministic embeddings, a real embedded Chroma."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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


@pytest.fixture
def seeds_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The five seed articles copied into a temp folder that is also the working directory."""
    folder = tmp_path / "work" / "seeds"
    shutil.copytree(SEEDS, folder)
    monkeypatch.chdir(folder.parent)
    return folder
