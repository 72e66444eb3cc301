"""Cellwise's in-kernel SDK: what notebook code uses to reach the platform.

The kernel never holds service credentials: everything the SDK reads or publishes goes
through files the run prepares (``.cellwise/run.json`` and the run's dataset version, staged
beside the kernel by the kernel host) and collects when it ends (``.cellwise/outbox/``: published
frames and models). See ``cellwise.client``.
"""

from cellwise.client import DatasetUnavailableError, ProcessMiningClient

__all__ = ["ProcessMiningClient", "DatasetUnavailableError", "__version__"]
__version__ = "0.2.0"
