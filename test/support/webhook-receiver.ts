import { createServer } from 'node:http';

/** One request a receiver got: the path it was sent to and its body as text. */
export interface Delivery {
  path: string;
  body: string;
}

/**
 * A webhook endpoint on loopback for tests: every request is kept (path and body) and
 * answered 204. `url(path)` is where to point a webhook; `close()` ends it.
 */
export async function startWebhookReceiver() {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    deliveries,
    url: (path = '/hook') => `${base}${path}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
