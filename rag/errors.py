"""The small exception tree every layer raises; the CLI turns it into one line and an exit code."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "ModelError",
    "NotFoundError",
    "SourcebriefError",
    "StoreError",
    "model_failure",
]


class SourcebriefError(Exception):
    """Base of every error the library raises on purpose. `str()` is a one-line message."""

    exit_code = 1


class ConfigError(SourcebriefError):
    """A setting is missing or wrong; the message names the setting to fix."""

    exit_code = 2


class InputError(SourcebriefError):
    """A file or question the user gave cannot be used (empty, binary, too large, ...)."""

    exit_code = 3


class ModelError(SourcebriefError):
    """An embedding or chat model could not be prepared, loaded or reached."""

    exit_code = 4


class StoreError(SourcebriefError):
    """The vector store could not be opened, reached or written."""

    exit_code = 5


class NotFoundError(SourcebriefError):
    """A document or other object named by id does not exist."""

    exit_code = 6


def model_failure(exc: Exception, hint: str, where: str = "") -> ModelError:
    """A chat model call that failed (provider SDKs raise many types; all mean the call failed), as one line:
    "the chat model failed <where> (<type>: <detail>); <hint>"."""
    detail = " ".join(str(exc).split())[:160]
    place = f" {where}" if where else ""
    return ModelError(f"the chat model failed{place} ({type(exc).__name__}: {detail}); {hint}")
