"""Reading the shipped content files: a JSON list of objects, or a clear error naming the file."""

import json
from pathlib import Path


def json_objects_read(path: Path, *, error: type[Exception]) -> list[dict]:
    """Return the file's list of objects; raise `error` naming the file when it is not one."""
    try:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as missing:
        raise error(f"{path}: file not found.") from missing
    except (json.JSONDecodeError, UnicodeDecodeError) as invalid:
        raise error(f"{path}: not valid JSON ({invalid}).") from invalid
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise error(f"{path}: expected a list of objects.")
    return entries
