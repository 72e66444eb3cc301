"""The seeds' import name for Cellwise's in-kernel SDK (``from mindzie_sdk import ProcessMiningClient``)."""

from cellwise import DatasetUnavailableError, ProcessMiningClient, __version__

__all__ = ["ProcessMiningClient", "DatasetUnavailableError", "__version__"]
