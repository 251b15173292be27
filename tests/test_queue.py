"""The embedded model serves one request at a time, in arrival order, and says so."""

from __future__ import annotations

import threading
import time

from rag.chat_models import GENERATION_LOCK, FairLock, ScriptedChatModel
from rag.config import REPO_ROOT, Settings
from rag.embeddings import HashingEmbeddings
from rag.providers import _fake_reply
from rag.service import Service


def test_fair_lock_serves_in_arrival_order_and_counts_the_queue() -> None:
    lock = FairLock()
    order: list[int] = []
    lock.acquire()
    threads = []
    for i in range(5):
        t = threading.Thread(target=lambda i=i: (lock.acquire(), order.append(i), lock.release()))
        t.start()
        threads.append(t)
        while lock.ahead() < i + 2:  # wait until thread i is queued, so arrival order is known
            time.sleep(0.001)
    assert lock.ahead() == 6
    lock.release()
    for t in threads:
        t.join(timeout=5)
    assert order == [0, 1, 2, 3, 4] and lock.ahead() == 0


def test_a_queued_question_says_how_many_are_ahead(settings: Settings) -> None:
    service = Service(settings, embeddings=HashingEmbeddings(), chat_model=ScriptedChatModel(responder=_fake_reply))
    service.ingest([REPO_ROOT / "seeds"])
    statuses: list[str] = []
    with GENERATION_LOCK:  # another user's answer is being generated
        worker = threading.Thread(target=lambda: statuses.extend(
            e.text for e in service.ask_stream("What did Lavrov offer?", verify="off") if e.kind == "status"))
        worker.start()
        worker.join(timeout=30)
    assert "waiting for the model: 1 request ahead" in statuses
    assert statuses.index("waiting for the model: 1 request ahead") < statuses.index(
        next(s for s in statuses if s.startswith("reading")))
