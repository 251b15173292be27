"""sourcebrief's library: ingestion, storage, retrieval and answering. No UI imports here."""

__all__ = ["__version__"]

__version__ = "0.1.0"
