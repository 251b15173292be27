"""Where guides are kept: one JSON file per document content hash and guide key, written atomically."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from rag.guide.types import SourceGuide

__all__ = ["GuideCache"]

log = logging.getLogger(__name__)


class GuideCache:
    """`<folder>/<document id>-<guide key>.json`: the id is the hash of the file's bytes and the key hashes
    everything that shapes a guide (settings, model, prompts, verifier), so an unchanged document is never
    summarised twice and a changed one (a new id) gets a new guide."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, doc_id: str, key: str) -> Path:
        return self.folder / f"{doc_id}-{key}.json"

    def load(self, path: Path) -> SourceGuide | None:
        """The cached guide, or None when there is none or it cannot be read (it is then written again)."""
        if not path.is_file():
            return None
        try:
            return SourceGuide.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("regenerating unreadable guide %s: %s", path, exc)
            return None

    def save(self, path: Path, guide: SourceGuide) -> None:
        """Write through a temporary file and rename, so a reader never sees half a guide."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(guide.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)
