"""Eval suites: YAML or JSONL files of cases, validated when loaded."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError

from rag.errors import InputError
from rag.types import ChatTurn

__all__ = ["Case", "Suite", "is_judge_suite", "load_suite"]


class Case(BaseModel):
    """One question with what a correct answer must do."""

    id: str
    question: str
    history: list[ChatTurn] = Field(default_factory=list, description="Earlier turns, for follow-ups.")
    answerable: bool = Field(description="False: the sources do not answer it, or its premise is false.")
    reference: str = ""
    key_facts: list[str] = Field(default_factory=list, description="Facts a correct answer states.")
    expected_sources: list[str] = Field(default_factory=list, description="File names that support the answer.")
    tags: list[str] = Field(default_factory=list)

    def fingerprint(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:12]


class Suite(BaseModel):
    name: str
    path: str
    description: str = ""
    cases: list[Case]


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read suite {path}: {exc}") from exc
    if path.suffix == ".jsonl":
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        return {"name": path.stem, "cases": rows}
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise InputError(f"{path}: a suite is a mapping with a `cases` list")
    return data


def is_judge_suite(path: Path) -> bool:
    """A JSONL of labelled (premise, claim, label) pairs: scored with `eval judge`'s metrics."""
    if path.suffix != ".jsonl":
        return False
    first = next((line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()), "{}")
    try:
        row = json.loads(first)
    except json.JSONDecodeError:
        return False
    return isinstance(row, dict) and {"premise", "claim", "label"} <= set(row)


def load_suite(path: Path) -> Suite:
    """Load and check a suite; the first problem is a one-line InputError naming the case."""
    data = _read(path)
    cases = []
    for i, raw in enumerate(data["cases"]):
        try:
            cases.append(Case.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            name = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
            raise InputError(f"{path}: case {name}: {where}: {first['msg']}") from exc
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise InputError(f"{path}: duplicate case ids: {', '.join(duplicates)}")
    if not cases:
        raise InputError(f"{path}: the suite has no cases")
    return Suite(name=str(data.get("name", path.stem)), path=str(path), description=str(data.get("description", "")),
                 cases=cases)
