import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';

/**
 * A stand-in for a kernel host without the pool routes (an older image): Jupyter's own
 * routes answer, every /cellwise/v1 route is 404. Records the requests it gets.
 */
let server: Server;
let base: string;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split('?')[0]}`);
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/cellwise/')) return reply(404, { message: 'Not Found' });
      if (req.method === 'PUT' && req.url?.startsWith('/api/contents/')) return reply(201, {});
      if (req.method === 'POST' && req.url?.startsWith('/api/kernels')) {
        return reply(201, { id: 'k-old', name: 'python3', last_activity: '', execution_state: 'starting' });
      }
      reply(500, { message: 'unexpected' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('JupyterKernelHost against a kernel host without the pool routes', () => {
  const runId = '0196a1b2-0000-7000-8000-000000000001';

  it('starts the kernel the old way when the lease route is missing', async () => {
    requests.length = 0;
    const host = new JupyterKernelHost(base, async () => 'token');
    expect(await host.start('python3', runId)).toEqual({
      kernelId: 'k-old',
      host: base,
      workDir: `runs/${runId}`,
    });
    expect(requests).toEqual([
      'POST /cellwise/v1/kernels/lease',
      'PUT /api/contents/runs',
      `PUT /api/contents/runs/${runId}`,
      'POST /api/kernels',
    ]);
  });

  it('reports no pool and nothing to reclaim', async () => {
    const host = new JupyterKernelHost(base, async () => 'token');
    expect(await host.pool()).toEqual({});
    expect(await host.reclaim({ kernelId: 'k-old', host: base, workDir: `runs/${runId}` })).toBe(false);
  });
});
