/** Durations and sizes in the seeds' human form ("0.5 seconds", "17 minutes", "2.3 GB"). */

const round1 = (n: number) => Math.round(n * 10) / 10;

function unitOf(seconds: number): { size: number; name: string } {
  if (seconds < 90) return { size: 1, name: 'seconds' };
  if (seconds < 90 * 60) return { size: 60, name: 'minutes' };
  return { size: 3600, name: 'hours' };
}

/** `0.018 seconds`, `0.5 seconds`, `17 minutes`, `1.5 hours` (two significant digits below a second). */
export function formatDuration(seconds: number): string {
  const unit = unitOf(seconds);
  const value = seconds > 0 && seconds < 1 ? Number(seconds.toPrecision(2)) : round1(seconds / unit.size);
  return `${value} ${value === 1 ? unit.name.slice(0, -1) : unit.name}`;
}

/**
 * A range in the seed's form (`15-20 minutes`) from durations measured before, in the unit of
 * the longest; `about 3 seconds` when they agree at that precision.
 */
export function formatDurationRange(lowSeconds: number, highSeconds: number): string {
  const unit = unitOf(highSeconds);
  const precision = unit.size === 1 && highSeconds < 10 ? 10 : 1;
  const low = Math.floor((lowSeconds / unit.size) * precision) / precision;
  const high = Math.ceil((highSeconds / unit.size) * precision) / precision;
  if (low === high) return `about ${high} ${high === 1 ? unit.name.slice(0, -1) : unit.name}`;
  return `${low}-${high} ${unit.name}`;
}

const BYTE_UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'];

/** `450 MB`, `2.3 GB` (powers of 1024, one decimal below 10). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? value : value < 10 ? round1(value) : Math.round(value);
  return `${shown} ${BYTE_UNITS[unit]}`;
}
