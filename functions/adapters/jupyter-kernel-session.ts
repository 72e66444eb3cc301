import { randomUUID } from 'node:crypto';
import {
  type KernelMessage as JlMessage,
  KernelConnection,
  type ServerConnection,
} from '@jupyterlab/services';
import type { ExecuteOptions, KernelEvent, KernelSession } from '../core/run/kernel.ts';
import { KernelHostUnreachableError } from '../core/run/kernel.ts';
import { lenient } from './json-non-finite.ts';
import { checkMessage } from './jupyter-message-check.ts';

const CONNECT_DEADLINE_MS = 15_000;

// @jupyterlab/services announces every websocket it opens on console.debug; a run opens one per
// task, so the line is dropped (its other logs, such as reconnect warnings, stay).
const debug = console.debug.bind(console);
console.debug = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Starting WebSocket:')) return;
  debug(...args);
};
const DETACH_DEADLINE_MS = 3_000;

/** What the socket wrapper tells the session: bad frames, the end of a detach, what was sent. */
interface SocketTap {
  socket?: WebSocket;
  /** Set once the detach request is out: nothing may follow it. */
  detaching: boolean;
  sent: Set<string>;
  /** The kernel host announced that it holds chained requests (see `KernelSession.chains`). */
  chains: boolean;
  invalid(reason: string): void;
  /** A message read with its non-finite numbers as null. */
  repaired(message: JlMessage.IMessage): void;
  /** The detach took effect; `dropped` requests were held by the host and never sent. */
  detached(dropped: string[]): void;
}

/** A message of the kernel host's own `cellwise` channel (JSON text), or undefined. */
function cellwiseMessage(data: unknown): { msgType?: string; content: Record<string, unknown> } | undefined {
  if (typeof data !== 'string' || !data.includes('"cellwise"')) return undefined;
  const message = JSON.parse(data) as {
    channel?: string;
    header?: { msg_type?: string };
    content?: Record<string, unknown>;
  };
  if (message.channel !== 'cellwise') return undefined;
  return { msgType: message.header?.msg_type, content: message.content ?? {} };
}

const decoder = new TextDecoder();

const REPAIRED = 'non-finite numbers (NaN, Infinity) in JSON data were replaced by null';

/**
 * The msg_id of a frame KernelConnection sends: JSON text (Jupyter's legacy protocol) or a
 * `v1.kernel.websocket.jupyter.org` binary frame, whose header JSON follows the channel name,
 * so the first `msg_id` in it is the header's.
 */
function sentMessageId(data: string | ArrayBufferLike | Blob | ArrayBufferView): string | undefined {
  if (typeof data === 'string') return (JSON.parse(data) as { header?: { msg_id?: string } }).header?.msg_id;
  if (data instanceof Blob) return undefined;
  const bytes = ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
  return /"msg_id":\s*"([^"]+)"/.exec(decoder.decode(bytes))?.[1];
}

/**
 * A WebSocket for KernelConnection that (a) never lets a bad message throw into the event
 * loop (it becomes an `invalid` event) and (b) recognises the kernel host's `detach_reply`
 * marker (the end of a lossless detach, see kernel-host/cellwise_kernel_host).
 */
function tappedWebSocket(tap: SocketTap): typeof WebSocket {
  return class TappedWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: ConstructorParameters<typeof WebSocket>[1]) {
      super(url, protocols);
      tap.socket = this;
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      if (tap.detaching) return;
      super.send(data);
      const id = sentMessageId(data);
      if (id) tap.sent.add(id);
    }
    override set onmessage(handler: ((this: WebSocket, ev: MessageEvent) => unknown) | null) {
      super.onmessage = handler
        ? (event: MessageEvent) => {
            const own = cellwiseMessage(event.data);
            if (own?.msgType === 'detach_reply') {
              const dropped = own.content.dropped;
              return tap.detached(Array.isArray(dropped) ? dropped.map(String) : []);
            }
            if (own?.msgType === 'capabilities') {
              tap.chains = own.content.chain === 1;
              return;
            }
            try {
              handler.call(this, event);
            } catch (error) {
              tap.invalid((error as Error).message);
            }
          }
        : null;
    }
    override get onmessage() {
      return super.onmessage;
    }
  };
}

/**
 * One run's connection to its kernel over Jupyter's websocket protocol, through
 * `@jupyterlab/services`' KernelConnection with the run's fixed session id (its clientId).
 * Every received message is validated (`checkMessage`) and queued as an event; the engine
 * pulls them with `next`. A dead kernel (status `dead`, or the connection lost for good)
 * becomes a `dead` event, which the engine confirms with the kernel host's watchdog.
 */
export class JupyterKernelSession implements KernelSession {
  private readonly queue: KernelEvent[] = [];
  private waiter: ((event: KernelEvent | null) => void) | undefined;
  private closed = false;
  private kernel!: KernelConnection;
  private onDetached: (() => void) | undefined;
  private readonly tap: SocketTap = {
    detaching: false,
    sent: new Set(),
    chains: false,
    invalid: (reason) => this.push({ kind: 'invalid', reason }),
    repaired: (message) => {
      const parent = (message.parent_header as { msg_id?: unknown } | undefined)?.msg_id;
      this.push({
        kind: 'repaired',
        reason: REPAIRED,
        parentMsgId: typeof parent === 'string' ? parent : null,
      });
    },
    detached: (dropped) => {
      for (const id of dropped) this.tap.sent.delete(id);
      this.onDetached?.();
    },
  };

