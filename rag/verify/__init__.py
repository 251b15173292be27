"""Faithfulness verification: does each claim follow from the passages it cites?"""

from rag.verify.checks import CheckResult, deterministic_checks

__all__ = ["CheckResult", "deterministic_checks"]
