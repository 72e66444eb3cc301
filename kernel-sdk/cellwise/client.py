"""The platform client of a notebook run.

Everything goes through files in the kernel's working directory: the run's staging file
``.cellwise/run.json`` (dataset id, version, column roles and the path of that one version,
which the kernel host staged beside it) and the outbox ``.cellwise/outbox/`` that the service
collects when the run ends (published frames, models). The kernel holds no service
credentials, no links, and needs no network.
"""

import json
import math
import os
import pickle
import re

RUN_FILE = os.path.join(".cellwise", "run.json")
OUTBOX = os.path.join(".cellwise", "outbox")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

# Datasets read by this kernel, per (dataset id, version): a second get_dataset is free.
_frames = {}


class DatasetUnavailableError(RuntimeError):
    """The run has no dataset to read (or not the one asked for)."""


def _staged():
    """The run's staging file, or None when the run has none (no dataset)."""
    try:
        with open(RUN_FILE, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def _check_name(name):
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(
            f"name must be 1-100 letters, digits, '_', '.' or '-' (starting with a letter or digit), got {name!r}"
        )
    return name


def _json_safe(value):
    """Numbers, strings, lists and dicts as JSON has them (numpy scalars and arrays included)."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _json_safe(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _write_atomically(path, write, mode="w"):
    tmp = f"{path}.tmp"
    with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
        write(f)
    os.replace(tmp, path)


def _csv_ready(df):
    """The frame with date-time columns as ISO-8601 UTC text (what the service reads back)."""
    import pandas as pd

    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            utc = series.dt.tz_localize("UTC") if series.dt.tz is None else series.dt.tz_convert("UTC")
            out[column] = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str[:-3] + "Z"
    return out


class ProcessMiningClient:
    """The platform client of a notebook run (``from mindzie_sdk import ProcessMiningClient``)."""

    def __init__(self):
        staged = _staged() or {}
        dataset = staged.get("dataset") or {}
        self.dataset_id = dataset.get("datasetId")
        self.dataset_version = dataset.get("version")

    def get_dataset(self, dataset_id=None):
        """The run's dataset as a pandas DataFrame, its timestamp column parsed (UTC).

        ``dataset_id`` may name the run's own dataset (bound to the notebook or passed as the
        ``dataset_id`` parameter); any other id is refused. Read once per kernel, then cached
        (each call returns a copy).
        """
        staged = (_staged() or {}).get("dataset")
        if not staged:
            raise DatasetUnavailableError(
                "No dataset is available to this run: the notebook has no dataset binding and the run "
                "no dataset_id parameter, or the dataset they name does not exist in the project"
                + (f" (asked for {dataset_id})" if dataset_id else "")
            )
        if dataset_id is not None and dataset_id != staged["datasetId"]:
            raise DatasetUnavailableError(
                f"Dataset {dataset_id} is not available to this run: a run reads only its own dataset "
                f"({staged['datasetId']}); pass dataset_id as a run parameter to read another one"
            )
        key = (staged["datasetId"], staged["version"])
        if key not in _frames:
            _frames[key] = self._read(staged)
        return _frames[key].copy()

    @staticmethod
    def _read(staged):
        import pandas as pd

        try:
            df = pd.read_csv(staged["file"], dtype={staged["caseIdColumn"]: str}, keep_default_na=True)
        except FileNotFoundError:
            raise DatasetUnavailableError(
                f"Dataset {staged['datasetId']} v{staged['version']} is not staged in this kernel's directory "
                f"({staged['file']} is missing)"
            ) from None
        ts = staged["timestampColumn"]
        if ts in df.columns:
            df[ts] = pd.to_datetime(df[ts], utc=True, errors="coerce")
        df.attrs.update(
            dataset_id=staged["datasetId"],
            dataset_version=staged["version"],
            caseIdColumn=staged["caseIdColumn"],
            activityColumn=staged["activityColumn"],
            timestampColumn=ts,
        )
        return df

    def publish_enriched(self, df, name="enriched", description=None):
        """Publishes a frame: stored with the run's results and, in enrichment mode, saved as a
        new version of the run's dataset when the run ends. Returns what was published."""
        import pandas as pd

        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"publish_enriched needs a pandas DataFrame, got {type(df).__name__}")
        _check_name(name)
        os.makedirs(OUTBOX, exist_ok=True)
        data = f"frame-{name}.csv"
        _write_atomically(os.path.join(OUTBOX, data), lambda f: _csv_ready(df).to_csv(f, index=False))
        columns = [str(c) for c in df.columns]
        manifest = {
            "kind": "frame",
            "name": name,
            "file": data,
            "recordCount": int(len(df)),
            "columns": columns,
            "description": description,
        }
        _write_atomically(os.path.join(OUTBOX, f"frame-{name}.json"), lambda f: json.dump(manifest, f))
        staged = set(((_staged() or {}).get("dataset") or {}).get("columns") or [])
        return {
            "name": name,
            "recordCount": manifest["recordCount"],
            "columns": columns,
            "newColumns": [c for c in columns if staged and c not in staged],
        }

    def log_model(self, model, name, metrics=None, features=None):
        """Saves a model (pickled) with its metrics and features, stored with the run's results."""
        _check_name(name)
        if metrics is not None and not isinstance(metrics, dict):
            raise TypeError("metrics must be a dict")
        os.makedirs(OUTBOX, exist_ok=True)
        data = f"model-{name}.pkl"
        _write_atomically(os.path.join(OUTBOX, data), lambda f: pickle.dump(model, f), mode="wb")
        cls = type(model)
        manifest = {
            "kind": "model",
            "name": name,
            "file": data,
            "modelType": cls.__qualname__,  # as the seeds show it: "RandomForestClassifier"
            "metrics": _json_safe(metrics or {}),
            "features": [str(f) for f in (features if features is not None else [])],
        }
        _write_atomically(os.path.join(OUTBOX, f"model-{name}.json"), lambda f: json.dump(manifest, f))
        return {k: manifest[k] for k in ("name", "modelType", "metrics", "features")}

    def log_metrics(self, metrics):
        """Shows metrics as an ``application/json`` output of the cell (listed in the run's results)."""
        if not isinstance(metrics, dict):
            raise TypeError("metrics must be a dict")
        from IPython.display import display

        display({"application/json": _json_safe(metrics)}, raw=True)

    def __repr__(self):
        return f"ProcessMiningClient(dataset_id={self.dataset_id!r})"