  private constructor() {}

  /** Connects with the run's session id and waits (with a deadline) until the socket is open. */
  static async open(
    settingsFor: (webSocket: typeof WebSocket) => ServerConnection.ISettings,
    kernelId: string,
    sessionId: string,
  ): Promise<JupyterKernelSession> {
    const session = new JupyterKernelSession();
    const settings = settingsFor(tappedWebSocket(session.tap));
    const kernel = new KernelConnection({
      model: { id: kernelId, name: '' },
      serverSettings: { ...settings, serializer: lenient(settings.serializer, session.tap.repaired) },
      clientId: sessionId,
      username: 'cellwise',
      handleComms: false,
    });
    session.kernel = kernel;
    session.listen();
    if (kernel.connectionStatus !== 'connected') await session.connected(kernelId);
    return session;
  }

  private connected(kernelId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.kernel.dispose();
        reject(
          new KernelHostUnreachableError(
            `no websocket to kernel ${kernelId} within ${CONNECT_DEADLINE_MS} ms`,
          ),
        );
      }, CONNECT_DEADLINE_MS);
      const done = (_: unknown, status: string) => {
        if (status !== 'connected' && status !== 'disconnected') return;
        clearTimeout(timer);
        this.kernel.connectionStatusChanged.disconnect(done);
        if (status === 'connected') return resolve();
        this.kernel.dispose();
        reject(new KernelHostUnreachableError(`the websocket to kernel ${kernelId} could not be opened`));
      };
      this.kernel.connectionStatusChanged.connect(done);
    });
  }

  private listen(): void {
    this.kernel.anyMessage.connect((_, { msg, direction }) => {
      if (direction !== 'recv') return;
      // Replies to the connection's own kernel_info handshake are not the run's business.
      if ((msg.parent_header as { msg_type?: string }).msg_type === 'kernel_info_request') return;
      const checked = checkMessage(msg as never);
      const parent = (msg.parent_header as { msg_id?: unknown } | undefined)?.msg_id;
      this.push(
        typeof checked === 'string'
          ? { kind: 'invalid', reason: checked, parentMsgId: typeof parent === 'string' ? parent : null }
          : { kind: 'message', message: checked },
      );
    });
    this.kernel.statusChanged.connect((_, status) => {
      if (status === 'dead') this.push({ kind: 'dead', reason: 'the kernel host reports the kernel dead' });
      if (status === 'autorestarting' || status === 'restarting') {
        this.push({ kind: 'dead', reason: 'the kernel was restarted by the kernel host' });
      }
    });
    this.kernel.connectionStatusChanged.connect((_, status) => {
      if (status === 'disconnected' && !this.closed) {
        this.push({ kind: 'dead', reason: 'the connection to the kernel host was lost' });
      }
    });
  }

  private push(event: KernelEvent): void {
    if (this.closed) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(event);
    } else {
      this.queue.push(event);
    }
  }

  execute(code: string, options: ExecuteOptions = {}): string {
    const content: JlMessage.IExecuteRequestMsg['content'] = {
      code,
      silent: options.silent ?? false,
      store_history: options.storeHistory ?? !options.silent,
      user_expressions: options.userExpressions ?? {},
      // Never: a cell asking for input gets ipykernel's StdinNotImplementedError, not a hang.
      allow_stdin: false,
      stop_on_error: options.stopOnError ?? true,
    };
    const metadata = options.after ? { cellwise_after: options.after } : undefined;
    const future = this.kernel.requestExecute(content, true, metadata);
    // Replies are read from the event queue; the future only needs its rejection handled
    // (it is cancelled when the session detaches mid-cell).
    future.done.catch(() => undefined);
    return future.msg.header.msg_id;
  }

  sent(msgId: string): boolean {
    return this.tap.sent.has(msgId);
  }

  chains(): boolean {
    return this.tap.chains && !this.tap.detaching;
  }

  unread(events: KernelEvent[]): void {
    this.queue.unshift(...events);
  }

  next(timeoutMs: number): Promise<KernelEvent | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiter = undefined;
          resolve(null);
        },
        Math.max(0, timeoutMs),
      );
      this.waiter = (event) => {
        clearTimeout(timer);
        resolve(event);
      };
    });
  }

  /** Asks the host to buffer from now on, and waits for its marker: every earlier message has arrived. */
  private async detach(): Promise<void> {
    const socket = this.tap.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const marker = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), DETACH_DEADLINE_MS);
      this.onDetached = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    const header = { msg_id: randomUUID(), msg_type: 'detach_request', session: this.kernel.clientId };
    socket.send(
      JSON.stringify({ channel: 'cellwise', header, parent_header: {}, metadata: {}, content: {} }),
    );
    if (!(await marker)) {
      // Messages still on their way when the connection closes would be lost: say so.
      this.queue.push({
        kind: 'invalid',
        reason: `the hand-over to the next task was not confirmed within ${DETACH_DEADLINE_MS} ms; messages in flight may be missing`,
      });
    }
    // KernelConnection handles messages in a promise chain: let it emit what it has received.
    await new Promise((resolve) => setImmediate(resolve));
  }

  async close(): Promise<KernelEvent[]> {
    if (this.closed) return [];
    if (this.waiter) {
      this.waiter(null);
      this.waiter = undefined;
    }
    await this.detach();
    this.closed = true;
    this.kernel.dispose();
    return this.queue.splice(0);
  }
}
