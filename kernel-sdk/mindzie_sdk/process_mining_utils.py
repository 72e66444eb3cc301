"""``from mindzie_sdk import process_mining_utils``: the seeds' name for ``cellwise.process_mining_utils``."""

from cellwise.process_mining_utils import *  # noqa: F401,F403
from cellwise.process_mining_utils import __all__  # noqa: F401
