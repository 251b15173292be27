"""The embedded model as a managed OpenAI-compatible server (llama.cpp's), for several processes.

`sourcebrief model serve` runs it on loopback; point other processes at it with
`SOURCEBRIEF_LLM_PROVIDER=openai SOURCEBRIEF_OPENAI_BASE_URL=http://127.0.0.1:PORT/v1`.
"""

from __future__ import annotations

import logging

from rag.config import Settings
from rag.errors import ModelError
from rag.local_llm import disable_extra_bufts

__all__ = ["MODEL_ALIAS", "serve_local_model"]

log = logging.getLogger(__name__)

MODEL_ALIAS = "local"


def serve_local_model(settings: Settings, host: str, port: int) -> None:
    """Serve the local GGUF model until interrupted (blocking)."""
    path = settings.local_llm_path
    if not path.is_file():
        raise ModelError(f"local model file not found: {path}; run `sourcebrief model prepare`")
    try:
        import uvicorn
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as exc:
        raise ModelError(f"llama-cpp-python's server extras are missing ({exc}); run `make install`") from exc
    disable_extra_bufts()  # the same AMX work-around as in-process loading
    model = ModelSettings(model=str(path), model_alias=MODEL_ALIAS, n_ctx=settings.llm_context,
                          n_threads=settings.llm_threads, n_threads_batch=settings.llm_threads,
                          cache=settings.llm_prompt_cache_mb > 0, cache_type="ram",
                          cache_size=int(settings.llm_prompt_cache_mb * 2**20), verbose=False)
    app = create_app(server_settings=ServerSettings(host=host, port=port), model_settings=[model])
    log.info("serving %s as %r on http://%s:%d/v1", path.name, MODEL_ALIAS, host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning")
