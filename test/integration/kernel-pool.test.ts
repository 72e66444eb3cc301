import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { KernelHostRejectedError, type KernelRef } from '../../functions/core/run/kernel.ts';
import type { RunningJupyter } from '../../local-stack/jupyter-process.ts';
import { startKernelHost } from '../../local-stack/kernel-host.ts';

/**
 * The kernel host's warm pool and kept kernels, against kernel hosts of the test's own
 * (Debian's jupyter_server with the extension): one with a pool of one python3 kernel, one
 * without a pool.
 */

interface Host {
  server: RunningJupyter;
  host: JupyterKernelHost;
}

let dir: string;
let pooled: Host;
let unpooled: Host;
const refs: KernelRef[] = [];

async function start(name: string, poolSize: number): Promise<Host> {
  const server = await startKernelHost(join(dir, name), { poolSize });
  const host = new JupyterKernelHost(server.baseUrl, async () => server.token);
  return { server, host };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cellwise-pool-'));
  await chmod(dir, 0o711); // kernels, users of their own, pass through to their directories
  [pooled, unpooled] = await Promise.all([start('pooled', 1), start('unpooled', 0)]);
});

afterAll(async () => {
  for (const host of [pooled, unpooled]) {
    for (const ref of refs.filter((r) => r.host === host?.server.baseUrl)) {
      await host.host.kernels.shutdown(ref).catch(() => undefined);
    }
    await host?.server.stop();
  }
  await rm(dir, { recursive: true, force: true });
});

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not reached: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const poolReady = (host: Host) =>
  until(
    () => host.host.specs.pool(),
    (pool) => pool.python3?.ready === 1,
  );

