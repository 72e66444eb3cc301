import { lookup } from 'node:dns/promises';
import { KernelAPI, ServerConnection } from '@jupyterlab/services';
import { serializeDocument } from '../core/nbformat/document.ts';
import type { NbDocument } from '../core/nbformat/types.ts';
import {
  type KernelFile,
  type KernelHost,
  KernelHostRejectedError,
  KernelHostUnreachableError,
  type KernelPoolStats,
  type KernelRef,
  type KernelSession,
  type KernelSpecEnvironment,
} from '../core/run/kernel.ts';
import { JupyterKernelSession } from './jupyter-kernel-session.ts';

/** Every REST call to the kernel host has a deadline; a render gets longer. */
const REST_DEADLINE_MS = 15_000;
const RENDER_DEADLINE_MS = 120_000;
/** A staged download (the kernel host gives up on its side after 120 s without data). */
const FETCH_DEADLINE_MS = 600_000;
/** Kernels of a run work in `runs/<runId>` under the kernel host's root. */
const RUNS_DIR = 'runs';

/** The segments of a path inside a run's working directory (no `..`, no absolute paths). */
function insideWorkDir(relativePath: string): string[] {
  const parts = relativePath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) {
    throw new KernelHostRejectedError(400, `not a path inside the working directory: ${relativePath}`);
  }
  return parts;
}

/** The contents API path of a file in a run's working directory. */
function contentsPath(ref: KernelRef, relativePath: string): string {
  return [...ref.workDir.split('/'), ...insideWorkDir(relativePath)].map(encodeURIComponent).join('/');
}

/** Maps @jupyterlab/services' errors: an HTTP answer is a rejection, anything else unreachable. */
async function translate<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ServerConnection.ResponseError) {
      throw new KernelHostRejectedError(error.response.status, `${what}: ${error.message}`);
    }
    if (error instanceof KernelHostRejectedError || error instanceof KernelHostUnreachableError) throw error;
    const cause = error as { message?: string; cause?: { message?: string } };
    throw new KernelHostUnreachableError(
      `${what}: ${cause.cause?.message ?? cause.message ?? String(error)}`,
    );
  }
}

/**
 * The kernel host over Jupyter Server's REST and websocket APIs (`@jupyterlab/services`),
 * plus the Cellwise extension's routes (kernel pool leases, kept kernels, watchdog, HTML
 * rendering). `baseUrl` may name
 * several hosts behind one DNS name: a new kernel goes to one of its addresses, and the run
 * keeps talking to that one (its KernelRef holds the address).
 */
export class JupyterKernelHost implements KernelHost {
  /** Hosts known to have the `runs` directory already (it is created once per host). */
  private readonly runsDirReady = new Set<string>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

