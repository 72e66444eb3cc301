"""Cellwise's in-kernel SDK: what notebook code uses to reach the platform.

The kernel never holds service credentials: everything the SDK reads or publishes comes
through files and environment the run prepares. This is the package's first slice: the
client the seeds' starter cells create. Datasets, enrichment and models arrive with the
datasets issue; until then ``get_dataset`` says plainly that none is available.
"""

__all__ = ["ProcessMiningClient", "DatasetUnavailableError", "__version__"]
__version__ = "0.1.0"


class DatasetUnavailableError(RuntimeError):
    """The run has no dataset to read."""


class ProcessMiningClient:
    """The platform client of a notebook run (``from mindzie_sdk import ProcessMiningClient``)."""

    def __init__(self):
        self.dataset_id = None

    def get_dataset(self, dataset_id=None):
        raise DatasetUnavailableError(
            "No dataset is available to this run: this deployment does not stage datasets yet"
            + (f" (asked for {dataset_id})" if dataset_id else "")
        )

    def __repr__(self):
        return "ProcessMiningClient()"
