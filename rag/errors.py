"""The small exception tree every layer raises; the CLI turns it into one line and an exit code."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "ModelError",
    "NotFoundError",
    "SourcebriefError",
    "StoreError",
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
