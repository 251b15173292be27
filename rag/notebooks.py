"""Notebooks: named collections side by side, each with its own documents, guides, briefings, notes and eval runs.

The registry lives in the store itself (a collection `<collection>__notebooks`), so an embedded store and a
Chroma server both hold it and every process sees the same notebooks. A notebook is keyed by a stable id, never
by its display name: renaming touches nothing else. The `default` notebook is the collection as it was before
notebooks existed (same Chroma collection, files straight under the data folder), so existing stores and the
README's two commands work unchanged; it is always listed and cannot be deleted.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from rag.errors import InputError, NotFoundError, StoreError
from rag.store import GuardedMethods

__all__ = ["DEFAULT", "Notebook", "NotebookRegistry", "notebook_collection", "notebook_dir"]

DEFAULT = "default"
_MAX_NAME = 80
_ID = re.compile(r"[0-9a-f]{10}")


class Notebook(BaseModel):
    """A notebook: its stable id (names its store collections and folder) and its display name."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    created_at: str = ""


def notebook_collection(base: str, notebook_id: str) -> str:
    """The Chroma collection of a notebook's chunks (its records are in `<that>__documents`)."""
    return base if notebook_id == DEFAULT else f"{base}-nb-{notebook_id}"


def notebook_dir(data_dir: Path, notebook_id: str) -> Path:
    """Where a notebook's guides, briefings, notes and eval runs are kept (an id that is not one this module
    made is refused: the folder is deleted with its notebook)."""
    if notebook_id == DEFAULT:
        return data_dir
    if not _ID.fullmatch(notebook_id):
        raise StoreError(f"malformed notebook id {notebook_id!r} in the store's notebook list")
    return data_dir / "notebooks" / notebook_id


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputError("a notebook needs a name")
    if len(name) > _MAX_NAME:
        raise InputError(f"notebook names are at most {_MAX_NAME} characters")
    if any(not ch.isprintable() for ch in name):
        raise InputError("a notebook name cannot hold control characters")
    return name


class NotebookRegistry(metaclass=GuardedMethods):
    """The notebooks of one store (`client`) whose default collection is `base`."""

    def __init__(self, client: Any, base: str) -> None:
        self._client = client
        self.base = base
        self._collection: Any = None

    def _rows(self) -> Any:
        if self._collection is None:
            self._collection = self._client.get_or_create_collection(f"{self.base}__notebooks",
                                                                     embedding_function=None)
        return self._collection

    def all(self) -> list[Notebook]:
        """Every notebook, the default one first, then by creation."""
        got = self._rows().get(include=["metadatas"])
        stored = [Notebook(id=i, name=str(m["name"]), created_at=str(m.get("created_at", "")))
                  for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)]
        default = next((n for n in stored if n.id == DEFAULT), Notebook(id=DEFAULT, name=DEFAULT))
        return [default, *sorted((n for n in stored if n.id != DEFAULT), key=lambda n: (n.created_at, n.id))]

    def resolve(self, ref: str) -> Notebook:
        """A notebook by id or by name (names compare without case)."""
        ref = " ".join(ref.split())
        notebooks = self.all()
        found = next((n for n in notebooks if n.id == ref), None) or \
            next((n for n in notebooks if n.name.lower() == ref.lower()), None)
        if found is None:
            raise NotFoundError(f"no notebook {ref!r} (see `sourcebrief notebook list`; "
                                "`sourcebrief notebook create NAME` makes one)")
        return found

    def _check_free(self, name: str, notebooks: list[Notebook], keep: str | None = None) -> None:
        for other in notebooks:
            if other.id != keep and (other.name.lower() == name.lower() or other.id == name):
                raise InputError(f"a notebook named {name!r} exists already")

    def create(self, name: str) -> Notebook:
        name = _clean_name(name)
        self._check_free(name, self.all())
        notebook = Notebook(id=uuid.uuid4().hex[:10], name=name,
                            created_at=datetime.now(UTC).isoformat(timespec="seconds"))
        self._save(notebook)
        return notebook

    def rename(self, ref: str, name: str) -> Notebook:
        notebook = self.resolve(ref)
        name = _clean_name(name)
        self._check_free(name, self.all(), keep=notebook.id)
        renamed = notebook.model_copy(update={"name": name})
        self._save(renamed)
        return renamed

    def forget(self, notebook_id: str) -> None:
        """Remove a notebook from the registry (its data is the caller's to delete first)."""
        self._rows().delete(ids=[notebook_id])

    def _save(self, notebook: Notebook) -> None:
        self._rows().upsert(ids=[notebook.id], embeddings=[[1.0]], documents=[notebook.name],
                            metadatas=[{"name": notebook.name, "created_at": notebook.created_at or "-"}])
