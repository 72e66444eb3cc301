#!/usr/bin/python3
"""Writes the golden notebooks' expected outputs with nbclient (Debian's python3-nbclient).

    /usr/bin/python3 test/golden/regenerate.py [name ...]

Each notebooks/<name>.ipynb is executed the way nbclient executes it (allow_errors off,
stdin refused, timing recorded) and the result, outputs as nbclient writes them, goes to
expected/<name>.ipynb. `cases.json` gives per-case nbclient options: `timeout` (seconds per
cell, interrupting on expiry, as a Cellwise `cellTimeout` or a cancel interrupts) and
`allow_errors` (every cell runs despite errors, as a Cellwise `allowErrors: true` run). A run
that stops (a cell error, a timeout, a dead kernel) is saved as it stood, as Cellwise keeps
the outputs so far. The test (test/integration/golden-notebooks.test.ts) compares the
service's executed notebooks with these after normalising volatile fields.
"""

import json
import os
import sys
import tempfile

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

HERE = os.path.dirname(os.path.abspath(__file__))


def run(name, options):
    nb = nbformat.read(os.path.join(HERE, "notebooks", f"{name}.ipynb"), as_version=4)
    with tempfile.TemporaryDirectory() as cwd:
        client = NotebookClient(
            nb,
            kernel_name="python3",
            timeout=options.get("timeout", 600),
            interrupt_on_timeout=True,
            allow_errors=options.get("allow_errors", False),
            resources={"metadata": {"path": cwd}},
        )
        try:
            client.execute()
            outcome = "completed"
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
            outcome = type(error).__name__
    nbformat.write(nb, os.path.join(HERE, "expected", f"{name}.ipynb"))
    return outcome


def main(names):
    with open(os.path.join(HERE, "cases.json")) as f:
        cases = json.load(f)
    for name in names or sorted(cases):
        print(f"{name}: {run(name, cases[name].get('nbclient', {}))}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
