import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookTransport } from '../../functions/adapters/http-webhook-transport.ts';
import { parseCidrList } from '../../functions/core/webhooks/address-policy.ts';

/*
 * The transport against a real HTTP server on loopback: what the SSRF rule lets through,
 * what it stops before any connection, and how answers, redirects and silence are reported.
 */

let server: Server;
let base: string;
const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `${base}/target` }).end();
      } else if (req.url === '/silent') {
        // never answers
      } else {
        res.writeHead(req.url === '/fail' ? 500 : 204).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const loopbackAllowed = new HttpWebhookTransport(parseCidrList('127.0.0.0/8'), 1000);
const strict = new HttpWebhookTransport([], 1000);

describe('unit: webhook transport', () => {
  it('posts the body and headers to an allowed address and reports the status', async () => {
    const result = await loopbackAllowed.post(`${base}/ok`, '{"a":1}', {
      'Content-Type': 'application/json',
    });
    expect(result).toEqual({ outcome: 'response', status: 204 });
    const last = received.at(-1)!;
    expect(last).toMatchObject({ path: '/ok', body: '{"a":1}' });
    expect(last.headers['content-type']).toBe('application/json');
  });

  it('refuses loopback without connecting when it is not allowed (literal and host name)', async () => {
    const before = received.length;
    const literal = await strict.post(`${base}/ok`, '{}', {});
    expect(literal.outcome).toBe('refused');
    expect((literal as { error: string }).error).toContain('loopback');
    const port = new URL(base).port;
    const named = await strict.post(`http://localhost:${port}/ok`, '{}', {});
    expect(named.outcome).toBe('refused');
    expect((named as { error: string }).error).toMatch(/loopback.*localhost resolves to it/);
    expect(received.length).toBe(before);
    expect(await strict.refusal(`http://localhost:${port}/`)).toContain('loopback');
  });

  it('refuses private, link-local and IPv6 local destinations even with loopback allowed', async () => {
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://192.168.0.10/',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[::ffff:10.0.0.1]/',
    ]) {
      expect(await loopbackAllowed.refusal(url), url).toMatch(/refused/);
      expect((await loopbackAllowed.post(url, '{}', {})).outcome, url).toBe('refused');
    }
  });

  it('does not follow redirects', async () => {
    const before = received.length;
    expect(await loopbackAllowed.post(`${base}/redirect`, '{}', {})).toEqual({
      outcome: 'response',
      status: 302,
    });
    expect(received.slice(before).map((r) => r.path)).toEqual(['/redirect']);
  });

  it('gives up on a receiver that does not answer within the timeout', async () => {
    const result = await loopbackAllowed.post(`${base}/silent`, '{}', {});
    expect(result.outcome).toBe('error');
    expect((result as { error: string }).error).toContain('no answer');
  });

  it('reports a connection failure as an error (retried), not a refusal', async () => {
    const closed = new HttpWebhookTransport(parseCidrList('127.0.0.0/8'), 1000);
    const result = await closed.post('http://127.0.0.1:1/', '{}', {});
    expect(result.outcome).toBe('error');
  });

  it('refuses URLs that are not http(s)', async () => {
    expect(await loopbackAllowed.refusal('ftp://example.com/')).toContain('http');
    expect(await loopbackAllowed.refusal('not a url')).toContain('not a URL');
  });
});
