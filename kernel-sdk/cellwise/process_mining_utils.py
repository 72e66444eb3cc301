"""Process-mining helpers for event logs held in a pandas DataFrame.

An event log has one row per event with at least a case id, an activity and a timestamp
(defaults ``case_id``, ``activity``, ``timestamp``; every function takes the names as
``case_col``, ``activity_col``, ``timestamp_col``). Timestamps may be strings (ISO-8601) or
datetimes; they are read as UTC. Within a case, events are ordered by timestamp; events with
the same timestamp keep their order in the frame.

Durations are reported as ``pandas.Timedelta`` and, for plotting and JSON, in hours.

Only pandas, numpy and matplotlib are used (Debian's python3-pandas/-numpy/-matplotlib).

    from mindzie_sdk import process_mining_utils as pm
    pm.variants(df).head(10)
    pm.bottlenecks(df)
    pm.plot_dfg(df)
"""

import json
import os

import numpy as np
import pandas as pd

__all__ = [
    "event_columns",
    "prepare",
    "summary",
    "variants",
    "case_variants",
    "case_durations",
    "cycle_times",
    "directly_follows",
    "bottlenecks",
    "plot_dfg",
]

CASE, ACTIVITY, TIMESTAMP = "case_id", "activity", "timestamp"
_HOUR = pd.Timedelta(hours=1)


def event_columns(df):
    """The names of a log's case id, activity and timestamp columns, as keyword arguments of the
    functions here (``pm.variants(df, **pm.event_columns(df))``): the roles declared in
    ``df.attrs``, else those of the run's dataset when ``df`` came from ``client.get_dataset()``,
    else the defaults ``case_id``, ``activity``, ``timestamp``."""
    attrs = dict(getattr(df, "attrs", None) or {})
    staged = _staged_dataset()
    if staged and attrs.get("dataset_id") == staged.get("datasetId"):
        attrs = {**staged, **attrs}
    return {
        "case_col": attrs.get("case_id_column") or attrs.get("caseIdColumn") or CASE,
        "activity_col": attrs.get("activity_column") or attrs.get("activityColumn") or ACTIVITY,
        "timestamp_col": attrs.get("timestamp_column") or attrs.get("timestampColumn") or TIMESTAMP,
    }


def _staged_dataset():
    """The dataset entry of the run's staging file (``.cellwise/run.json``), or None."""
    try:
        with open(os.path.join(".cellwise", "run.json"), encoding="utf-8") as f:
            return json.load(f).get("dataset") or None
    except (OSError, ValueError, AttributeError):
        return None


def prepare(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP):
    """Returns a copy of the log with parsed UTC timestamps, sorted by case then time.

    Raises ``KeyError`` naming the missing column when one of the three is absent.
    """
    missing = [c for c in (case_col, activity_col, timestamp_col) if c not in df.columns]
    if missing:
        raise KeyError(f"column(s) not in the event log: {', '.join(map(repr, missing))}")
    out = df.copy()
    out[timestamp_col] = pd.to_datetime(out[timestamp_col], utc=True)
    out["_order"] = np.arange(len(out))
    out = out.sort_values([case_col, timestamp_col, "_order"], kind="mergesort")
    return out.drop(columns="_order").reset_index(drop=True)


def _hours(td):
    return td / _HOUR


def case_variants(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP, sep=" -> "):
    """The variant of each case: a Series (index case id) of activity sequences joined by ``sep``."""
    log = prepare(df, case_col, activity_col, timestamp_col)
    return log.groupby(case_col, sort=True)[activity_col].agg(lambda s: sep.join(map(str, s))).rename("variant")


def variants(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP, sep=" -> "):
    """Process variants (ordered activity sequences), most frequent first.

    Columns: ``variant`` (activities joined by ``sep``), ``length`` (events), ``cases``,
    ``share`` (of all cases, 0..1), ``cumulative_share``, ``mean_duration_hours``.
    Ties in frequency are ordered by variant text, so the result is deterministic.
    """
    per_case = case_variants(df, case_col, activity_col, timestamp_col, sep)
    durations = case_durations(df, case_col, activity_col, timestamp_col).set_index(case_col)
    frame = pd.DataFrame(
        {"variant": per_case, "events": durations["events"], "hours": durations["duration_hours"]}
    )
    out = (
        frame.groupby("variant")
        .agg(length=("events", "first"), cases=("hours", "size"), mean_duration_hours=("hours", "mean"))
        .reset_index()
        .sort_values(["cases", "variant"], ascending=[False, True], kind="mergesort")
        .reset_index(drop=True)
    )
    total = out["cases"].sum()
    out["share"] = out["cases"] / total if total else 0.0
    out["cumulative_share"] = out["share"].cumsum()
    return out[["variant", "length", "cases", "share", "cumulative_share", "mean_duration_hours"]]


