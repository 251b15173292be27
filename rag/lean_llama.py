"""llama-cpp-python's `Llama` with saved states that hold the KV cache only, not the logits.

`Llama.save_state` copies the logits of every evaluated position (up to n_batch x n_vocab floats:
512 x 151,936 x 4 bytes = 311 MB for the embedded Qwen model) and `load_state` writes them back and
scans the rest of the buffer. Nothing reads them: a restored state re-decodes at least its last
token before sampling (`generate` checks `_requires_eval`; `first_token_probability` always
evaluates one token), so the logits are rebuilt anyway. With them, every answer paid ~0.7-1.5 s to
restore a prompt prefix (more than re-reading it) and each cached state pinned ~300 MB that the
RAM cache's capacity does not count (5.6 GB resident after a few guides). Without them a state is
the KV cache of its tokens (~28 kB per token), and restoring it takes milliseconds.
"""

from __future__ import annotations

import ctypes
from typing import Any

__all__ = ["lean_llama_class"]


_BUILT: dict[type[Any], type[Any]] = {}


def lean_llama_class() -> type[Any]:
    """The subclass of the `llama_cpp.Llama` imported now (built on first use, so that importing
    `rag` does not import llama.cpp; one per base class, so a test's stand-in module gets its own)."""
    import llama_cpp

    if llama_cpp.Llama not in _BUILT:
        _BUILT[llama_cpp.Llama] = _build(llama_cpp)
    return _BUILT[llama_cpp.Llama]


def _build(llama_cpp: Any) -> type[Any]:
    import numpy as np

    class LeanStateLlama(llama_cpp.Llama):  # type: ignore[misc]
        def save_state(self) -> llama_cpp.LlamaState:
            size = llama_cpp.llama_state_get_size(self._ctx.ctx)
            buffer = (ctypes.c_uint8 * int(size))()
            n_bytes = int(llama_cpp.llama_state_get_data(self._ctx.ctx, buffer, size))
            if n_bytes > int(size):
                raise RuntimeError("failed to copy the llama.cpp state")
            return llama_cpp.LlamaState(
                scores=np.empty((0, self._n_vocab), dtype=np.single), input_ids=self.input_ids.copy(),
                n_tokens=self.n_tokens, llama_state=bytes(buffer)[:n_bytes], llama_state_size=n_bytes,
                seed=self._seed)

        def load_state(self, state: llama_cpp.LlamaState) -> None:
            self.input_ids = state.input_ids.copy()
            self.n_tokens = state.n_tokens
            self._requires_eval = True  # logits are not restored: decode before sampling
            self._seed = state.seed
            buffer = (ctypes.c_uint8 * state.llama_state_size).from_buffer_copy(state.llama_state)
            if llama_cpp.llama_state_set_data(self._ctx.ctx, buffer, state.llama_state_size) != \
                    state.llama_state_size:
                raise RuntimeError("failed to restore the llama.cpp state")

    return LeanStateLlama
