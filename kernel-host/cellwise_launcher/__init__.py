"""The kernel host's privileged launcher: see main.py."""
