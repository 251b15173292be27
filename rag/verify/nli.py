"""An NLI / fact-checking classifier from a local Hugging Face folder (e.g. MiniCheck, a DeBERTa-MNLI).

No such weights ship on PyPI, so this backend is used only when `SOURCEBRIEF_NLI_MODEL_PATH`
points at a folder the user already has; it needs `pip install -e .[torch]` (torch + transformers).
The folder must hold a sequence-classification model; the support probability is the softmax
mass of the labels named like entailment/supported (or label 1 of a two-label model).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rag.errors import ConfigError, ModelError

__all__ = ["NliScorer", "support_label_ids"]

log = logging.getLogger(__name__)

_SUPPORT_NAMES = ("entail", "support", "consistent", "faithful", "true")


def support_label_ids(id2label: dict[int, str]) -> list[int]:
    """Which output labels mean 'supported'; a two-label model without names uses label 1."""
    named = [i for i, name in id2label.items() if any(key in str(name).lower() for key in _SUPPORT_NAMES)
             and "not" not in str(name).lower() and "non" not in str(name).lower()]
    if named:
        return sorted(named)
    if len(id2label) == 2:
        return [1]
    raise ConfigError(f"cannot tell which NLI labels mean 'supported' from {id2label} (SOURCEBRIEF_NLI_MODEL_PATH)")


class NliScorer:
    """P(premise entails claim) from a local sequence-classification model, on the CPU."""

    def __init__(self, folder: Path, max_length: int = 512, threads: int = 2) -> None:
        if not (folder / "config.json").is_file():
            raise ConfigError(f"no Hugging Face model folder at {folder} (SOURCEBRIEF_NLI_MODEL_PATH)")
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ModelError("the NLI backend needs `pip install -e .[torch]` (torch and transformers)") from exc
        torch.set_num_threads(threads)
        self._torch: Any = torch
        self.tokenizer: Any = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        self.model: Any = AutoModelForSequenceClassification.from_pretrained(str(folder), local_files_only=True)
        self.model.eval()
        self.support_ids = support_label_ids({int(k): v for k, v in self.model.config.id2label.items()})
        self.max_length = max_length
        self.name = f"nli:{folder.name}"

    def probabilities(self, pairs: list[tuple[str, str]]) -> list[float]:
        """Batched scores for (claim, passage) pairs; the passage is the premise, truncated first."""
        if not pairs:
            return []
        batch = self.tokenizer([p for _, p in pairs], [c for c, _ in pairs], truncation="only_first",
                               max_length=self.max_length, padding=True, return_tensors="pt")
        with self._torch.no_grad():
            probs = self._torch.softmax(self.model(**batch).logits, dim=-1)
        return [float(row[self.support_ids].sum()) for row in probs]

    def probability(self, claim: str, passage: str) -> float:
        return self.probabilities([(claim, passage)])[0]
