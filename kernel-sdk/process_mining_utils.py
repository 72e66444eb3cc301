"""``import process_mining_utils``: the seeds list it as a custom library of the kernel.

The same functions as ``cellwise.process_mining_utils`` (variants, case_durations,
cycle_times, directly_follows, bottlenecks, plot_dfg, summary).
"""

from cellwise.process_mining_utils import *  # noqa: F401,F403
from cellwise.process_mining_utils import __all__  # noqa: F401
