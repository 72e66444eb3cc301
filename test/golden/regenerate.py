#!/usr/bin/python3
"""Writes the golden notebooks' expected outputs with nbclient (Debian's python3-nbclient).

    /usr/bin/python3 test/golden/regenerate.py [name ...]

Each notebooks/<name>.ipynb is executed the way nbclient executes it (allow_errors off,
stdin refused, timing recorded) and the result, outputs as nbclient writes them, goes to
expected/<name>.ipynb. `cases.json` gives per-case nbclient options: `timeout` (seconds per
cell, interrupting on expiry, as a Cellwise `cellTimeout` or a cancel interrupts) and
`allow_errors` (every cell runs despite errors, as a Cellwise `allowErrors: true` run). A case
whose run has `parameters` gets them injected first as papermill does (its translator for the
notebook's language, vendored in test/fixtures/papermill_translator.py: after the cell tagged
`parameters`, a cell tagged `injected-parameters`). The kernel is the notebook's kernelspec,
found first among the kernel host's own (kernel-host/share/jupyter: python3, scala). A run
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
ROOT = os.path.dirname(os.path.dirname(HERE))
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [os.path.join(ROOT, "kernel-host", "share", "jupyter"), *filter(None, [os.environ.get("JUPYTER_PATH")])]
)
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures"))

from papermill_translator import TRANSLATORS  # noqa: E402


def inject(nb, parameters):
    """papermill's parameterize_notebook: the parameters cell after the one tagged `parameters`."""
    language = nb.metadata.kernelspec.language.lower()
    source = TRANSLATORS[language].codify(parameters)
    cell = nbformat.v4.new_code_cell(source, id="injected-parameters")
    cell.metadata["tags"] = ["injected-parameters"]
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def run(name, options, parameters=None):
    nb = nbformat.read(os.path.join(HERE, "notebooks", f"{name}.ipynb"), as_version=4)
    if parameters:
        inject(nb, parameters)
    with tempfile.TemporaryDirectory() as cwd:
        client = NotebookClient(
            nb,
            kernel_name=nb.metadata.kernelspec.name,
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
        case = cases[name]
        outcome = run(name, case.get("nbclient", {}), case.get("execute", {}).get("parameters"))
        print(f"{name}: {outcome}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
