"""One server: the HTTP API under /api (OpenAPI at /docs) and the Gradio app at /."""

from __future__ import annotations

import logging
import threading

import gradio as gr
from fastapi import FastAPI

from rag.errors import ConfigError
from rag.service import Service
from ui.api import build_router, install_error_handler
from ui.app import build_app
from ui.auth import is_loopback, token_middleware
from ui.render import CSS

__all__ = ["create_server", "serve"]

log = logging.getLogger(__name__)


def create_server(service: Service, *, host: str | None = None) -> FastAPI:
    """The ASGI app. Bound anywhere but loopback, it refuses to exist without an API token."""
    settings = service.settings
    host = host or settings.host
    token = settings.api_token.get_secret_value() if settings.api_token else None
    if not is_loopback(host) and not token:
        raise ConfigError(f"binding {host} exposes the app to the network: set SOURCEBRIEF_API_TOKEN "
                          "(or bind 127.0.0.1 with SOURCEBRIEF_HOST)")
    api = FastAPI(title="sourcebrief", version="1", description="Source-grounded answers with checked citations.")
    install_error_handler(api)
    api.include_router(build_router(service))
    if token:
        api.middleware("http")(token_middleware(token))
    return gr.mount_gradio_app(api, build_app(service), path="/", css=CSS, footer_links=["api"],
                               max_file_size=max(1, int(settings.max_file_mb * 1_000_000)),
                               server_name=host, server_port=settings.port,
                               allowed_paths=[str(settings.data_dir / "briefs"), str(settings.data_dir / "notebooks")])


def serve(service: Service, host: str | None = None, port: int | None = None) -> None:
    import uvicorn

    host = host or service.settings.host
    port = port or service.settings.port
    app = create_server(service, host=host)
    threading.Thread(target=_warm, args=(service,), name="warm-indexes", daemon=True).start()
    log.info("serving on http://%s:%d", host, port)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _warm(service: Service) -> None:
    """Build the BM25 index and embed the collection's sentences while the app starts, so the first
    question does not wait for them."""
    try:
        chunks, sentences = service.warm()
        log.info("ready: BM25 index of %d chunks, %d sentence vectors", chunks, sentences)
    except Exception as exc:  # a store that is down now is reported by the first request instead
        log.warning("could not warm the indexes at start-up: %s", exc)
