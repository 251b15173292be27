"""The documentation tells the truth about the code: generated pages are current, and the README lists only
commands and settings that exist."""

from __future__ import annotations

import re
import subprocess
import sys

from rag.config import REPO_ROOT, Settings

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_the_generated_command_and_settings_pages_match_the_code() -> None:
    done = subprocess.run([sys.executable, str(REPO_ROOT / "docs" / "generate.py"), "--check"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_readme_is_short_and_names_only_real_commands_and_settings() -> None:
    words = len(re.findall(r"\S+", README))
    assert words < 1500, f"README has {words} words"
    commands = (REPO_ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    known = set(re.findall(r"^## `(sourcebrief[^`]*)`", commands, re.M))
    named = set(re.findall(r"`(sourcebrief (?:eval |sources |model )?[a-z]+)", README))
    assert named, "the README shows no command"
    for command in named:
        assert any(k == command or k.startswith(command + " ") for k in known), command
    settings = set(re.findall(r"SOURCEBRIEF_([A-Z_]+)", README))
    assert settings, "the README names no setting"
    assert {s.lower() for s in settings} <= set(Settings.model_fields), settings - {
        s.upper() for s in Settings.model_fields}
