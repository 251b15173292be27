"""Evaluation: suites, pure metrics and runners. Depends on `rag`, never the reverse."""
