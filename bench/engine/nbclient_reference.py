#!/usr/bin/python3
"""The benchmark's reference: Debian's nbclient executing a notebook, kernel start included.

    /usr/bin/python3 bench/engine/nbclient_reference.py NOTEBOOK.ipynb

Prints one JSON line: {"seconds": wall time from creating the client to the executed
notebook, kernel start and shutdown included, "cells": code cells executed, "text": the
stream text the cells printed (where the benchmark finds the kernel's clocks)}.
"""

import json
import os
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient


def main(path):
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as cwd:
        started = time.perf_counter()
        client = NotebookClient(nb, kernel_name="python3", timeout=3600, resources={"metadata": {"path": cwd}})
        client.execute()
        seconds = time.perf_counter() - started
    cells = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
    text = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "stream"
    )
    print(json.dumps({"seconds": seconds, "cells": cells, "text": text}))


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    main(sys.argv[1])
