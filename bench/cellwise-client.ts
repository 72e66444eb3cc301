import type { StackInfo } from '../local-stack/spawn-stack.ts';

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

/** A thin fetch wrapper over the project-scoped API of a running stack. */
export class CellwiseClient {
  readonly prefix: string;
  readonly headers: Record<string, string>;

  constructor(readonly info: StackInfo) {
    this.prefix = `/api/${info.tenantId}/${info.projectId}`;
    this.headers = { authorization: `Bearer ${info.token}` };
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.info.baseUrl}${this.prefix}${path}`, {
      method,
      headers: body === undefined ? this.headers : { ...this.headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: res.status, body: parsed as T };
  }

  /** Like `request`, but throws unless the status is the expected one. */
  async expect<T = Record<string, unknown>>(
    status: number,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status !== status) {
      throw new Error(
        `${method} ${path}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body).slice(0, 500)}`,
      );
    }
    return res.body;
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight; results by index. */
export async function mapPool<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
