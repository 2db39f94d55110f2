"""Jobs used only by the worker proofs: they leave a trace a test can read."""

import os
from pathlib import Path

from django_tasks import task


@task()
def write_marker(*, path: str, text: str) -> int:
    """Append `text` and the worker's process id to the file at `path`; return that id."""
    with Path(path).open("a") as marker:
        marker.write(f"{text} {os.getpid()}\n")
    return os.getpid()
