import type { KernelFile, KernelFiles, RefusedFile } from '../core/ports/kernel-ports.ts';
import { KernelHostRejectedError, type KernelRef } from '../core/run/kernel.ts';
import { isObject, type KernelHostConnection } from './kernel-host-connection.ts';

/** A staged download (the kernel host gives up on its side after 120 s without data). */
const FETCH_DEADLINE_MS = 600_000;
/** Reading a file of up to a dataset's size. */
const READ_DEADLINE_MS = 120_000;

/** A '/'-separated path inside a kernel's working directory (no `..`, not absolute), normalised. */
function inside(path: string, allowEmpty = false): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if ((parts.length === 0 && !allowEmpty) || parts.includes('..') || path.startsWith('/')) {
    throw new KernelHostRejectedError(400, `not a path inside the working directory: ${path}`);
  }
  return parts.join('/');
}

interface Entry {
  name: string;
  kind: string;
  bytes: number;
  refused?: string;
}

const isListing = (value: unknown): value is { entries: Entry[] } =>
  isObject(value) &&
  Array.isArray(value.entries) &&
  value.entries.every(
    (e) =>
      isObject(e) &&
      typeof e.name === 'string' &&
      typeof e.kind === 'string' &&
      typeof e.bytes === 'number' &&
      (e.refused === undefined || typeof e.refused === 'string'),
  );

/**
 * A kernel's files through the extension's file routes (kernel-host/cellwise_kernel_host/
 * file_handlers.py): the host opens each file as the kernel's own user, never through a link.
 */
export class JupyterKernelFiles implements KernelFiles {
  constructor(private readonly host: KernelHostConnection) {}

  private route(ref: KernelRef, route: string, path?: string, extra = ''): string {
    const query = path === undefined ? '' : `?path=${encodeURIComponent(path)}${extra}`;
    return `/cellwise/v1/kernels/${encodeURIComponent(ref.kernelId)}/${route}${query}`;
  }

  async put(ref: KernelRef, path: string, content: string | Uint8Array): Promise<{ replaced: string[] }> {
    const target = inside(path);
    const response = await this.host.request(ref.host, this.route(ref, 'files/content', target), {
      method: 'PUT',
      body: typeof content === 'string' ? content : Buffer.from(content),
      headers: { 'content-type': 'application/octet-stream' },
    });
    await this.host.expect(response, `writing ${target}`, 201);
    const body = await this.host.json(
      response,
      `writing ${target}`,
      (v): v is { replaced: string[] } =>
        isObject(v) && Array.isArray(v.replaced) && v.replaced.every((r) => typeof r === 'string'),
    );
    return { replaced: body.replaced };
  }

  async fetch(ref: KernelRef, path: string, url: string, maxBytes: number): Promise<number> {
    const target = inside(path);
    const response = await this.host.request(
      ref.host,
      this.route(ref, 'fetch'),
      { method: 'POST', body: JSON.stringify({ path: target, url, maxBytes }) },
      FETCH_DEADLINE_MS,
    );
    await this.host.expect(response, `staging ${target}`, 201);
    const body = await this.host.json(
      response,
      'fetch',
      (v): v is { size: number } => isObject(v) && typeof v.size === 'number',
    );
    return body.size;
  }

  async list(ref: KernelRef, dir: string): Promise<{ files: KernelFile[]; refused: RefusedFile[] }> {
    const target = inside(dir, true);
    const response = await this.host.request(ref.host, this.route(ref, 'files', target));
    if (response.status === 404) {
      await this.host.drain(response);
      return { files: [], refused: [] };
    }
    await this.host.expect(response, `listing ${target || '.'}`, 200);
    const { entries } = await this.host.json(response, `listing ${target || '.'}`, isListing);
    const pathOf = (name: string) => (target ? `${target}/${name}` : name);
    return {
      files: entries
        .filter((e) => e.kind === 'file' && !e.refused)
        .map((e) => ({ name: e.name, path: pathOf(e.name), bytes: e.bytes })),
      refused: entries
        .filter((e): e is Entry & { refused: string } => e.refused !== undefined)
        .map((e) => ({ name: e.name, path: pathOf(e.name), reason: e.refused })),
    };
  }

  async get(ref: KernelRef, path: string, maxBytes: number): Promise<Uint8Array> {
    const target = inside(path);
    const response = await this.host.request(
      ref.host,
      this.route(ref, 'files/content', target, `&maxBytes=${maxBytes}`),
      {},
      READ_DEADLINE_MS,
    );
    await this.host.expect(response, `reading ${target}`, 200);
    return new Uint8Array(await response.arrayBuffer());
  }

  async delete(ref: KernelRef, path: string): Promise<void> {
    const target = inside(path);
    const response = await this.host.request(ref.host, this.route(ref, 'files/content', target), {
      method: 'DELETE',
    });
    await this.host.expect(response, `removing ${target}`, 204, 404);
    await this.host.drain(response);
  }
}
