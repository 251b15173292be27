"""A remote OpenAI-compatible model that is down, slow, failing or talking nonsense.

The server here is a scripted stand-in on loopback (the faults are the point); the real llama.cpp
server is exercised in tests/slow.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.config import REPO_ROOT, Settings
from rag.embeddings import HashingEmbeddings
from rag.errors import ModelError
from rag.service import Service


class _Script:
    mode = "ok"
    reply = ""
    requests = 0


def _handler(script: type[_Script]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            script.requests += 1
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if script.mode == "no-schema" and body.get("response_format", {}).get("type") == "json_schema":
                self.send_response(500)  # what llama.cpp's server answers
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "response_format.type: Input should be text or json_object"}}')
                return
            if script.mode == "500":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "boom"}}')
                return
            if script.mode == "slow":
                time.sleep(3)
            chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": script.reply},
                                  "finish_reason": None}]}
            if body.get("stream"):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                self.wfile.write(f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode())
                return
            message = {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
                       "choices": [{"index": 0, "message": {"role": "assistant", "content": script.reply},
                                    "finish_reason": "stop"}]}
            data = json.dumps(message).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def llm_server() -> Iterator[tuple[type[_Script], str]]:
    script = type("Script", (_Script,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield script, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def _remote(settings: Settings, url: str, **extra: object) -> Service:
    tuned = settings.model_copy(update={"llm_provider": "openai", "openai_base_url": url, "llm_timeout": 1.0,
                                        "llm_max_retries": 1, "structured_output": False, **extra})
    service = Service(tuned, embeddings=HashingEmbeddings())
    service.ingest([REPO_ROOT / "seeds"])
    return service


def test_server_down_is_one_line_naming_the_setting(settings: Settings) -> None:
    service = _remote(settings, "http://127.0.0.1:9/v1")
    started = time.monotonic()
    with pytest.raises(ModelError, match="SOURCEBRIEF_OPENAI_BASE_URL") as info:
        service.ask("What did Lavrov offer?")
    assert "\n" not in str(info.value) and time.monotonic() - started < 15


def test_500s_are_retried_then_reported(settings: Settings, llm_server: tuple[type[_Script], str]) -> None:
    script, url = llm_server
    script.mode = "500"
    service = _remote(settings, url)
    with pytest.raises(ModelError, match="chat model failed"):
        service.ask("What did Lavrov offer?")
    assert script.requests == 2  # one try + llm_max_retries


def test_slow_server_times_out_instead_of_hanging(settings: Settings, llm_server: tuple[type[_Script], str]) -> None:
    script, url = llm_server
    script.mode = "slow"
    service = _remote(settings, url, llm_max_retries=0)
    started = time.monotonic()
    with pytest.raises(ModelError, match=r"Timeout|timed out"):
        service.ask("What did Lavrov offer?")
    assert time.monotonic() - started < 10


def test_malformed_output_degrades_to_flagged_or_refused(settings: Settings,
                                                         llm_server: tuple[type[_Script], str]) -> None:
    script, url = llm_server
    script.reply = '{"sentences": [{"text": "Lavrov offered talks", "citations": [99]'  # cut-off JSON, bad cite
    answer = _remote(settings, url).ask("What did Lavrov offer?")
    assert answer.refused or all(not s.citations and "uncited" in s.flags for s in answer.sentences)
    script.reply = "\x00\x01 garbage <<<>>>"
    answer = _remote(settings, url).ask("What did Lavrov offer?")
    assert answer.refused or all("uncited" in s.flags for s in answer.sentences)


def test_server_without_json_schema_is_asked_again_without_it(settings: Settings,
                                                              llm_server: tuple[type[_Script], str]) -> None:
    script, url = llm_server
    script.mode = "no-schema"
    script.reply = "Lavrov offered to mediate [1]."
    service = _remote(settings, url, structured_output=True, llm_max_retries=0)
    answer = service.ask("What did Lavrov offer?")
    assert script.requests == 2 and not answer.refused and answer.sentences[0].citations
    service.ask("What did Lavrov offer Armenia?")
    assert script.requests == 3  # remembered: no second refusal
