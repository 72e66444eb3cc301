import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { KernelHostRejectedError } from '../../functions/core/run/kernel.ts';

/** A stand-in kernel host: records each request and answers with the reply for its method. */
let server: Server;
let base: string;
const seen: { method: string; url: string; body: string }[] = [];
let replies: Record<string, { status: number; body: string | Buffer }> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString() });
      const reply = replies[req.method!] ?? { status: 200, body: '{}' };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ref = () => ({ kernelId: 'k1', host: base });
const files = () => new JupyterKernelHost(base, async () => 'token').files;
const reset = (r: typeof replies) => {
  seen.length = 0;
  replies = r;
};
/** Method, path and the query's `path` of each request the host got. */
const calls = () =>
  seen.map((s) => {
    const url = new URL(s.url, base);
    return `${s.method} ${url.pathname} ${url.searchParams.get('path') ?? ''}`.trim();
  });

describe('unit: kernel files through the kernel host (adapter)', () => {
  it('writes a file in one request; the host makes its directories and names what it replaced', async () => {
    reset({
      PUT: {
        status: 201,
        body: '{"path": ".cellwise/run.json", "size": 7, "replaced": [".cellwise was a symbolic link; replaced by a directory"]}',
      },
    });
    const written = await files().put(ref(), '.cellwise/run.json', '{"a":1}');
    expect(calls()).toEqual(['PUT /cellwise/v1/kernels/k1/files/content .cellwise/run.json']);
    expect(seen[0]!.body).toBe('{"a":1}');
    expect(written.replaced).toEqual(['.cellwise was a symbolic link; replaced by a directory']);
  });

  it('refuses paths that leave the working directory without calling the host', async () => {
    reset({});
    for (const path of ['../r2/.cellwise/run.json', '', 'a/../../b', '/etc/passwd']) {
      const error = await files()
        .get(ref(), path, 10)
        .catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(KernelHostRejectedError);
      expect((error as KernelHostRejectedError).status).toBe(400);
    }
    expect(seen).toEqual([]);
  });

  it('lists regular files apart from what the host refused, with the reason', async () => {
    reset({
      GET: {
        status: 200,
        body: JSON.stringify({
          entries: [
            { name: 'frame-a.json', kind: 'file', bytes: 12 },
            {
              name: 'model-b.pkl',
              kind: 'symbolic link',
              bytes: 11,
              refused: 'model-b.pkl is a symbolic link, not a regular file',
            },
            { name: 'model-c.pkl', kind: 'file', bytes: 5, refused: 'model-c.pkl has 2 hard links' },
            { name: 'sub', kind: 'directory', bytes: 4096 },
          ],
          truncated: false,
          exists: true,
        }),
      },
    });
    expect(await files().list(ref(), '.cellwise/outbox')).toEqual({
      files: [{ name: 'frame-a.json', path: '.cellwise/outbox/frame-a.json', bytes: 12 }],
      refused: [
        {
          name: 'model-b.pkl',
          path: '.cellwise/outbox/model-b.pkl',
          reason: 'model-b.pkl is a symbolic link, not a regular file',
        },
        { name: 'model-c.pkl', path: '.cellwise/outbox/model-c.pkl', reason: 'model-c.pkl has 2 hard links' },
      ],
    });
    expect(calls()).toEqual(['GET /cellwise/v1/kernels/k1/files .cellwise/outbox']);
    reset({ GET: { status: 200, body: '{"entries": [{"name": 1}]}' } });
    await expect(files().list(ref(), '.cellwise/outbox')).rejects.toBeInstanceOf(KernelHostRejectedError);
  });

  it("reads a file as bytes, asking for at most maxBytes; refusals keep the host's status and reason", async () => {
    reset({ GET: { status: 200, body: Buffer.from([0x80, 4, 0]) } });
    expect([...(await files().get(ref(), '.cellwise/outbox/model-m.pkl', 100))]).toEqual([0x80, 4, 0]);
    expect(new URL(seen[0]!.url, base).searchParams.get('maxBytes')).toBe('100');
    for (const [status, message] of [
      [404, '.cellwise/outbox/x does not exist'],
      [413, '.cellwise/outbox/x is larger than 100 bytes'],
      [422, '.cellwise/outbox/x is a FIFO, not a regular file'],
    ] as const) {
      reset({ GET: { status, body: JSON.stringify({ message }) } });
      const error = (await files()
        .get(ref(), '.cellwise/outbox/x', 100)
        .catch((e: unknown) => e)) as KernelHostRejectedError;
      expect(error.status).toBe(status);
      expect(error.message).toContain(message);
    }
  });
});
