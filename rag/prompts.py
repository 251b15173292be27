"""Versioned prompt files in `prompts/`: front matter (name, version, variables) + [system]/[user] parts.

Placeholders in the text must be exactly the declared variables, checked at load time, so a
prompt edit cannot silently drop or invent an input.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel

from rag.errors import ConfigError

__all__ = ["REFUSAL", "Prompt", "load_prompt"]

#: The one refusal sentence shared by prompts, chain and tests.
REFUSAL = "The sources do not contain enough information to answer this question."

_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_PART = re.compile(r"^\[(system|user)\]\s*$", re.M)


class Prompt(BaseModel):
    name: str
    version: str
    variables: tuple[str, ...]
    system: str
    user: str

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def render(self, **values: str) -> tuple[str, str]:
        """(system, user) with variables filled; every declared variable must be given."""
        missing = set(self.variables) - set(values)
        if missing:
            raise ConfigError(f"prompt {self.ref} needs {sorted(missing)}")
        values = {**values, "refusal": REFUSAL}
        return self.system.format(**values), self.user.format(**values)


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@lru_cache(maxsize=64)
def _load(path: Path, mtime: float) -> Prompt:
    match = _FRONT.match(path.read_text(encoding="utf-8"))
    if match is None:
        raise ConfigError(f"prompt {path} has no front matter (--- name/version/variables ---)")
    meta = yaml.safe_load(match.group(1)) or {}
    pieces = _PART.split(match.group(2))
    parts = {pieces[i]: pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
    if "user" not in parts:
        raise ConfigError(f"prompt {path} has no [user] part")
    variables = tuple(meta.get("variables") or ())
    used = _placeholders(parts.get("system", "")) | _placeholders(parts["user"])
    undeclared, unused = used - set(variables) - {"refusal"}, set(variables) - used
    if undeclared or unused:
        raise ConfigError(f"prompt {path}: placeholders {sorted(used)} do not match variables {sorted(variables)}")
    return Prompt(name=str(meta.get("name", path.stem)), version=str(meta.get("version", "0")),
                  variables=variables, system=parts.get("system", ""), user=parts["user"])


def load_prompt(prompts_dir: Path, name: str) -> Prompt:
    """Load and check `prompts_dir/name.md` (cached until the file changes)."""
    path = prompts_dir / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"prompt file {path} not found (SOURCEBRIEF_PROMPTS_DIR)")
    return _load(path, path.stat().st_mtime)