  private async settings(host: string): Promise<ServerConnection.ISettings> {
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
  private async pickHost(): Promise<string> {
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

  private async request(host: string, path: string, init: RequestInit, deadlineMs = REST_DEADLINE_MS) {
    const settings = await this.settings(host);
    return translate(`${init.method ?? 'GET'} ${path}`, () =>
      ServerConnection.makeRequest(
        `${host}${path}`,
        { ...init, signal: AbortSignal.timeout(deadlineMs) },
        settings,
      ),
    );
  }

  private async expect(response: Response, what: string, ...statuses: number[]): Promise<Response> {
    if (statuses.includes(response.status)) return response;
    const text = await response.text().catch(() => '');
    throw new KernelHostRejectedError(
      response.status,
      `${what}: HTTP ${response.status} ${text.slice(0, 300)}`,
    );
  }

  async start(kernelType: string, runId: string): Promise<KernelRef> {
    const host = await this.pickHost();
    const name = kernelType === 'r' ? 'ir' : kernelType;
    const workDir = `${RUNS_DIR}/${runId}`;
    const leased = await this.request(host, '/cellwise/v1/kernels/lease', {
      method: 'POST',
      body: JSON.stringify({ kernel_name: name, run_id: runId }),
    });
    if (leased.status === 404) {
      await leased.text().catch(() => '');
      return this.startWithoutPool(host, name, workDir); // a kernel host without the lease route
    }
    await this.expect(leased, `leasing a ${name} kernel`, 201);
    const body = (await leased.json().catch(() => ({}))) as { id?: unknown };
    if (typeof body.id !== 'string') throw new KernelHostRejectedError(201, 'lease: malformed answer');
    return { kernelId: body.id, host, workDir };
  }

  private async startWithoutPool(host: string, name: string, workDir: string): Promise<KernelRef> {
    for (const dir of this.runsDirReady.has(host) ? [workDir] : [RUNS_DIR, workDir]) {
      const made = await this.request(host, `/api/contents/${dir}`, {
        method: 'PUT',
        body: JSON.stringify({ type: 'directory' }),
      });
      await this.expect(made, `creating ${dir}`, 200, 201);
    }
    this.runsDirReady.add(host);
    const settings = await this.settings(host);
    const model = await translate(`starting a ${name} kernel`, () =>
      KernelAPI.startNew({ name, path: `${workDir}/notebook.ipynb` } as KernelAPI.IKernelOptions, settings),
    );
    return { kernelId: model.id, host, workDir };
  }

  async connect(ref: KernelRef, sessionId: string): Promise<KernelSession> {
    const settings = await this.settings(ref.host);
    return JupyterKernelSession.open(
      (webSocket) => ({ ...settings, WebSocket: webSocket }),
      ref.kernelId,
      sessionId,
    );
  }

  async interrupt(ref: KernelRef): Promise<void> {
    const settings = await this.settings(ref.host);
    await translate('interrupting the kernel', () => KernelAPI.interruptKernel(ref.kernelId, settings));
  }

  async alive(ref: KernelRef): Promise<boolean> {
    const response = await this.request(ref.host, `/cellwise/v1/kernels/${ref.kernelId}/alive`, {});
    if (response.status === 404) return false;
    await this.expect(response, 'kernel watchdog', 200);
    const body = (await response.json()) as { alive?: unknown };
    if (typeof body.alive !== 'boolean') throw new KernelHostRejectedError(200, 'watchdog: malformed answer');
    return body.alive;
  }

  async shutdown(ref: KernelRef): Promise<void> {
    // The host ends the kernel and removes its directory in the background: nobody waits for
    // the process to exit (a graceful shutdown takes a few hundred ms).
    const released = await this.request(ref.host, `/cellwise/v1/kernels/${ref.kernelId}/release`, {
      method: 'POST',
      body: '{}',
    });
    if (released.status === 202) {
      await released.text();
      return;
    }
    // 404: the kernel is gone, or an older host without the route: shut down the Jupyter way.
    await this.expect(released, 'releasing the kernel', 404);
    await released.text().catch(() => '');
    const settings = await this.settings(ref.host);
    await translate('shutting the kernel down', async () => {
      try {
        await KernelAPI.shutdownKernel(ref.kernelId, settings);
      } catch (error) {
        if (!(error instanceof ServerConnection.ResponseError && error.response.status === 404)) throw error;
      }
    });
    const removed = await this.request(ref.host, `/api/contents/${ref.workDir}`, { method: 'DELETE' });
    await this.expect(removed, `removing ${ref.workDir}`, 204, 404);
  }

  async keep(ref: KernelRef, seconds: number): Promise<void> {
    const response = await this.request(ref.host, `/cellwise/v1/kernels/${ref.kernelId}/keep`, {
      method: 'POST',
      body: JSON.stringify({ seconds }),
    });
    await this.expect(response, 'keeping the kernel', 200);
    await response.text();
  }

  async reclaim(ref: KernelRef): Promise<boolean> {
    const response = await this.request(ref.host, `/cellwise/v1/kernels/${ref.kernelId}/reclaim`, {
      method: 'POST',
      body: '{}',
    });
    if (response.status === 404) {
      await response.text().catch(() => '');
      return false;
    }
    await this.expect(response, 'reclaiming the kernel', 200);
    await response.text();
    return true;
  }

  async pool(): Promise<Record<string, KernelPoolStats>> {
    const response = await this.request(await this.pickHost(), '/cellwise/v1/pool', {});
    if (response.status === 404) {
      await response.text().catch(() => '');
      return {};
    }
    await this.expect(response, 'kernel pool', 200);
    const body = (await response.json().catch(() => ({}))) as { kernels?: unknown };
    const kernels = body.kernels;
    const isStats = (value: unknown): value is KernelPoolStats =>
      typeof value === 'object' &&
      value !== null &&
      ['size', 'ready', 'starting'].every(
        (key) => typeof (value as Record<string, unknown>)[key] === 'number',
      );
    if (typeof kernels !== 'object' || kernels === null || !Object.values(kernels).every(isStats)) {
      throw new KernelHostRejectedError(200, 'kernel pool: malformed answer');
    }
    return kernels as Record<string, KernelPoolStats>;
  }

  async putFile(ref: KernelRef, relativePath: string, content: string): Promise<void> {
    const path = contentsPath(ref, relativePath);
    const segments = path.split('/');
    const workDirDepth = ref.workDir.split('/').length;
    for (let end = workDirDepth + 1; end < segments.length; end++) {
      const dir = segments.slice(0, end).join('/');
      const made = await this.request(ref.host, `/api/contents/${dir}`, {
        method: 'PUT',
        body: JSON.stringify({ type: 'directory' }),
      });
      await this.expect(made, `creating ${dir}`, 200, 201);
      await made.text();
    }
    const put = await this.request(ref.host, `/api/contents/${path}`, {
      method: 'PUT',
      body: JSON.stringify({ type: 'file', format: 'text', content }),
    });
    await this.expect(put, `writing ${path}`, 200, 201);
    await put.text();
  }

  async fetchFile(ref: KernelRef, relativePath: string, url: string, maxBytes: number): Promise<number> {
    const path = insideWorkDir(relativePath).join('/');
    const response = await this.request(
      ref.host,
      `/cellwise/v1/kernels/${ref.kernelId}/fetch`,
      { method: 'POST', body: JSON.stringify({ path, url, maxBytes }) },
      FETCH_DEADLINE_MS,
    );
    await this.expect(response, `staging ${path}`, 201);
    const body = (await response.json().catch(() => ({}))) as { size?: unknown };
    if (typeof body.size !== 'number') throw new KernelHostRejectedError(201, 'fetch: malformed answer');
    return body.size;
  }

  async listFiles(ref: KernelRef, relativeDir: string): Promise<KernelFile[]> {
    const path = contentsPath(ref, relativeDir);
    const response = await this.request(ref.host, `/api/contents/${path}?type=directory&content=1`, {});
    if (response.status === 404) {
      await response.text().catch(() => '');
      return [];
    }
    await this.expect(response, `listing ${path}`, 200);
    const body = (await response.json().catch(() => ({}))) as { content?: unknown };
    if (!Array.isArray(body.content))
      throw new KernelHostRejectedError(200, `listing ${path}: malformed answer`);
    const prefix = relativeDir.split('/').filter((p) => p !== '' && p !== '.');
    return (body.content as { name?: unknown; type?: unknown; size?: unknown }[])
      .filter((e) => e.type === 'file' && typeof e.name === 'string')
      .map((e) => ({
        name: e.name as string,
        path: [...prefix, e.name as string].join('/'),
        bytes: typeof e.size === 'number' ? e.size : 0,
      }));
  }

  async getFile(ref: KernelRef, relativePath: string): Promise<Uint8Array> {
    const path = contentsPath(ref, relativePath);
    const response = await this.request(
      ref.host,
      `/api/contents/${path}?type=file&format=base64&content=1`,
      {},
      RENDER_DEADLINE_MS,
    );
    await this.expect(response, `reading ${path}`, 200);
    const body = (await response.json().catch(() => ({}))) as { content?: unknown; format?: unknown };
    if (typeof body.content !== 'string' || body.format !== 'base64') {
      throw new KernelHostRejectedError(200, `reading ${path}: malformed answer`);
    }
    return new Uint8Array(Buffer.from(body.content, 'base64'));
  }

  async deleteFile(ref: KernelRef, relativePath: string): Promise<void> {
    const path = contentsPath(ref, relativePath);
    const removed = await this.request(ref.host, `/api/contents/${path}`, { method: 'DELETE' });
    await this.expect(removed, `removing ${path}`, 204, 404);
    await removed.text().catch(() => '');
  }

  async environments(): Promise<KernelSpecEnvironment[]> {
    // The first answer probes every interpreter (a second or two); later ones are cached by the host.
    const response = await this.request(
      await this.pickHost(),
      '/cellwise/v1/environments',
      {},
      RENDER_DEADLINE_MS,
    );
    await this.expect(response, 'kernel environments', 200);
    const body = (await response.json().catch(() => ({}))) as { kernels?: unknown };
    if (!Array.isArray(body.kernels) || !body.kernels.every(isSpecEnvironment)) {
      throw new KernelHostRejectedError(200, 'kernel environments: malformed answer');
    }
    return body.kernels.map((k) => ({
      name: k.name,
      displayName: k.displayName,
      language: k.language,
      languageVersion: k.languageVersion,
      packages: k.packages,
      customLibraries: k.customLibraries,
    }));
  }

  async renderHtml(document: NbDocument): Promise<string> {
    const host = await this.pickHost();
    const response = await this.request(
      host,
      '/cellwise/v1/render/html',
      { method: 'POST', body: serializeDocument(document) },
      RENDER_DEADLINE_MS,
    );
    await this.expect(response, 'rendering the report', 200);
    return response.text();
  }

  async readiness(): Promise<string> {
    try {
      const host = await this.pickHost();
      const response = await this.request(host, '/api/status', {});
      await this.expect(response, 'kernel host status', 200);
      return 'ok';
    } catch (error) {
      return `unavailable: ${(error as Error).message.slice(0, 160)}`;
    }
  }
}

function isPackageList(value: unknown): value is KernelSpecEnvironment['packages'] {
  return (
    Array.isArray(value) &&
    value.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        typeof p.name === 'string' &&
        (typeof p.version === 'string' || p.version === null),
    )
  );
}

function isSpecEnvironment(value: unknown): value is KernelSpecEnvironment {
  const k = value as Record<string, unknown> | null;
  return (
    typeof k === 'object' &&
    k !== null &&
    typeof k.name === 'string' &&
    typeof k.displayName === 'string' &&
    typeof k.language === 'string' &&
    (typeof k.languageVersion === 'string' || k.languageVersion === null) &&
    isPackageList(k.packages) &&
    isPackageList(k.customLibraries)
  );
}
