"""Starts the kernel host's launcher (see cellwise_launcher/main.py).

Run with ``/usr/bin/python3 -I launcher.py ...``: isolated mode, so nothing from the
environment, the current directory or a user's site-packages is ever imported by the one
process of the kernel host that runs as root; only this directory is added to the path.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cellwise_launcher.main import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
