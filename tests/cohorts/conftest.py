"""The reports' hand-checked world (tests/reports/conftest.py) serves the cohort tests too."""

from tests.reports.conftest import world

__all__ = ["world"]