/** The lease route itself (the adapter does not expose whether the kernel was pooled). */
async function lease(host: Host, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${host.server.baseUrl}/cellwise/v1/kernels/lease`, {
    method: 'POST',
    headers: host.server.headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as any;
  if (res.status === 201) refs.push({ kernelId: json.id, host: host.server.baseUrl });
  return { status: res.status, body: json };
}

async function startKernel(host: Host): Promise<KernelRef> {
  const ref = await host.host.kernels.start('python3', randomUUID());
  refs.push(ref);
  return ref;
}

/** Runs `code` in the kernel through a session and returns its stdout. */
async function stdout(host: Host, ref: KernelRef, code: string): Promise<string> {
  const session = await host.host.kernels.connect(ref, randomUUID());
  try {
    const msgId = session.execute(code);
    let text = '';
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const event = await session.next(1_000);
      if (event?.kind === 'dead') throw new Error(`kernel died: ${event.reason}`);
      if (event?.kind !== 'message' || event.message.parentMsgId !== msgId) continue;
      const { msgType, content } = event.message;
      if (msgType === 'stream') text += String(content.text);
      if (msgType === 'status' && content.execution_state === 'idle') return text;
    }
    throw new Error('no idle status within 30 s');
  } finally {
    await session.close();
  }
}

/** The kernel's working directory (its box's `work/`) as the kernel sees it. */
const cwdOf = async (host: Host, ref: KernelRef) =>
  (await stdout(host, ref, 'import os; print(os.getcwd())')).trim();

describe('kernel pool', () => {
  it("leases a ready pooled kernel with the run's limits, in a box of its own, and refills", async () => {
    expect(await poolReady(pooled)).toEqual({ python3: { size: 1, ready: 1, starting: 0 } });
    const limits = { memoryMiB: 512, processes: 64, diskMiB: 100 };
    const leased = await lease(pooled, { kernel_name: 'python3', run_id: randomUUID(), limits });
    expect(leased).toMatchObject({ status: 201, body: { name: 'python3', pooled: true } });
    const ref = { kernelId: leased.body.id, host: pooled.server.baseUrl };
    expect(await cwdOf(pooled, ref)).toMatch(/\/kernels\/\d+\/work$/);
    expect((await pooled.host.kernels.usage(ref))?.limits).toEqual(limits);
    // The process limit holds for the kernel (its threads count): starting more fails.
    const started = await stdout(
      pooled,
      ref,
      "import subprocess\nps = []\ntry:\n    for _ in range(80): ps.append(subprocess.Popen(['sleep', '5']))\nexcept BlockingIOError:\n    pass\nprint(len(ps))\nfor p in ps: p.kill()",
    );
    expect(Number(started)).toBeGreaterThan(20);
    expect(Number(started)).toBeLessThan(64);
    await poolReady(pooled);
  });

  it('keeps IPython history in memory in a pooled kernel: no history.sqlite in its home', async () => {
    await poolReady(pooled);
    const leased = await lease(pooled, { kernel_name: 'python3', run_id: randomUUID() });
    expect(leased).toMatchObject({ status: 201, body: { pooled: true } });
    const ref = { kernelId: leased.body.id, host: pooled.server.baseUrl };
    await stdout(pooled, ref, 'x = 1');
    const seen = await stdout(
      pooled,
      ref,
      'import json, os\nfrom IPython.paths import get_ipython_dir\n' +
        'found = [n for top in {os.environ["HOME"], get_ipython_dir()} if os.path.isdir(top) ' +
        'for _, _, names in os.walk(top) for n in names if n.startswith("history.sqlite")]\n' +
        'print(json.dumps([str(get_ipython().history_manager.hist_file), found]))',
    );
    expect(JSON.parse(seen)).toEqual([':memory:', []]);
    await poolReady(pooled);
  });

  it('never hands out the same kernel twice, even to leases at the same time', async () => {
    await poolReady(pooled);
    const started = await Promise.all([startKernel(pooled), startKernel(pooled), startKernel(pooled)]);
    expect(new Set(started.map((ref) => ref.kernelId)).size).toBe(3);
    for (const ref of started) expect(await pooled.host.kernels.alive(ref)).toBe(true);
    await poolReady(pooled);
  });

  it('answers a retried lease of the same run with its kernel, never a second one', async () => {
    const runId = randomUUID();
    const kernels = async () =>
      (
        (await (
          await fetch(`${unpooled.server.baseUrl}/api/kernels`, { headers: unpooled.server.headers })
        ).json()) as {
          id: string;
        }[]
      ).map((k) => k.id);
    const before = await kernels();
    const [first, second] = await Promise.all([
      lease(unpooled, { kernel_name: 'python3', run_id: runId }),
      lease(unpooled, { kernel_name: 'python3', run_id: runId }),
    ]);
    const third = await lease(unpooled, { kernel_name: 'python3', run_id: runId });
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(third.body.id).toBe(first.body.id);
    const added = (await kernels()).filter((id) => !before.includes(id));
    expect(added).toEqual([first.body.id]);
    // Another run never gets it.
    const other = await lease(unpooled, { kernel_name: 'python3', run_id: randomUUID() });
    expect(other.body.id).not.toBe(first.body.id);
  });

  it("starts a fresh kernel in a box of its own with the run's limits when the pool size is 0", async () => {
    expect(await unpooled.host.specs.pool()).toEqual({ python3: { size: 0, ready: 0, starting: 0 } });
    const limits = { memoryMiB: 300, processes: 40, diskMiB: 50 };
    const leased = await lease(unpooled, { kernel_name: 'python3', run_id: randomUUID(), limits });
    expect(leased).toMatchObject({ status: 201, body: { pooled: false } });
    const ref = { kernelId: leased.body.id, host: unpooled.server.baseUrl };
    expect(await cwdOf(unpooled, ref)).toMatch(/\/kernels\/\d+\/work$/);
    expect((await unpooled.host.kernels.usage(ref))?.limits).toEqual(limits);
    expect(await unpooled.host.specs.pool()).toEqual({ python3: { size: 0, ready: 0, starting: 0 } });
  });

  it('refuses bad lease bodies with 400, and callers without the token', async () => {
    for (const [kernelType, runId] of [
      ['python3', 'not-a-uuid'],
      ['python3', '../../etc'],
      ['no-such-kernel', randomUUID()],
    ] as const) {
      const error = await pooled.host.kernels.start(kernelType, runId).catch((e: unknown) => e);
      expect(error, `${kernelType} ${runId}`).toBeInstanceOf(KernelHostRejectedError);
      expect((error as KernelHostRejectedError).status).toBe(400);
    }
    const run = { kernel_name: 'python3', run_id: randomUUID() };
    for (const body of [
      '{not json',
      '[]',
      { kernel_name: 'python3' },
      { run_id: randomUUID() },
      { ...run, limits: { memoryMiB: 1 } },
      { ...run, limits: { processes: 'many' } },
      { ...run, limits: { diskMiB: 1.5 } },
      { ...run, limits: { cpus: 2 } },
      { ...run, limits: [] },
    ]) {
      expect((await lease(pooled, body)).status, JSON.stringify(body)).toBe(400);
    }
    for (const [method, path] of [
      ['POST', 'kernels/lease'],
      ['GET', 'pool'],
      ['POST', `kernels/${randomUUID()}/keep`],
      ['POST', `kernels/${randomUUID()}/reclaim`],
      ['GET', `kernels/${randomUUID()}/files?path=x`],
      ['GET', `kernels/${randomUUID()}/files/content?path=x&maxBytes=1`],
      ['GET', `kernels/${randomUUID()}/usage`],
      ['POST', `kernels/${randomUUID()}/fetch`],
    ]) {
      const res = await fetch(`${pooled.server.baseUrl}/cellwise/v1/${path}`, { method, body: undefined });
      expect(res.status, `${method} ${path} without the token`).toBe(403);
    }
  });
});

describe('released kernels', () => {
  it('answers at once and ends the kernel and its box in the background', async () => {
    const ref = await startKernel(pooled);
    const box = dirname(await cwdOf(pooled, ref));
    expect(existsSync(box)).toBe(true);
    await pooled.host.kernels.shutdown(ref);
    await until(
      () => pooled.host.kernels.alive(ref),
      (alive) => !alive,
      15_000,
    );
    await until(
      async () => existsSync(box),
      (exists) => !exists,
      15_000,
    );
    // Shutting down a kernel that is already gone is fine.
    await pooled.host.kernels.shutdown(ref);
  });

  it('ends a kept kernel at once when it is released before its time', async () => {
    const ref = await startKernel(unpooled);
    await unpooled.host.kernels.keep(ref, 600);
    await unpooled.host.kernels.shutdown(ref);
    await until(
      () => unpooled.host.kernels.alive(ref),
      (alive) => !alive,
      15_000,
    );
    expect(await unpooled.host.kernels.reclaim(ref)).toBe(false);
  });
});

describe('kept kernels', () => {
  it('shuts a kept kernel down and removes its box when the time is up', async () => {
    const ref = await startKernel(unpooled);
    const box = dirname(await cwdOf(unpooled, ref));
    await unpooled.host.kernels.keep(ref, 1);
    await until(
      () => unpooled.host.kernels.alive(ref),
      (alive) => !alive,
      15_000,
    );
    await until(
      async () => existsSync(box),
      (exists) => !exists,
      15_000,
    );
    expect(await unpooled.host.kernels.reclaim(ref)).toBe(false);
  });

  it('keeps a kernel reclaimed before its time alive, with its state', async () => {
    const ref = await startKernel(unpooled);
    await stdout(unpooled, ref, 'kept_value = 42');
    await unpooled.host.kernels.keep(ref, 2);
    expect(await unpooled.host.kernels.reclaim(ref)).toBe(true);
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await unpooled.host.kernels.alive(ref)).toBe(true);
    expect((await stdout(unpooled, ref, 'print(kept_value)')).trim()).toBe('42');
    expect(await unpooled.host.kernels.reclaim(ref)).toBe(true);
  });

  it('reclaims nothing that was never kept, and refuses bad keep requests', async () => {
    const ref = await startKernel(unpooled);
    expect(await unpooled.host.kernels.reclaim(ref)).toBe(false);
    for (const seconds of [0, 3601, 1.5]) {
      await expect(unpooled.host.kernels.keep(ref, seconds)).rejects.toMatchObject({
        name: 'KernelHostRejectedError',
        status: 400,
      });
    }
    await expect(unpooled.host.kernels.keep({ ...ref, kernelId: randomUUID() }, 10)).rejects.toMatchObject({
      name: 'KernelHostRejectedError',
      status: 404,
    });
    expect(await unpooled.host.kernels.alive(ref)).toBe(true);
  });
});

describe('staging a file into a kernel (fetch)', () => {
  let origin: Server;
  let base: string;
  const BODY = 'case_id,activity,timestamp\nc1,A,2024-01-01T00:00:00Z\n';

  beforeAll(async () => {
    origin = createServer((req, res) => {
      if (req.url === '/log.csv') return res.end(BODY);
      res.statusCode = 403;
      res.end('expired');
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(origin.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => origin.close(() => resolve())));

  it("downloads into the kernel's directory as a file only that kernel's user can read", async () => {
    const ref = await startKernel(unpooled);
    const size = await unpooled.host.files.fetch(
      ref,
      '.cellwise/datasets/d-v1.csv',
      `${base}/log.csv`,
      BODY.length,
    );
    expect(size).toBe(BODY.length);
    const seen = await stdout(
      unpooled,
      ref,
      'import os, json\np = ".cellwise/datasets/d-v1.csv"\nprint(json.dumps([open(p).read(), os.stat(p).st_uid == os.getuid(), oct(os.stat(p).st_mode & 0o777)]))',
    );
    expect(JSON.parse(seen)).toEqual([BODY, true, '0o600']);
  });

  it('refuses bad bodies with 400, a file above maxBytes with 413, a failed download with 502', async () => {
    const ref = await startKernel(unpooled);
    const post = (body: unknown) =>
      fetch(`${unpooled.server.baseUrl}/cellwise/v1/kernels/${ref.kernelId}/fetch`, {
        method: 'POST',
        headers: unpooled.server.headers,
        body: JSON.stringify(body),
      }).then((r) => r.status);
    const good = { path: 'a.csv', url: `${base}/log.csv`, maxBytes: 1000 };
    for (const bad of [
      { ...good, path: '../escape.csv' },
      { ...good, path: '/etc/passwd' },
      { ...good, url: 'file:///etc/passwd' },
      { ...good, maxBytes: -1 },
      [],
    ]) {
      expect(await post(bad), JSON.stringify(bad)).toBe(400);
    }
    expect(await post({ ...good, maxBytes: 10 })).toBe(413);
    expect(await post({ ...good, url: `${base}/expired` })).toBe(502);
    await expect(
      unpooled.host.files.fetch({ ...ref, kernelId: randomUUID() }, 'a.csv', good.url, 1000),
    ).rejects.toMatchObject({ name: 'KernelHostRejectedError', status: 404 });
    expect(await stdout(unpooled, ref, 'import os\nprint(sorted(os.listdir(".")))')).toBe('[]\n');
  });
});

describe('kernel pool of a name with its own size (KERNEL_HOST_POOL_KERNELS=python3,scala=1)', () => {
  it('keeps one warm Scala kernel beside no python3 one, leases it with the run’s limits, and refills', async () => {
    const server = await startKernelHost(join(dir, 'scala'), { poolSize: 0, poolKernels: 'python3,scala=1' });
    const host = { server, host: new JupyterKernelHost(server.baseUrl, async () => server.token) };
    try {
      const ready = (n: number) =>
        until(
          () => host.host.specs.pool(),
          (pool) => pool.scala?.ready === n,
          180_000,
        );
      expect(await ready(1)).toEqual({
        python3: { size: 0, ready: 0, starting: 0 },
        scala: { size: 1, ready: 1, starting: 0 },
      });
      const limits = { memoryMiB: 1024, processes: 64, diskMiB: 100 };
      const leased = await lease(host, { kernel_name: 'scala', run_id: randomUUID(), limits });
      expect(leased).toMatchObject({ status: 201, body: { name: 'scala', pooled: true } });
      const ref = { kernelId: leased.body.id, host: server.baseUrl };
      expect((await host.host.kernels.usage(ref))?.limits).toEqual(limits);
      // A warm REPL: the JVM runs the cell at once, its threads within the box's 64 processes.
      expect(await stdout(host, ref, 'println(Thread.activeCount > 0)')).toBe('true\n');
      const usage = await fetch(`${server.baseUrl}/cellwise/v1/kernels/${ref.kernelId}/usage`, {
        headers: server.headers,
      }).then((r) => r.json() as Promise<{ processes: number }>);
      expect(usage.processes).toBeGreaterThan(10); // the JVM's threads and the kernel's
      expect(usage.processes).toBeLessThan(64);
      await ready(1);
    } finally {
      await server.stop();
    }
  }, 300_000);
});
