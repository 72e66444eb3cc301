"""Draws a directly-follows graph with matplotlib only (no graphviz)."""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch

CASE, ACTIVITY, TIMESTAMP = "case_id", "activity", "timestamp"


def _node_positions(log, case_col, activity_col, activities):
    """Activities in layers by their median position within cases; layers top to bottom."""
    rank = log.groupby(case_col).cumcount()
    depth = rank.groupby(log[activity_col]).median()
    layers = {}
    for activity in sorted(activities, key=lambda a: (depth.get(a, 0), str(a))):
        layers.setdefault(int(round(depth.get(activity, 0))), []).append(activity)
    positions = {}
    for row, (_, names) in enumerate(sorted(layers.items())):
        for i, name in enumerate(names):
            positions[name] = ((i - (len(names) - 1) / 2) * 3.0, -row * 1.6)
    return positions


def plot_dfg(
    df,
    case_col=CASE,
    activity_col=ACTIVITY,
    timestamp_col=TIMESTAMP,
    metric="count",
    max_edges=40,
    ax=None,
    title="Directly-follows graph",
):
    """Plots the directly-follows graph of an event log and returns the matplotlib Figure.

    Nodes are activities (with their event counts), laid out top to bottom by where they
    usually occur in a case; an arrow ``a → b`` means ``b`` directly followed ``a``. Arrow width
    grows with the edge's count; the label shows ``metric``: ``"count"`` or ``"mean_hours"``
    (mean time between the two events). Only the ``max_edges`` most frequent edges are drawn;
    repetitions of an activity (self-loops) are noted in the node label.
    """
    from cellwise.process_mining_utils import directly_follows, prepare

    if metric not in ("count", "mean_hours"):
        raise ValueError("metric must be 'count' or 'mean_hours'")
    log = prepare(df, case_col, activity_col, timestamp_col)
    dfg = directly_follows(log, case_col, activity_col, timestamp_col)
    if max_edges is not None:
        dfg = dfg.head(max_edges)
    counts = log[activity_col].value_counts()
    positions = _node_positions(log, case_col, activity_col, list(counts.index))
    if ax is None:
        rows = [p[1] for p in positions.values()]
        widest = max((rows.count(y) for y in set(rows)), default=1)
        width, height = max(8.0, 3.2 * widest), max(4.0, 1.3 * (len(set(rows)) + 1))
        fig, ax = plt.subplots(figsize=(min(width, 18.0), min(height, 20.0)))
    else:
        fig = ax.figure
    top = float(dfg["count"].max()) if len(dfg) else 1.0
    loops = dict(zip(dfg.loc[dfg.source == dfg.target, "source"], dfg.loc[dfg.source == dfg.target, "count"]))
    for edge in dfg[dfg.source != dfg.target].itertuples(index=False):
        (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
        backwards = y2 > y1 or (y2 == y1 and x2 < x1)
        arrow = FancyArrowPatch(
            (x1, y1),
            (x2, y2),
            arrowstyle="-|>",
            mutation_scale=12,
            linewidth=0.6 + 3.4 * edge.count / top,
            color="#c0392b" if backwards else "#34495e",
            alpha=0.75,
            shrinkA=18,
            shrinkB=18,
            connectionstyle=f"arc3,rad={0.35 if backwards else 0.08}",
        )
        ax.add_patch(arrow)
        label = f"{edge.count}" if metric == "count" else f"{edge.mean_hours:.1f} h"
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        ax.text(mx, my, label, fontsize=7, ha="center", va="center", color="#2c3e50",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    for name, (x, y) in positions.items():
        text = f"{name}\n{counts[name]} events"
        if name in loops:
            text += f" · ↻{loops[name]}"
        ax.text(x, y, text, ha="center", va="center", fontsize=8,
                bbox={"boxstyle": "round,pad=0.4", "fc": "#eaf2f8", "ec": "#2874a6"})
    xs = [p[0] for p in positions.values()] or [0.0]
    ys = [p[1] for p in positions.values()] or [0.0]
    ax.set_xlim(min(xs) - 2.2, max(xs) + 2.2)
    ax.set_ylim(min(ys) - 1.0, max(ys) + 1.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


__all__ = ["plot_dfg"]
