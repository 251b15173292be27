"""Chat models behind LangChain's interface that LangChain itself does not ship:
the embedded llama.cpp model run in-process, and a scripted fake for tests."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

__all__ = ["GENERATION_LOCK", "FairLock", "LocalChatModel", "ScriptedChatModel", "add_usage",
           "first_token_probability", "to_openai_messages"]


class FairLock:
    """A first-come, first-served lock that can say how many are ahead of a new arrival.

    `threading.Lock` wakes waiters in no particular order; with several users on one embedded
    model that lets a late request overtake an early one indefinitely.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    def ahead(self) -> int:
        """Holders and waiters a request arriving now would queue behind."""
        with self._cond:
            return self._next_ticket - self._serving

    def acquire(self) -> None:
        with self._cond:
            ticket = self._next_ticket
            self._next_ticket += 1
            while ticket != self._serving:
                self._cond.wait()

    def release(self) -> None:
        with self._cond:
            self._serving += 1
            self._cond.notify_all()

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


#: llama.cpp contexts are not re-entrant: one generation at a time per process, in arrival order.
GENERATION_LOCK = FairLock()

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]


def add_usage(total: dict[str, int], usage: Any) -> None:
    """Add a reply's token counts (a message's `usage_metadata`, or a mapping of counts) to `total`."""
    for k, v in (usage or {}).items():
        if isinstance(v, int):
            total[k] = total.get(k, 0) + v


def _usage(prompt: int, completion: int) -> UsageMetadata:
    return {"input_tokens": prompt, "output_tokens": completion, "total_tokens": prompt + completion}


class LocalChatModel(BaseChatModel):
    """The embedded GGUF model (llama-cpp-python) in this process.

    Accepts `response_format` (JSON schema, enforced by a grammar), `grammar` (GBNF text),
    `prefill` (the opening of the reply, written for the model: streamed, it costs no generation
    time), `max_tokens`, `logprobs` and `top_logprobs` as call or bind keyword arguments.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    llm: Any = Field(description="A loaded llama_cpp.Llama.")
    model_name: str = "local-gguf"
    max_tokens: int = 512
    temperature: float = 0.0

    @property
    def _llm_type(self) -> str:
        return "sourcebrief-local-llama"

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {"max_tokens": self.max_tokens, "temperature": self.temperature, "stop": stop}
        for key in ("max_tokens", "temperature", "response_format", "logprobs", "top_logprobs", "seed"):
            if key in kwargs:
                params[key] = kwargs[key]
        if kwargs.get("grammar"):
            params["grammar"] = _grammar(kwargs["grammar"])
        return params

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        if kwargs.get("prefill"):
            chunks = list(self._stream(messages, stop, run_manager, **kwargs))
            text = "".join(str(c.message.content) for c in chunks)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(
                content=text, usage_metadata=getattr(chunks[-1].message, "usage_metadata", None),
                response_metadata={"model_name": self.model_name}))])
        with GENERATION_LOCK:
            out = self.llm.create_chat_completion(messages=to_openai_messages(messages), **self._params(stop, kwargs))
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        message = AIMessage(content=choice["message"].get("content") or "",
                            usage_metadata=_usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)),
                            response_metadata={"finish_reason": choice.get("finish_reason"),
                                               "logprobs": choice.get("logprobs"), "model_name": self.model_name})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        prompt_tokens = len(self.llm.tokenize(
            "".join(m["content"] for m in to_openai_messages(messages)).encode(), add_bos=False))
        completion = 0
        prefill = str(kwargs.get("prefill") or "")
        with GENERATION_LOCK:
            for delta in self._deltas(messages, prefill, self._params(stop, kwargs)):
                if not delta:
                    continue
                if prefill:  # the reply starts with what was written for the model
                    delta, prefill = prefill + delta, ""
                completion += 1
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager is not None:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
        yield ChatGenerationChunk(message=AIMessageChunk(
            content="", usage_metadata=_usage(prompt_tokens, completion),
            response_metadata={"model_name": self.model_name}))

    def _deltas(self, messages: list[BaseMessage], prefill: str, params: dict[str, Any]) -> Iterator[str]:
        """The generated text piece by piece. With a `prefill`, the reply's opening is written into the
        prompt after the chat template's assistant header, and the model goes on from there."""
        if prefill:
            prompt = self.llm.tokenize((_format_chat(self.llm, messages) + prefill).encode(), add_bos=False,
                                       special=True)
            params = {k: v for k, v in params.items() if k not in ("response_format", "logprobs", "top_logprobs")}
            # create_chat_completion's sampling defaults, so a prefilled reply is sampled as any other
            parts = self.llm.create_completion(prompt=prompt, stream=True, repeat_penalty=1.1, **params)
            for part in parts:
                yield part["choices"][0].get("text") or ""
            return
        for part in self.llm.create_chat_completion(messages=to_openai_messages(messages), stream=True, **params):
            yield part["choices"][0].get("delta", {}).get("content") or ""