def case_durations(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP):
    """One row per case: ``start``, ``end``, ``events``, ``duration`` (Timedelta), ``duration_hours``."""
    log = prepare(df, case_col, activity_col, timestamp_col)
    out = log.groupby(case_col, sort=True).agg(
        start=(timestamp_col, "min"), end=(timestamp_col, "max"), events=(activity_col, "size")
    )
    out["duration"] = out["end"] - out["start"]
    out["duration_hours"] = _hours(out["duration"])
    return out.reset_index()


def cycle_times(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP):
    """Cycle-time statistics over all cases, in hours: a Series with ``cases``, ``mean``,
    ``median``, ``p90``, ``min``, ``max``."""
    hours = case_durations(df, case_col, activity_col, timestamp_col)["duration_hours"]
    return pd.Series(
        {
            "cases": float(len(hours)),
            "mean": hours.mean(),
            "median": hours.median(),
            "p90": hours.quantile(0.9),
            "min": hours.min(),
            "max": hours.max(),
        },
        name="cycle_time_hours",
    )


def _transitions(df, case_col, activity_col, timestamp_col):
    """Consecutive event pairs within each case: ``source``, ``target``, ``wait_hours``."""
    log = prepare(df, case_col, activity_col, timestamp_col)
    same_case = log[case_col].eq(log[case_col].shift(-1))
    pairs = pd.DataFrame(
        {
            case_col: log[case_col],
            "source": log[activity_col],
            "target": log[activity_col].shift(-1),
            "wait_hours": _hours(log[timestamp_col].shift(-1) - log[timestamp_col]),
        }
    )[same_case]
    return pairs.reset_index(drop=True)


def directly_follows(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP):
    """The directly-follows graph: one row per edge ``source`` → ``target`` with ``count``
    (how often ``target`` directly follows ``source`` in a case), ``cases`` (in how many cases),
    ``mean_hours`` and ``median_hours`` (time between the two events). Most frequent first."""
    pairs = _transitions(df, case_col, activity_col, timestamp_col)
    out = (
        pairs.groupby(["source", "target"])
        .agg(
            count=("wait_hours", "size"),
            cases=(case_col, "nunique"),
            mean_hours=("wait_hours", "mean"),
            median_hours=("wait_hours", "median"),
        )
        .reset_index()
    )
    return out.sort_values(["count", "source", "target"], ascending=[False, True, True], kind="mergesort").reset_index(
        drop=True
    )


def bottlenecks(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP, by="transition"):
    """Waiting times between consecutive activities of a case, longest mean first.

    ``by="transition"``: one row per ``source`` → ``target`` pair; ``by="activity"``: one row per
    ``activity``, the waiting time before it (since the case's previous event). Columns:
    ``count``, ``mean_hours``, ``median_hours``, ``max_hours``, ``total_hours``.
    """
    if by not in ("transition", "activity"):
        raise ValueError("by must be 'transition' or 'activity'")
    pairs = _transitions(df, case_col, activity_col, timestamp_col)
    keys = ["source", "target"] if by == "transition" else ["target"]
    out = (
        pairs.groupby(keys)
        .agg(
            count=("wait_hours", "size"),
            mean_hours=("wait_hours", "mean"),
            median_hours=("wait_hours", "median"),
            max_hours=("wait_hours", "max"),
            total_hours=("wait_hours", "sum"),
        )
        .reset_index()
    )
    if by == "activity":
        out = out.rename(columns={"target": "activity"})
        keys = ["activity"]
    return out.sort_values(["mean_hours", *keys], ascending=[False] + [True] * len(keys), kind="mergesort").reset_index(
        drop=True
    )


def summary(df, case_col=CASE, activity_col=ACTIVITY, timestamp_col=TIMESTAMP):
    """Headline numbers of a log as a plain dict (JSON-friendly)."""
    log = prepare(df, case_col, activity_col, timestamp_col)
    cycle = cycle_times(log, case_col, activity_col, timestamp_col) if len(log) else None
    return {
        "events": int(len(log)),
        "cases": int(log[case_col].nunique()),
        "activities": int(log[activity_col].nunique()),
        "variants": int(case_variants(log, case_col, activity_col, timestamp_col).nunique()) if len(log) else 0,
        "start": log[timestamp_col].min().isoformat() if len(log) else None,
        "end": log[timestamp_col].max().isoformat() if len(log) else None,
        "mean_cycle_time_hours": float(cycle["mean"]) if cycle is not None else None,
        "median_cycle_time_hours": float(cycle["median"]) if cycle is not None else None,
    }


from cellwise._dfg_plot import plot_dfg  # noqa: E402  (kept in its own module for size)
