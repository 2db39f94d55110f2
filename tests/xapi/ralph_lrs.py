"""Serve Ralph's LRS with its file-system backend, appending statements (run by .venv-lrs).

Usage: .venv-lrs/bin/python tests/xapi/ralph_lrs.py HOST PORT DATA_DIR

`ralph runserver --backend fs` (ralph-malph 5.1.0) writes each statement with the data
backend's default CREATE mode, which refuses to write once the store's file exists: the
first statement is stored and every later one answers 500. This runs the same Ralph
application (its auth, validation, idempotent PUT and query API untouched) with the one
change that the file-system LRS backend appends. Without uvicorn's reloader, so stopping
this process stops the server. Configuration is Ralph's own environment (RALPH_AUTH_FILE...).
"""

import os
import sys


def main(host: str, port: int, data_dir: str) -> None:
    # Ralph reads its settings from the environment when its modules are first imported.
    os.environ["RALPH_RUNSERVER_BACKEND"] = "fs"
    os.environ["RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH"] = data_dir
    import uvicorn
    from ralph.backends.data.base import BaseOperationType
    from ralph.backends.lrs.fs import FSLRSBackend

    FSLRSBackend.default_operation_type = BaseOperationType.APPEND
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="info")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
