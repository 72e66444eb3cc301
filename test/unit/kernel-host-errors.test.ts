import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { checkMessage } from '../../functions/adapters/jupyter-message-check.ts';
import { KernelHostRejectedError, KernelHostUnreachableError } from '../../functions/core/run/kernel.ts';

/** A stand-in kernel host that answers every request with a fixed status and body. */
let server: Server;
let reply = { status: 200, body: '{}' };
let base: string;

beforeAll(async () => {
  server = createServer((_, res) => {
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ref = () => ({ kernelId: 'k1', host: base });
const host = () => new JupyterKernelHost(base, async () => 'token');

describe('JupyterKernelHost error translation', () => {
  it('reports a host that refuses connections as unreachable', async () => {
    const closed = new JupyterKernelHost('http://127.0.0.1:1', async () => 'token');
    await expect(closed.kernels.start('python3', 'r1')).rejects.toBeInstanceOf(KernelHostUnreachableError);
    await expect(closed.kernels.interrupt({ ...ref(), host: 'http://127.0.0.1:1' })).rejects.toBeInstanceOf(
      KernelHostUnreachableError,
    );
    expect(await closed.readiness()).toMatch(/^unavailable: /);
  });

  it('reports an answer with an unexpected status as a rejection carrying that status', async () => {
    reply = { status: 403, body: '{"message": "Forbidden"}' };
    const error = await host()
      .kernels.start('python3', 'r1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelHostRejectedError);
    expect((error as KernelHostRejectedError).status).toBe(403);
    reply = { status: 500, body: '{"message": "boom"}' };
    await expect(host().kernels.interrupt(ref())).rejects.toMatchObject({
      name: 'KernelHostRejectedError',
      status: 500,
    });
    await expect(
      host().reports.renderHtml({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }),
    ).rejects.toBeInstanceOf(KernelHostRejectedError);
  });

  it('reads the watchdog exactly: 404 is a dead kernel, a malformed answer is a rejection', async () => {
    reply = { status: 200, body: '{"alive": true}' };
    expect(await host().kernels.alive(ref())).toBe(true);
    reply = { status: 404, body: '{}' };
    expect(await host().kernels.alive(ref())).toBe(false);
    reply = { status: 200, body: '{"alive": "yes"}' };
    await expect(host().kernels.alive(ref())).rejects.toBeInstanceOf(KernelHostRejectedError);
  });

  it('reads usage exactly: 404 is a kernel the host no longer knows, a malformed answer is a rejection', async () => {
    const usage = {
      peakMemoryBytes: 1,
      cpuSeconds: 0.5,
      peakDiskBytes: 2,
      oomKilled: false,
      breach: null,
      limits: { memoryMiB: 2048, processes: 256, diskMiB: 1024 },
      measuredBy: 'cgroup',
    };
    reply = { status: 200, body: JSON.stringify(usage) };
    expect(await host().kernels.usage(ref())).toEqual({
      peakMemoryBytes: 1,
      cpuSeconds: 0.5,
      peakDiskBytes: 2,
      oomKilled: false,
      breach: null,
      limits: usage.limits,
    });
    reply = { status: 404, body: '{}' };
    expect(await host().kernels.usage(ref())).toBeNull();
    for (const bad of [
      { ...usage, cpuSeconds: '1' },
      { ...usage, breach: 'memory' },
      { ...usage, limits: {} },
    ]) {
      reply = { status: 200, body: JSON.stringify(bad) };
      await expect(host().kernels.usage(ref())).rejects.toBeInstanceOf(KernelHostRejectedError);
    }
  });

  it('treats a kernel already gone as shut down', async () => {
    reply = { status: 404, body: '{"message": "no such kernel"}' };
    await expect(host().kernels.shutdown(ref())).resolves.toBeUndefined();
  });
});

describe('JupyterKernelHost reads of what every host can do', () => {
  const environments = JSON.stringify({
    kernels: [
      {
        name: 'python3',
        displayName: 'Python 3',
        language: 'python',
        languageVersion: '3.11',
        packages: [],
        customLibraries: [],
      },
    ],
  });
  const fleet = (urls: string[]) => new JupyterKernelHost({ hosts: async () => urls }, async () => 'token');

  it('passes over hosts that are unreachable or answer 503 until one answers', async () => {
    reply = { status: 200, body: environments };
    for (let i = 0; i < 10; i++) {
      const [kernel] = await fleet(['http://127.0.0.1:1', base, 'http://127.0.0.1:2']).specs.environments();
      expect(kernel?.name).toBe('python3');
    }
    reply = { status: 503, body: '{"message": "draining"}' };
    await expect(fleet(['http://127.0.0.1:1', base]).specs.environments()).rejects.toMatchObject({
      name: 'KernelHostRejectedError',
      status: 503,
    });
  });

  it('reports unreachable when no listed host answers, and when none is listed', async () => {
    await expect(fleet(['http://127.0.0.1:1', 'http://127.0.0.1:2']).specs.pool()).rejects.toBeInstanceOf(
      KernelHostUnreachableError,
    );
    await expect(fleet([]).specs.pool()).rejects.toBeInstanceOf(KernelHostUnreachableError);
  });

  it('does not ask another host once one has said no with anything but 503', async () => {
    reply = { status: 500, body: '{"message": "boom"}' };
    await expect(fleet([base, base, base]).specs.pool()).rejects.toMatchObject({ status: 500 });
  });
});

describe('checkMessage (every received message is validated)', () => {
  const base = {
    header: { msg_id: 'm1', msg_type: 'stream', date: '2026-01-01T00:00:00Z' },
    parent_header: { msg_id: 'p1' },
    channel: 'iopub',
    content: { name: 'stdout', text: 'hi' },
  };

  it('reduces a valid message to what the engine reads', () => {
    expect(checkMessage(base)).toEqual({
      msgId: 'm1',
      parentMsgId: 'p1',
      channel: 'iopub',
      msgType: 'stream',
      content: { name: 'stdout', text: 'hi' },
      date: '2026-01-01T00:00:00Z',
    });
  });

  it.each([
    ['a stream without text', { ...base, content: { name: 'stdout' } }],
    ['a stream of another name', { ...base, content: { name: 'stdlog', text: '' } }],
    ['an unknown channel', { ...base, channel: 'side' }],
    ['a header without a type', { ...base, header: { msg_id: 'm1' } }],
    ['content that is not an object', { ...base, content: 'text' }],
    [
      'an execute_reply with an unknown status',
      {
        ...base,
        channel: 'shell',
        header: { msg_id: 'm', msg_type: 'execute_reply' },
        content: { status: 'maybe' },
      },
    ],
    [
      'an error without a traceback list',
      {
        ...base,
        header: { msg_id: 'm', msg_type: 'error' },
        content: { ename: 'E', evalue: 'v', traceback: 'x' },
      },
    ],
    [
      'a display without a mime bundle',
      { ...base, header: { msg_id: 'm', msg_type: 'display_data' }, content: { data: 'x', metadata: {} } },
    ],
  ])('refuses %s', (_, message) => {
    expect(typeof checkMessage(message as never)).toBe('string');
  });
});
