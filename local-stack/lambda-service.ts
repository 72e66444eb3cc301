import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { log } from '../functions/observability/logger.ts';
import { lambdaContext } from './api-gateway-event.ts';
import { invokeLocally } from './lambda-runtime.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A function the local Lambda service runs: its name, handler module and timeout. */
export interface LocalFunction {
  name: string;
  entry: string;
  timeoutSeconds: number;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * The local Lambda: the Invoke API (`POST /2015-03-31/functions/{name}/invocations`) on
 * loopback, so the service invokes functions through the real Lambda client, as in AWS.
 * `Event` invocations are answered 202 at once and run in-process; `RequestResponse` ones
 * answer with the handler's result. `every` runs a function periodically, as an EventBridge
 * schedule rule does in AWS.
 */
export class LocalLambdaService {
  private readonly handlers = new Map<string, { fn: LocalFunction; handler: Handler }>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly timers: NodeJS.Timeout[] = [];
  private server: Server | undefined;
  private stopping = false;

  /** Loads the handler modules and listens on loopback; returns the endpoint for the SDK client. */
  static async start(
    functions: readonly LocalFunction[],
  ): Promise<{ service: LocalLambdaService; endpoint: string }> {
    const service = new LocalLambdaService();
    const root = pathToFileURL(`${new URL('..', import.meta.url).pathname}`);
    for (const fn of functions) {
      const module = await import(new URL(fn.entry, root).href);
      if (typeof module.handler !== 'function') throw new Error(`${fn.entry} exports no handler`);
      service.handlers.set(fn.name, { fn, handler: module.handler as Handler });
    }
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const name = decodeURIComponent(INVOKE_PATH.exec(req.url?.split('?')[0] ?? '')?.[1] ?? '');
        const target =
          req.method === 'POST' ? service.handlers.get(name.split(':').at(-1) ?? name) : undefined;
        const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(body === undefined ? '' : JSON.stringify(body));
        };
        if (!target) {
          reply(
            404,
            { Type: 'User', message: `Function not found: ${name}` },
            { 'x-amzn-errortype': 'ResourceNotFoundException' },
          );
          return;
        }
        let event: unknown;
        try {
          event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          reply(
            400,
            { message: 'Invalid JSON payload' },
            { 'x-amzn-errortype': 'InvalidRequestContentException' },
          );
          return;
        }
        const run = service.invoke(name, event);
        if (req.headers['x-amz-invocation-type'] === 'Event') {
          reply(202, undefined);
          return;
        }
        run.then(
          (result) => reply(200, result ?? null),
          (error: Error) =>
            reply(
              200,
              { errorType: error.name, errorMessage: error.message },
              { 'x-amz-function-error': 'Unhandled' },
            ),
        );
      });
    });
    service.server = server;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { service, endpoint: `http://127.0.0.1:${port}` };
  }

  /** Runs a function in-process; failures are logged (as CloudWatch would show them) and rethrown. */
  invoke(name: string, event: unknown): Promise<unknown> {
    const target = this.handlers.get(name);
    if (!target) return Promise.reject(new Error(`Function not found: ${name}`));
    const { fn, handler } = target;
    const run = invokeLocally(handler, event, lambdaContext(fn.name, fn.timeoutSeconds, randomUUID())).catch(
      (error: Error) => {
        log('error', `${fn.name} failed`, { error });
        throw error;
      },
    );
    const tracked = run.catch(() => undefined);
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
    return run;
  }

  /** Runs `name` every `ms` (skipping a beat while the previous run is still going). */
  every(name: string, ms: number): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.stopping) return;
      busy = true;
      this.invoke(name, { source: 'local.schedule' })
        .catch(() => undefined)
        .finally(() => {
          busy = false;
        });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Stops the schedules and the endpoint; waits (up to `timeoutMs`) for running invocations. */
  async drain(timeoutMs: number): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.server?.close();
    await Promise.race([
      Promise.all([...this.running]),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
}
