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


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_library_never_imports_the_ui_or_gradio() -> None:
    for path in (REPO_ROOT / "rag").rglob("*.py"):
        if path.name == "cli.py":
            continue
        bad = _imports(path) & {"gradio", "ui", "fastapi"}
        assert not bad, f"{path.relative_to(REPO_ROOT)} imports {bad}"


def test_library_never_imports_the_evaluation_harness_and_the_harness_never_imports_the_ui() -> None:
    """`rag` (its CLI included) does not depend on `evals`: the eval commands are mounted through an entry
    point. `evals` measures the library, never the app."""
    library = list((REPO_ROOT / "rag").rglob("*.py"))
    harness = list((REPO_ROOT / "evals").rglob("*.py"))
    assert len(library) > 20 and len(harness) > 5
    for path in library:
        assert "evals" not in _imports(path), f"{path.relative_to(REPO_ROOT)} imports evals"
    for path in harness:
        bad = _imports(path) & {"gradio", "ui", "fastapi"}
        assert not bad, f"{path.relative_to(REPO_ROOT)} imports {bad}"


def test_the_eval_commands_are_mounted_on_the_sourcebrief_entry_point() -> None:
    from typer.main import get_command

    from rag.cli import app

    group = get_command(app)
    assert "eval" in group.commands  # type: ignore[attr-defined]
    assert {"run", "judge", "compare"} <= set(group.commands["eval"].commands)  # type: ignore[attr-defined]


def test_cli_loads_the_app_only_in_its_serve_command() -> None:
    """The CLI is the edge and may start the app, but `sourcebrief ask` must not import gradio."""
    cli = REPO_ROOT / "rag" / "cli.py"
    assert not _top_level_imports(cli) & {"gradio", "ui", "fastapi"}
    tree = ast.parse(cli.read_text(encoding="utf-8"))
    for fn in (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name != "serve"):
        inner = {m.module.split(".")[0] for m in ast.walk(fn) if isinstance(m, ast.ImportFrom) and m.module}
        assert not inner & {"gradio", "ui", "fastapi"}, fn.name


def test_ui_calls_the_library_only_through_the_service() -> None:
    allowed = {"rag.service", "rag.errors", "rag.types", "rag.render", "rag.answer", "rag.config",
               "rag.brief", "rag.brief.render", "rag.brief.pipeline", "rag.guide",
               "rag.notebooks", "rag.notes"}  # their models, constants and the footnote walk; the work is the service's
    for path in (REPO_ROOT / "ui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
                and n.module.startswith("rag")}
        assert used <= allowed, f"{path.name} reaches into {used - allowed}"


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