@lru_cache(maxsize=8)
def _grammar(gbnf: str) -> Any:
    """A parsed llama.cpp grammar (parsing takes a few ms; answers reuse it)."""
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(gbnf, verbose=False)


def _format_chat(llm: Any, messages: list[BaseMessage]) -> str:
    """The prompt text the model's own chat template makes of `messages`, ready for the answer."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise ValueError("the GGUF file has no chat template")
    formatter = Jinja2ChatFormatter(template=template, eos_token="", bos_token="")
    return formatter(messages=to_openai_messages(messages)).prompt  # type: ignore[arg-type]


def first_token_probability(llm: Any, messages: list[BaseMessage], yes: list[str], no: list[str]) -> float:
    """P(first answer token is a 'yes' word) vs 'no' words, from the logits after the prompt.

    Only the last position's logits are needed, so this works with logits_all=False. The KV cache
    of a shared prefix (the fixed system prompt) is kept between calls.
    """
    import numpy as np

    tokens = llm.tokenize(_format_chat(llm, messages).encode(), add_bos=False, special=True)
    yes_ids = {llm.tokenize(w.encode(), add_bos=False)[0] for w in yes}
    no_ids = {llm.tokenize(w.encode(), add_bos=False)[0] for w in no}
    with GENERATION_LOCK:
        cache = getattr(llm, "cache", None)
        if cache is not None:  # restore a saved state that shares more of this prompt than the live one
            try:
                item = cache[tokens]
                if llm.longest_token_prefix(item.input_ids.tolist(), tokens) > \
                        llm.longest_token_prefix(llm._input_ids.tolist(), tokens):
                    llm.load_state(item)
            except KeyError:
                pass
        prefix = min(llm.longest_token_prefix(llm._input_ids.tolist(), tokens), len(tokens) - 1)
        if prefix > 0 and llm._ctx.kv_cache_seq_rm(-1, prefix, -1):
            llm.n_tokens = prefix
        else:
            llm.reset()
        llm.eval(tokens[llm.n_tokens:])
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)
        if cache is not None:
            cache[tokens] = llm.save_state()
    pick = np.array(sorted(yes_ids | no_ids))
    weights = np.exp(logits[pick] - logits[pick].max())
    yes_mass = sum(w for i, w in zip(pick, weights, strict=True) if i in yes_ids)
    return float(yes_mass / weights.sum())


class ScriptedChatModel(BaseChatModel):
    """A fake for tests: replies come from a queue (or a function of the prompt); prompts are recorded."""

    replies: list[str] = Field(default_factory=list)
    responder: Callable[[list[BaseMessage]], str] | None = None
    chunk_size: int = 7
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "sourcebrief-scripted"

    @property
    def calls(self) -> list[list[BaseMessage]]:
        return self._calls

    def _next(self, messages: list[BaseMessage]) -> str:
        self._calls.append(messages)
        if self.responder is not None:
            return self.responder(messages)
        if not self.replies:
            raise RuntimeError("ScriptedChatModel has no reply left")
        return self.replies.pop(0)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = self._next(messages)
        usage = _usage(sum(len(str(m.content)) // 4 for m in messages), len(text) // 4)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata=usage))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        text = self._next(messages)
        for i in range(0, len(text), self.chunk_size):
            yield ChatGenerationChunk(message=AIMessageChunk(content=text[i:i + self.chunk_size]))
        yield ChatGenerationChunk(message=AIMessageChunk(content="", usage_metadata=_usage(
            sum(len(str(m.content)) // 4 for m in messages), len(text) // 4)))
