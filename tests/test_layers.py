"""Architecture rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

from rag.config import REPO_ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_library_never_imports_the_ui_or_gradio() -> None:
    for path in (REPO_ROOT / "rag").rglob("*.py"):
        bad = _imports(path) & {"gradio", "ui", "fastapi"}
        assert not bad, f"{path.relative_to(REPO_ROOT)} imports {bad}"


def test_only_the_config_module_reads_the_environment() -> None:
    for path in (REPO_ROOT / "rag").rglob("*.py"):
        if path.name == "config.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv" not in text, path.name


def test_library_uses_logging_not_print() -> None:
    for path in (REPO_ROOT / "rag").rglob("*.py"):
        if path.name == "cli.py":
            continue
        calls = [n for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "print"]
        assert not calls, f"print() in {path.name}"
