"""A kernel's resource limits: memory, processes (tasks, threads included) and disk."""

from .protocol import INVALID, LauncherError

DEFAULTS = {"memoryMiB": 2048, "processes": 256, "diskMiB": 1024}
BOUNDS = {"memoryMiB": (128, 1 << 20), "processes": (16, 1 << 16), "diskMiB": (16, 1 << 20)}
MIB = 1 << 20


def parse(value, base=None):
    """Limits from a request (`{"memoryMiB": .., "processes": .., "diskMiB": ..}`, each optional,
    falling back to `base` or the defaults); a LauncherError names a bad field."""
    if value is None:
        value = {}
    if not isinstance(value, dict) or set(value) - set(DEFAULTS):
        raise LauncherError(INVALID, f"limits must be an object with {sorted(DEFAULTS)}")
    limits = dict(base or DEFAULTS)
    for key, (low, high) in BOUNDS.items():
        if key not in value:
            continue
        number = value[key]
        if not isinstance(number, int) or isinstance(number, bool) or not low <= number <= high:
            raise LauncherError(INVALID, f"limits.{key} must be an integer from {low} to {high}")
        limits[key] = number
    return limits


def from_environment(text):
    """The default limits of a kernel host (KERNEL_HOST_DEFAULT_LIMITS, JSON), else DEFAULTS."""
    import json

    if not text:
        return dict(DEFAULTS)
    return parse(json.loads(text))
