import type { NbDocument } from '../nbformat/types.ts';
import type { KernelLimits, KernelRef, KernelSession, KernelUsage } from '../run/kernel.ts';

export type { KernelLimits, KernelUsage } from '../run/kernel.ts';

/**
 * The kernel host (Jupyter Server with the Cellwise extension), split by resource as
 * jupyterlab's services are: its kernels, the files in their boxes, its kernelspecs, its
 * report renderer. Implementations check every reply's status, give every call a deadline,
 * and tell "the host said no" (KernelHostRejectedError) from "the host is unreachable"
 * (KernelHostUnreachableError).
 */
export interface KernelHost {
  kernels: Kernels;
  files: KernelFiles;
  specs: KernelSpecs;
  reports: ReportRenderer;
  /** `ok` or what is wrong (for /health). */
  readiness(): Promise<string>;
}

/** The lifecycle of kernels: each run's kernel lives in a box of its own on one kernel host. */
export interface Kernels {
  /**
   * Starts a kernel of the given type for the run, with `limits` (the host's defaults when
   * omitted): a warm one from the kernel host's pool when one is ready.
   */
  start(kernelType: string, runId: string, limits?: KernelLimits): Promise<KernelRef>;
  connect(ref: KernelRef, sessionId: string): Promise<KernelSession>;
  /** Sends SIGINT-style interrupt (KeyboardInterrupt in the running cell). */
  interrupt(ref: KernelRef): Promise<void>;
  /** Whether the kernel's process is alive (false also when the host no longer knows it). */
  alive(ref: KernelRef): Promise<boolean>;
  /**
   * Ends the kernel: every process it started, its files, its limits (the kernel host does it
   * in the background; the call does not wait); a kernel already gone is fine.
   */
  shutdown(ref: KernelRef): Promise<void>;
  /**
   * Keeps the kernel for a later `reclaim` (resume after an error): the kernel host ends it
   * `seconds` (1..3600) from now unless reclaimed. Keeping it again replaces the deadline. A
   * kernel the host no longer knows is a KernelHostRejectedError with status 404.
   */
  keep(ref: KernelRef, seconds: number): Promise<void>;
  /**
   * Cancels a kept kernel's expiry: true when the kernel is still alive and now the caller's
   * again, false when it is gone (expired, died, or was never kept). Repeating a successful
   * reclaim answers true again while the kernel lives.
   */
  reclaim(ref: KernelRef): Promise<boolean>;
  /** What the kernel used since it was started for its run; null when the host no longer knows it. */
  usage(ref: KernelRef): Promise<KernelUsage | null>;
  /**
   * Whether the kernel's host is still the one it was placed on: `live` (it answers, with
   * that id), `lost` (another host answers at that address, or the directory no longer lists
   * it: a restart, a stopped task), `unreachable` (no answer: lost if it lasts).
   */
  hostState(ref: KernelRef): Promise<'live' | 'lost' | 'unreachable'>;
  /**
   * The live kernel hosts and what each holds and can hold (hosts that do not answer are left
   * out; none of the listed hosts answering is an error: the fleet is unknown, not empty).
   */
  fleet(): Promise<KernelHostView[]>;
}

/** One kernel host of the fleet, as it describes itself. */
export interface KernelHostView {
  hostId: string;
  url: string;
  /** Taking no new runs (scale-in, a drain): its runs go on. */
  draining: boolean;
  capacity: { kernels: number; memoryMiB: number };
  /**
   * The kernels it holds for runs (kept ones too) and the memory their limits reserve; of
   * them, the kept kernels and their memory (a full host evicts a kept kernel for a run).
   */
  load: { kernels: number; kept: number; memoryMiB: number; keptMemoryMiB: number };
  /** Ready pooled kernels per kernelspec name. */
  warm: Record<string, number>;
}

/** A regular file in a kernel's working directory. */
export interface KernelFile {
  name: string;
  /** Path relative to the working directory. */
  path: string;
  bytes: number;
}

/** An entry the kernel host will not read: a link, a FIFO, a socket, a device, a hard link. */
export interface RefusedFile {
  name: string;
  path: string;
  reason: string;
}

/**
 * Files in a kernel's working directory (paths relative to it, '/'-separated, no `..`). The
 * kernel host reaches them only as the kernel's own user and never through a link, so a
 * kernel can plant nothing that makes the host read or write elsewhere; the host may be
 * another machine, there is no shared disk.
 */
export interface KernelFiles {
  /**
   * Writes a file (its directories made as needed; a link or file standing where a directory
   * belongs is replaced, and named in the answer).
   */
  put(ref: KernelRef, path: string, content: string | Uint8Array): Promise<{ replaced: string[] }>;
  /**
   * Has the kernel host download `url` into a file, refusing more than `maxBytes` (413): the
   * kernel gets the file, never the link, and needs no network. Returns the bytes written. A
   * failed download is a KernelHostRejectedError 502.
   */
  fetch(ref: KernelRef, path: string, url: string, maxBytes: number): Promise<number>;
  /** The regular files directly in a directory, and what is there but refused; empty when it does not exist. */
  list(ref: KernelRef, dir: string): Promise<{ files: KernelFile[]; refused: RefusedFile[] }>;
  /**
   * A regular file's bytes: KernelHostRejectedError 404 when missing, 413 above `maxBytes`,
   * 422 for what is not a regular file with one link (the reason in the message).
   */
  get(ref: KernelRef, path: string, maxBytes: number): Promise<Uint8Array>;
  /** Removes a file (a missing one is fine). */
  delete(ref: KernelRef, path: string): Promise<void>;
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

/** The kernel host's kernelspecs and its warm pool. */
export interface KernelSpecs {
  /**
   * Every kernelspec the kernel host has, with the language version and installed packages its
   * own interpreter reports (the host caches them) and the SDK packages it can import.
   */
  environments(): Promise<KernelSpecEnvironment[]>;
  /** The warm pool of the kernel host `start` would pick, per kernel name (empty when it has none). */
  pool(): Promise<Record<string, KernelPoolStats>>;
}

/** The run report's renderer (nbconvert on the kernel host). */
export interface ReportRenderer {
  /** Renders an executed notebook to a standalone HTML page. */
  renderHtml(document: NbDocument): Promise<string>;
}
