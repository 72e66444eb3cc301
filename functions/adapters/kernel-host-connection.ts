import { ServerConnection } from '@jupyterlab/services';
import type { KernelHostView } from '../core/ports/kernel-ports.ts';
import { KernelHostRejectedError, KernelHostUnreachableError } from '../core/run/kernel.ts';
import type { KernelHostDirectory } from './kernel-host-directory.ts';

/** Every REST call to the kernel host has a deadline; long ones say so. */
export const REST_DEADLINE_MS = 15_000;

/** Maps @jupyterlab/services' errors: an HTTP answer is a rejection, anything else unreachable. */
export async function translate<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServerConnection.ResponseError) {
      throw new KernelHostRejectedError(error.response.status, `${what}: ${error.message}`, { cause: error });
    }
    if (error instanceof KernelHostRejectedError || error instanceof KernelHostUnreachableError) throw error;
    const cause = error as { message?: string; cause?: { message?: string } };
    throw new KernelHostUnreachableError(
      `${what}: ${cause.cause?.message ?? cause.message ?? String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** A kernel host's own view of itself (`GET /cellwise/v1/host`) answers within this. */
const DESCRIBE_DEADLINE_MS = 2_000;

/**
 * The HTTP side of the kernel hosts (Jupyter Server's REST and websocket APIs through
 * `@jupyterlab/services`, and the Cellwise extension's routes): settings with the token (one
 * for the fleet) and a deadline on every fetch, the live hosts of the directory and what each
 * says of itself, and strict status checks. A run keeps talking to the host its kernel was
 * placed on (its KernelRef holds the address and the host's id).
 */
export class KernelHostConnection {
  constructor(
    private readonly directory: KernelHostDirectory,
    private readonly token: () => Promise<string>,
  ) {}

  /** The base URL of every host the directory lists. */
  hosts(): Promise<string[]> {
    return this.directory.hosts();
  }

  /**
   * What each listed host says of itself; hosts that do not answer in time are left out (if
   * none of the listed hosts answers, why the first did not is thrown).
   */
  async fleet(): Promise<KernelHostView[]> {
    const { views, failures } = await this.survey();
    // Hosts listed, none answering: the fleet cannot be known (not "no capacity").
    if (views.length === 0 && failures.length > 0) throw failures[0];
    return views;
  }

  /** What each listed host says of itself, and why each of the others said nothing. */
  async survey(): Promise<{ views: KernelHostView[]; failures: unknown[] }> {
    const hosts = await this.hosts();
    const answers = await Promise.allSettled(hosts.map((url) => this.describe(url)));
    return {
      views: answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : [])),
      failures: answers.flatMap((a) => (a.status === 'rejected' ? [a.reason] : [])),
    };
  }

  /** One host's view of itself (capacity, load, pool, draining). */
  async describe(url: string): Promise<KernelHostView> {
    const response = await this.request(url, '/cellwise/v1/host', {}, DESCRIBE_DEADLINE_MS);
    await this.expect(response, 'kernel host', 200);
    const body = await this.json(response, 'kernel host', isHostAnswer);
    const warm: Record<string, number> = {};
    for (const [name, stats] of Object.entries(body.pool)) warm[name] = stats.ready;
    return {
      hostId: body.hostId,
      url,
      draining: body.draining,
      capacity: { kernels: body.capacity.kernels, memoryMiB: body.capacity.memoryMiB },
      load: {
        kernels: body.load.kernels,
        kept: body.load.kept,
        memoryMiB: body.load.memoryMiB,
        keptMemoryMiB: body.load.keptMemoryMiB,
      },
      warm,
    };
  }

  async settings(host: string): Promise<ServerConnection.ISettings> {
    const token = await this.token();
    const timedFetch = (input: Request | string | URL, init?: RequestInit) =>
      fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REST_DEADLINE_MS) });
    return ServerConnection.makeSettings({
      baseUrl: host,
      wsUrl: `ws${host.slice(4)}`,
      token,
      appendToken: true,
      fetch: timedFetch as typeof fetch,
      WebSocket,
      Request,
      Headers,
    });
  }

  /**
   * For what every host can do (kernelspecs, reports): asks the hosts in random order until one
   * answers with anything but 503, so a host that is restarting or draining is passed over. If
   * none does, a 503 answer is what the caller sees, else why a host was unreachable.
   */
  async requestAny(path: string, init: RequestInit = {}, deadlineMs = REST_DEADLINE_MS): Promise<Response> {
    const hosts = shuffled(await this.hosts());
    let busy: Response | undefined;
    let unreachable = new KernelHostUnreachableError('the directory lists no kernel host');
    for (const host of hosts) {
      try {
        const response = await this.request(host, path, init, deadlineMs);
        if (response.status !== 503) {
          if (busy) await this.drain(busy);
          return response;
        }
        if (busy) await this.drain(busy);
        busy = response;
      } catch (error) {
        if (!(error instanceof KernelHostUnreachableError)) throw error;
        unreachable = error;
      }
    }
    if (busy) return busy;
    throw unreachable;
  }

  async request(host: string, path: string, init: RequestInit = {}, deadlineMs = REST_DEADLINE_MS) {
    const settings = await this.settings(host);
    return translate(`${init.method ?? 'GET'} ${path.split('?')[0]}`, () =>
      ServerConnection.makeRequest(
        `${host}${path}`,
        { ...init, signal: AbortSignal.timeout(deadlineMs) },
        settings,
      ),
    );
  }

  /** The response when its status is one of `statuses`; else a rejection naming what was asked. */
  async expect(response: Response, what: string, ...statuses: number[]): Promise<Response> {
    if (statuses.includes(response.status)) return response;
    const text = await response.text().catch(() => '');
    let reason = text.slice(0, 300);
    try {
      const body = JSON.parse(text) as { message?: unknown };
      if (typeof body.message === 'string') reason = body.message;
    } catch {
      // not JSON: the text itself
    }
    throw new KernelHostRejectedError(response.status, `${what}: HTTP ${response.status} ${reason}`);
  }

  /** A JSON answer that passes `check`, else a rejection ("malformed answer"). */
  async json<T>(response: Response, what: string, check: (value: unknown) => value is T): Promise<T> {
    const body: unknown = await response.json().catch(() => undefined);
    if (!check(body)) throw new KernelHostRejectedError(response.status, `${what}: malformed answer`);
    return body;
  }

  /** Drains a response whose body is not needed. */
  async drain(response: Response): Promise<void> {
    await response.text().catch(() => '');
  }
}

const isCounts = (value: unknown, keys: string[]): value is Record<string, number> =>
  isObject(value) && keys.every((k) => typeof value[k] === 'number');

const isHostAnswer = (
  value: unknown,
): value is {
  hostId: string;
  draining: boolean;
  capacity: { kernels: number; memoryMiB: number };
  load: { kernels: number; kept: number; memoryMiB: number; keptMemoryMiB: number };
  pool: Record<string, { ready: number }>;
} =>
  isObject(value) &&
  typeof value.hostId === 'string' &&
  typeof value.draining === 'boolean' &&
  isCounts(value.capacity, ['kernels', 'memoryMiB']) &&
  isCounts(value.load, ['kernels', 'kept', 'memoryMiB', 'keptMemoryMiB']) &&
  isObject(value.pool) &&
  Object.values(value.pool).every((p) => isCounts(p, ['ready']));

/** A copy of `items` in random order (Fisher–Yates). */
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** `value` is an object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
