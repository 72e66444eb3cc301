import type { KernelHost, KernelRef } from './kernel.ts';

/**
 * ru_utime, ru_stime and ru_maxrss of the kernel (RUSAGE_SELF) and of what it started
 * (RUSAGE_CHILDREN), read with `getrusage` in a silent request that stores no history and
 * shows no output.
 */
const RUSAGE = '[*__import__("resource").getrusage(0)[0:3], *__import__("resource").getrusage(-1)[0:3]]';
const DEADLINE_MS = 5_000;

export interface KernelUsage {
  peakMemoryBytes: number;
  cpuTimeSeconds: number;
}

/**
 * Measures what the run's kernel used: peak resident memory (Linux reports ru_maxrss in KiB)
 * and CPU seconds (user + system, the kernel and its children). Null when the kernel cannot
 * answer (dead, hung, or not a Python kernel): nothing is estimated.
 */
export async function measureKernelUsage(
  host: KernelHost,
  ref: KernelRef,
  sessionId: string,
): Promise<KernelUsage | null> {
  if (!(await host.alive(ref).catch(() => false))) return null;
  const session = await host.connect(ref, sessionId).catch(() => null);
  if (!session) return null;
  try {
    const msgId = session.execute('', {
      silent: true,
      storeHistory: false,
      userExpressions: { usage: RUSAGE },
    });
    const until = Date.now() + DEADLINE_MS;
    while (Date.now() < until) {
      const event = await session.next(until - Date.now());
      if (event?.kind !== 'message') continue;
      const m = event.message;
      if (m.parentMsgId !== msgId || m.msgType !== 'execute_reply') continue;
      const usage = (
        m.content.user_expressions as Record<string, { status?: string; data?: Record<string, string> }>
      )?.usage;
      if (usage?.status !== 'ok') return null;
      const values = JSON.parse(usage.data?.['text/plain'] ?? 'null') as number[] | null;
      if (!Array.isArray(values) || values.length !== 6 || !values.every(Number.isFinite)) return null;
      const [utime, stime, maxrss, childUtime, childStime, childMaxrss] = values as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      return {
        peakMemoryBytes: Math.max(maxrss, childMaxrss) * 1024,
        cpuTimeSeconds: Math.round((utime + stime + childUtime + childStime) * 1000) / 1000,
      };
    }
    return null;
  } catch {
    return null;
  } finally {
    await session.close();
  }
}
