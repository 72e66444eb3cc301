import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { KernelHostRejectedError } from '../../functions/core/run/kernel.ts';

/** A stand-in kernel host: records each request and answers with the reply for its method. */
let server: Server;
let base: string;
const seen: { method: string; url: string; body: string }[] = [];
let replies: Record<string, { status: number; body: string }> = {};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const reply = replies[req.method!] ?? { status: 200, body: '{}' };
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ref = () => ({ kernelId: 'k1', host: base, workDir: 'runs/r1' });
const host = () => new JupyterKernelHost(base, async () => 'token');
const reset = (r: typeof replies) => {
  seen.length = 0;
  replies = r;
};

describe('unit: kernel host files (contents API)', () => {
  it('writes a file after creating its directories inside the working directory', async () => {
    reset({ PUT: { status: 201, body: '{}' } });
    await host().putFile(ref(), '.cellwise/run.json', '{"a":1}');
    expect(seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual([
      'PUT /api/contents/runs/r1/.cellwise',
      'PUT /api/contents/runs/r1/.cellwise/run.json',
    ]);
    expect(JSON.parse(seen[1]!.body)).toEqual({ type: 'file', format: 'text', content: '{"a":1}' });
  });

  it('refuses paths that leave the working directory without calling the host', async () => {
    reset({});
    for (const path of ['../r2/.cellwise/run.json', '', 'a/../../b']) {
      const error = await host()
        .getFile(ref(), path)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KernelHostRejectedError);
      expect((error as KernelHostRejectedError).status).toBe(400);
    }
    expect(seen).toEqual([]);
  });

  it('lists only files, with sizes; a missing directory is empty', async () => {
    reset({
      GET: {
        status: 200,
        body: JSON.stringify({
          type: 'directory',
          content: [
            { name: 'frame-a.json', type: 'file', size: 12 },
            { name: 'sub', type: 'directory', size: null },
          ],
        }),
      },
    });
    expect(await host().listFiles(ref(), '.cellwise/outbox')).toEqual([
      { name: 'frame-a.json', path: '.cellwise/outbox/frame-a.json', bytes: 12 },
    ]);
    reset({ GET: { status: 404, body: '{"message":"No such file"}' } });
    expect(await host().listFiles(ref(), '.cellwise/outbox')).toEqual([]);
  });

  it('reads a file as bytes (base64 from the host) and reports a missing one as a 404 rejection', async () => {
    reset({
      GET: {
        status: 200,
        body: JSON.stringify({
          type: 'file',
          format: 'base64',
          content: Buffer.from([0x80, 4, 0]).toString('base64'),
        }),
      },
    });
    expect([...(await host().getFile(ref(), '.cellwise/outbox/model-m.pkl'))]).toEqual([0x80, 4, 0]);
    reset({ GET: { status: 404, body: '{}' } });
    const error = await host()
      .getFile(ref(), 'missing')
      .catch((e: unknown) => e);
    expect((error as KernelHostRejectedError).status).toBe(404);
  });
});
