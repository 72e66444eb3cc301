/**
 * After an overloaded run a server still works through requests the load generator gave up
 * on. Before the next scenario, wait until a single probe request is fast again (three in a
 * row under `thresholdMs`), so one scenario's backlog does not leak into the next.
 */
export async function waitIdle(
  url: string,
  headers: Record<string, string>,
  thresholdMs = 100,
  maxSeconds = 180,
): Promise<{ seconds: number; idle: boolean }> {
  const started = performance.now();
  let fast = 0;
  while (performance.now() - started < maxSeconds * 1000) {
    const t = performance.now();
    const ok = await fetch(url, { headers, signal: AbortSignal.timeout(maxSeconds * 1000) })
      .then(async (res) => {
        await res.arrayBuffer();
        return res.ok;
      })
      .catch(() => false);
    fast = ok && performance.now() - t < thresholdMs ? fast + 1 : 0;
    if (fast >= 3) return { seconds: (performance.now() - started) / 1000, idle: true };
    await new Promise((r) => setTimeout(r, 200));
  }
  return { seconds: (performance.now() - started) / 1000, idle: false };
}
