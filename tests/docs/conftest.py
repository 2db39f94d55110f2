"""The real LRS of the xAPI tests, for the README's learning-records example."""

from tests.xapi.conftest import lrs, xapi_site  # noqa: F401 - fixtures, re-exported
