/**
 * The kernel side of a run: what one connection to a kernel delivers, and the kernel host's
 * errors. The kernel host's ports are in `ports/kernel-ports.ts`.
 */

/** Where a run's kernel lives: the kernel id on one kernel host. */
export interface KernelRef {
  kernelId: string;
  /** Base URL of the kernel host process the kernel lives on (a run sticks to it). */
  host: string;
  /** The id of that kernel host (a host restarted at the same address has another); runs of before the fleet have none. */
  hostId?: string;
}

/** A kernel's limits, enforced by the kernel host's system (cgroups, rlimits, a sized tmpfs). */
export interface KernelLimits {
  memoryMiB: number;
  /** Processes and threads. */
  processes: number;
  /** The working directory, /tmp and /dev/shm together. */
  diskMiB: number;
}

/** What a kernel used since it was leased, measured by the kernel host from outside the kernel. */
export interface KernelUsage {
  peakMemoryBytes: number;
  cpuSeconds: number;
  peakDiskBytes: number;
  /** The kernel was killed for going over its memory limit. */
  oomKilled: boolean;
  /** The host stopped the kernel for going over this limit (disk, where no filesystem bounds it). */
  breach: 'disk' | null;
  limits: KernelLimits;
}

/** The contract's defaults (API.md): 2 GiB of memory, 256 processes, 1 GiB of disk. */
export const DEFAULT_KERNEL_LIMITS: KernelLimits = { memoryMiB: 2048, processes: 256, diskMiB: 1024 };

/** One Jupyter message, reduced to what the engine reads. Content has been validated for its type. */
export interface KernelMessage {
  msgId: string;
  parentMsgId: string | null;
  channel: 'iopub' | 'shell' | 'control' | 'stdin';
  msgType: string;
  content: Record<string, unknown>;
  /** The header's date (ISO-8601), as nbclient records it for timings. */
  date: string | null;
}

/** What a kernel session delivers, in order. */
export type KernelEvent =
  | { kind: 'message'; message: KernelMessage }
  /** The kernel is gone (its process died, or the host no longer knows it). */
  | { kind: 'dead'; reason: string }
  /** A message failed validation and was dropped (reported with its cell, never silently used). */
  | { kind: 'invalid'; reason: string; parentMsgId?: string | null }
  /** The next message was repaired to be read (e.g. NaN became null); reported with its cell. */
  | { kind: 'repaired'; reason: string; parentMsgId: string | null };

export interface ExecuteOptions {
  silent?: boolean;
  storeHistory?: boolean;
  stopOnError?: boolean;
  userExpressions?: Record<string, string>;
  /**
   * The msg_id of an execute request this one follows (see `KernelSession.chains`): the kernel
   * host sends it to the kernel only once that request has succeeded, and aborts it otherwise.
   */
  after?: string;
}

/**
 * A connection to one kernel for one run, identified by the run's session id. Closing it
 * detaches: the kernel host buffers the session's messages until a task reconnects with the
 * same session id, so nothing is lost while no task is attached.
 */
export interface KernelSession {
  /** Sends an execute_request (stdin is never allowed) and returns its msg_id. */
  execute(code: string, options?: ExecuteOptions): string;
  /** The next event, or null when none arrives within `timeoutMs`. */
  next(timeoutMs: number): Promise<KernelEvent | null>;
  /** Puts events back in front of the queue, in their order (read too early: another cell's). */
  unread(events: KernelEvent[]): void;
  /**
   * Whether the request `msgId` has left for the kernel host. A request still queued (the
   * connection waits for the kernel's info reply before sending) when the session detaches is
   * never delivered: the next task must send the cell again.
   */
  sent(msgId: string): boolean;
  /**
   * Whether the kernel host holds a request sent with `after` until that request succeeded
   * (so the next cell can be sent before the current one ends, and never runs after a failure).
   */
  chains(): boolean;
  /**
   * Detaches losslessly (idempotent): returns the events that arrived before the detach took
   * effect; every later message is buffered by the kernel host for the next `connect` with
   * the same session id.
   */
  close(): Promise<KernelEvent[]>;
}

/** The kernel host answered, and refused (a non-success status). */
export class KernelHostRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'KernelHostRejectedError';
  }
}

/** No kernel host of the fleet has room for the kernel (or there is no host at all right now). */
export class KernelFleetFullError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KernelFleetFullError';
  }
}

/** The kernel host did not answer (connection refused, reset, or no answer before the deadline). */
export class KernelHostUnreachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'KernelHostUnreachableError';
  }
}
