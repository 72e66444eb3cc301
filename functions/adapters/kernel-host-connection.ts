import { lookup } from 'node:dns/promises';
import { ServerConnection } from '@jupyterlab/services';
import { KernelHostRejectedError, KernelHostUnreachableError } from '../core/run/kernel.ts';

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

/**
 * The HTTP side of one kernel host (Jupyter Server's REST and websocket APIs through
 * `@jupyterlab/services`, and the Cellwise extension's routes): settings with the token and
 * a deadline on every fetch, the choice of a host address, and strict status checks.
 * `baseUrl` may name several hosts behind one DNS name: a new kernel goes to one of its
 * addresses, and the run keeps talking to that one (its KernelRef holds the address).
 */
export class KernelHostConnection {
  constructor(
    readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

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

  /** One address of the kernel host, as a base URL (DNS names with several addresses spread kernels). */
  async pickHost(): Promise<string> {
    const url = new URL(this.baseUrl);
    if (/^[\d.]+$|^\[|^localhost$/.test(url.hostname)) return url.origin;
    const addresses = await translate(`resolving ${url.hostname}`, () =>
      lookup(url.hostname, { all: true, family: 4 }),
    );
    const chosen = addresses[Math.floor(Math.random() * addresses.length)];
    if (!chosen) throw new KernelHostUnreachableError(`${url.hostname} has no address`);
    url.hostname = chosen.address;
    return url.origin;
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

/** `value` is an object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
