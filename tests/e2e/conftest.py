"""A real `sourcebrief serve` on loopback over the seeds, and a real Chromium driving it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from rag.config import REPO_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@dataclass
class RunningApp:
    url: str
    token: str | None
    data_dir: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(tmp: Path, *, host: str = "127.0.0.1", token: str | None = None) -> tuple[subprocess.Popen[bytes],
                                                                                           RunningApp]:
    """Ingest the seeds into a fresh data dir and serve them with the scripted (fake) chat model."""
    port = _free_port()
    env = {**os.environ, "HOME": str(tmp), "SOURCEBRIEF_DATA_DIR": str(tmp / "data"),
           "SOURCEBRIEF_LLM_PROVIDER": "fake", "SOURCEBRIEF_PORT": str(port), "SOURCEBRIEF_HOST": host,
           "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False",
           # The pages a test serves for the URL box are on loopback; a real server keeps this off.
           "SOURCEBRIEF_FETCH_ALLOW_PRIVATE": "true"}
    if token:
        env["SOURCEBRIEF_API_TOKEN"] = token
    cli = [sys.executable, "-m", "rag"]
    subprocess.run([*cli, "ingest", str(REPO_ROOT / "seeds")], env=env, check=True, capture_output=True)
    log = open(tmp / "serve.log", "wb")
    proc = subprocess.Popen([*cli, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited: " + (tmp / "serve.log").read_text())
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, RunningApp(url=url, token=token, data_dir=tmp / "data")
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("server did not answer /healthz in 90 s: " + (tmp / "serve.log").read_text())


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    proc, running = start_app(tmp_path_factory.mktemp("app"))
    yield running
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Path:
    """Screenshots go to test-output/<test name>/ under the repo (ignored by git)."""
    folder = REPO_ROOT / "test-output" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
