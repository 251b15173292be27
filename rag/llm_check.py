"""A quick end-to-end check of the configured chat model, for `sourcebrief doctor`."""

from __future__ import annotations

from rag.config import Settings
from rag.errors import ModelError

__all__ = ["check_chat_model"]


def check_chat_model(settings: Settings) -> str:
    """Load or reach the chat model and generate a few tokens; returns a one-line summary."""
    if settings.llm_provider == "fake":
        return "fake provider (tests only)"
    if settings.llm_provider == "local":
        from rag.local_llm import generate_probe, load_llama

        llm = load_llama(settings.local_llm_path, n_ctx=settings.llm_context, n_threads=settings.llm_threads)
        probe = generate_probe(llm)
        if not probe.text.strip():
            raise ModelError("local model loaded but generated no text")
        return (f"local {settings.local_llm_path.name}: said {probe.text.strip()[:40]!r} "
                f"({probe.prompt_tokens} prompt + {probe.tokens} generated tokens in {probe.seconds:.1f} s, "
                f"{settings.llm_threads} threads)")
    from rag.providers import make_chat_model

    model = make_chat_model(settings)
    try:
        reply = model.invoke("Reply with the single word OK.")
    except Exception as exc:  # openai raises many transport errors; all mean "unreachable"
        raise ModelError(f"cannot reach {settings.openai_base_url or 'OpenAI'} "
                         f"(SOURCEBRIEF_OPENAI_BASE_URL / SOURCEBRIEF_LLM_MODEL): {type(exc).__name__}: {exc}") from exc
    return f"openai-compatible {settings.llm_model} at {settings.openai_base_url or 'api.openai.com'}: " \
           f"said {str(reply.content).strip()[:40]!r}"
