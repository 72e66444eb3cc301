import type { NbDocument } from '../nbformat/types.ts';

/** Where a run's kernel lives: the kernel id on one kernel host. */
export interface KernelRef {
  kernelId: string;
  /** Base URL of the kernel host process the kernel lives on (a run sticks to it). */
  host: string;
  /** The run's working directory on the kernel host (relative to its root). */
  workDir: string;
}

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
  /**
   * Whether the request `msgId` has left for the kernel host. A request still queued (the
   * connection waits for the kernel's info reply before sending) when the session detaches is
   * never delivered: the next task must send the cell again.
   */
  sent(msgId: string): boolean;
  /**
   * Detaches losslessly (idempotent): returns the events that arrived before the detach took
   * effect; every later message is buffered by the kernel host for the next `connect` with
   * the same session id.
   */
  close(): Promise<KernelEvent[]>;
}

/**
 * The kernel host (Jupyter Server with the Cellwise extension). Implementations check every
 * reply's status, give every call a deadline, and tell "the host said no"
 * (KernelHostRejectedError) from "the host is unreachable" (KernelHostUnreachableError).
 */
export interface KernelHost {
  /**
   * Starts a kernel of the given type in a fresh working directory for the run (a warm one
   * from the kernel host's pool when one is ready).
   */
  start(kernelType: string, runId: string): Promise<KernelRef>;
  connect(ref: KernelRef, sessionId: string): Promise<KernelSession>;
  /** Sends SIGINT-style interrupt (KeyboardInterrupt in the running cell). */
  interrupt(ref: KernelRef): Promise<void>;
  /** Whether the kernel's process is alive (false also when the host no longer knows it). */
  alive(ref: KernelRef): Promise<boolean>;
  /**
   * Ends the kernel and removes its working directory (the kernel host does both in the
   * background; the call does not wait for the process to exit); a kernel already gone is fine.
   */
  shutdown(ref: KernelRef): Promise<void>;
  /**
   * Keeps the kernel for a later `reclaim` (resume after an error): the kernel host shuts it
   * down and removes its working directory `seconds` (1..3600) from now unless reclaimed.
   * Keeping it again replaces the deadline. A kernel the host no longer knows is a
   * KernelHostRejectedError with status 404.
   */
  keep(ref: KernelRef, seconds: number): Promise<void>;
  /**
   * Cancels a kept kernel's expiry: true when the kernel is still alive and now the caller's
   * again, false when it is gone (expired, died, or was never kept). Repeating a successful
   * reclaim answers true again while the kernel lives.
   */
  reclaim(ref: KernelRef): Promise<boolean>;
  /** The warm pool of the kernel host `start` would pick, per kernel name (empty when it has none). */
  pool(): Promise<Record<string, KernelPoolStats>>;
  /**
   * Writes a file in the kernel's working directory (`relativePath` inside `ref.workDir`, its
   * directories created as needed), through the host's contents API: the kernel host may be
   * another machine, there is no shared disk.
   */
  putFile(ref: KernelRef, relativePath: string, content: string): Promise<void>;
  /**
   * Has the kernel host download `url` into the kernel's working directory (`relativePath`),
   * refusing more than `maxBytes` (413): the kernel gets the file, never the link, and needs
   * no network. Returns the bytes written. A failed download is a KernelHostRejectedError 502.
   */
  fetchFile(ref: KernelRef, relativePath: string, url: string, maxBytes: number): Promise<number>;
  /** The files (not directories) directly in a directory of the working directory; [] when it does not exist. */
  listFiles(ref: KernelRef, relativeDir: string): Promise<KernelFile[]>;
  /** A file's bytes from the working directory (KernelHostRejectedError 404 when missing). */
  getFile(ref: KernelRef, relativePath: string): Promise<Uint8Array>;
  /** Removes a file from the working directory (a missing one is fine). */
  deleteFile(ref: KernelRef, relativePath: string): Promise<void>;
  /**
   * Every kernelspec the kernel host has, with the language version and installed packages its
   * own interpreter reports (the host caches them) and the SDK packages it can import.
   */
  environments(): Promise<KernelSpecEnvironment[]>;
  /** Renders an executed notebook to a standalone HTML page (nbconvert on the kernel host). */
  renderHtml(document: NbDocument): Promise<string>;
  /** `ok` or what is wrong (for /health). */
  readiness(): Promise<string>;
}

/** A file in a kernel's working directory. */
export interface KernelFile {
  name: string;
  /** Path relative to the working directory. */
  path: string;
  bytes: number;
}

/** One kernelspec of the kernel host (`name`: `python3`, `ir`) and what it runs. */
export interface KernelSpecEnvironment {
  name: string;
  displayName: string;
  language: string;
  languageVersion: string | null;
  packages: { name: string; version: string | null }[];
  customLibraries: { name: string; version: string | null }[];
}

/** One kernel name's warm pool: configured size, kernels ready to lease, kernels starting. */
export interface KernelPoolStats {
  size: number;
  ready: number;
  starting: number;
}

/** The kernel host answered, and refused (a non-success status). */
export class KernelHostRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KernelHostRejectedError';
  }
}

/** The kernel host did not answer (connection refused, reset, or no answer before the deadline). */
export class KernelHostUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelHostUnreachableError';
  }
}
