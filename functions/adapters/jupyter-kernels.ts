import { KernelAPI, ServerConnection } from '@jupyterlab/services';
import type { KernelHostView, KernelLimits, Kernels, KernelUsage } from '../core/ports/kernel-ports.ts';
import {
  KernelFleetFullError,
  KernelHostRejectedError,
  KernelHostUnreachableError,
  type KernelRef,
  type KernelSession,
} from '../core/run/kernel.ts';
import { placement, withPending } from '../core/run/kernel-placement.ts';
import { JupyterKernelSession } from './jupyter-kernel-session.ts';
import { isObject, type KernelHostConnection, translate } from './kernel-host-connection.ts';

const isUsage = (value: unknown): value is KernelUsage & Record<string, unknown> =>
  isObject(value) &&
  ['peakMemoryBytes', 'cpuSeconds', 'peakDiskBytes'].every((k) => typeof value[k] === 'number') &&
  typeof value.oomKilled === 'boolean' &&
  (value.breach === null || value.breach === 'disk') &&
  isObject(value.limits);

/** How long a finished lease is remembered (longer than any host view a start can be using). */
const LEASE_MEMORY_MS = 30_000;

/**
 * Kernels on the kernel host: leased from its warm pool (or started) in a box of their own
 * with the run's limits, reached over Jupyter's websocket protocol, watched, kept, ended.
 */
export class JupyterKernels implements Kernels {
  constructor(private readonly host: KernelHostConnection) {}

  /** This process's leases: in flight (`doneAt` null) or answered at `doneAt` (see `pendingSince`). */
  private readonly leases = new Set<{ hostId: string; doneAt: number | null }>();

  /**
   * The leases a fleet view asked for at `surveyedAt` may not count yet, by host id: those in
   * flight, and those answered after the view was asked for. A lease answered before it is in
   * the host's own figures (the host counts a kernel from the moment it answers the lease), so
   * a burst of placements sees itself and nothing is counted twice once the runs are over.
   */
  private pendingSince(surveyedAt: number): Map<string, number> {
    const pending = new Map<string, number>();
    for (const lease of this.leases)
      if (lease.doneAt === null || lease.doneAt >= surveyedAt)
        pending.set(lease.hostId, (pending.get(lease.hostId) ?? 0) + 1);
    return pending;
  }

  private kernelPath(ref: KernelRef, route: string): string {
    return `/cellwise/v1/kernels/${encodeURIComponent(ref.kernelId)}/${route}`;
  }

  /**
   * Places the run's kernel on a live host with room (`placement`: a warm kernel of that kind
   * first, then the least loaded) and leases it there; a host that has filled up meanwhile
   * (503) passes it to the next.
   */
  async start(kernelType: string, runId: string, limits?: KernelLimits): Promise<KernelRef> {
    const name = kernelType === 'r' ? 'ir' : kernelType;
    const surveyedAt = Date.now();
    const { views: fleet, failures } = await this.host.survey();
    // Listed hosts that all failed to answer: why the first did ("said no" or unreachable).
    if (fleet.length === 0) throw failures[0] ?? new KernelFleetFullError('no kernel host is up');
    let unreachable: KernelHostUnreachableError | undefined;
    let refused = false;
    const candidates = placement(
      withPending(fleet, this.pendingSince(surveyedAt)),
      name,
      limits?.memoryMiB ?? 0,
    );
    let refusal = `no kernel host has room for a kernel of ${limits?.memoryMiB ?? 'the default'} MiB`;
    for (const candidate of candidates) {
      const lease = { hostId: candidate.hostId, doneAt: null as number | null };
      this.leases.add(lease);
      const leased = await this.host
        .request(candidate.url, '/cellwise/v1/kernels/lease', {
          method: 'POST',
          body: JSON.stringify({ kernel_name: name, run_id: runId, ...(limits ? { limits } : {}) }),
        })
        .catch((error: unknown) => {
          // A host that went away since the directory listed it: the next one may have room.
          if (error instanceof KernelHostUnreachableError) return error;
          throw error;
        })
        .finally(() => {
          lease.doneAt = Date.now();
          setTimeout(() => this.leases.delete(lease), LEASE_MEMORY_MS).unref();
        });
      if (leased instanceof KernelHostUnreachableError) {
        unreachable = leased;
        continue;
      }
      if (leased.status === 503) {
        refused = true;
        refusal = (await leased.text().catch(() => '')).slice(0, 300);
        continue;
      }
      await this.host.expect(leased, `leasing a ${name} kernel`, 201);
      const body = await this.host.json(
        leased,
        'lease',
        (v): v is { id: string } => isObject(v) && typeof v.id === 'string',
      );
      return { kernelId: body.id, host: candidate.url, hostId: candidate.hostId };
    }
    // Full only if a host said so; a fleet that could not be reached is unreachable.
    if (unreachable && !refused) throw unreachable;
    throw new KernelFleetFullError(refusal);
  }

  async hostState(ref: KernelRef): Promise<'live' | 'lost' | 'unreachable'> {
    if (!(await this.host.hosts().catch(() => [ref.host])).includes(ref.host)) return 'lost';
    try {
      const view = await this.host.describe(ref.host);
      return ref.hostId === undefined || view.hostId === ref.hostId ? 'live' : 'lost';
    } catch (error) {
      if (error instanceof KernelHostRejectedError && error.status === 404) return 'lost';
      return 'unreachable';
    }
  }

  fleet(): Promise<KernelHostView[]> {
    return this.host.fleet();
  }

  async connect(ref: KernelRef, sessionId: string): Promise<KernelSession> {
    const settings = await this.host.settings(ref.host);
    return JupyterKernelSession.open(
      (webSocket) => ({ ...settings, WebSocket: webSocket }),
      ref.kernelId,
      sessionId,
    );
  }

  async interrupt(ref: KernelRef): Promise<void> {
    const settings = await this.host.settings(ref.host);
    await translate('interrupting the kernel', () => KernelAPI.interruptKernel(ref.kernelId, settings));
  }

  async alive(ref: KernelRef): Promise<boolean> {
    const response = await this.host.request(ref.host, this.kernelPath(ref, 'alive'));
    if (response.status === 404) return false;
    await this.host.expect(response, 'kernel watchdog', 200);
    const body = await this.host.json(
      response,
      'watchdog',
      (v): v is { alive: boolean } => isObject(v) && typeof v.alive === 'boolean',
    );
    return body.alive;
  }

  async shutdown(ref: KernelRef): Promise<void> {
    // The host ends the kernel and its box in the background: nobody waits for the process to
    // exit (a graceful shutdown takes a few hundred ms).
    const released = await this.host.request(ref.host, this.kernelPath(ref, 'release'), {
      method: 'POST',
      body: '{}',
    });
    if (released.status === 202) return this.host.drain(released);
    // 404: the kernel is gone, or a pooled one: make sure, the Jupyter way.
    await this.host.expect(released, 'releasing the kernel', 404);
    await this.host.drain(released);
    const settings = await this.host.settings(ref.host);
    await translate('shutting the kernel down', async () => {
      try {
        await KernelAPI.shutdownKernel(ref.kernelId, settings);
      } catch (error) {
        if (!(error instanceof ServerConnection.ResponseError && error.response.status === 404)) throw error;
      }
    });
  }

  async keep(ref: KernelRef, seconds: number): Promise<void> {
    const response = await this.host.request(ref.host, this.kernelPath(ref, 'keep'), {
      method: 'POST',
      body: JSON.stringify({ seconds }),
    });
    await this.host.expect(response, 'keeping the kernel', 200);
    await this.host.drain(response);
  }

  async reclaim(ref: KernelRef): Promise<boolean> {
    const response = await this.host.request(ref.host, this.kernelPath(ref, 'reclaim'), {
      method: 'POST',
      body: '{}',
    });
    if (response.status === 404) {
      await this.host.drain(response);
      return false;
    }
    await this.host.expect(response, 'reclaiming the kernel', 200);
    await this.host.drain(response);
    return true;
  }

  async usage(ref: KernelRef): Promise<KernelUsage | null> {
    const response = await this.host.request(ref.host, this.kernelPath(ref, 'usage'));
    if (response.status === 404) {
      await this.host.drain(response);
      return null;
    }
    await this.host.expect(response, 'kernel usage', 200);
    const body = await this.host.json(response, 'kernel usage', isUsage);
    const limits = body.limits as unknown as Record<string, unknown>;
    if (!['memoryMiB', 'processes', 'diskMiB'].every((k) => typeof limits[k] === 'number')) {
      throw new KernelHostRejectedError(200, 'kernel usage: malformed limits');
    }
    return {
      peakMemoryBytes: body.peakMemoryBytes,
      cpuSeconds: body.cpuSeconds,
      peakDiskBytes: body.peakDiskBytes,
      oomKilled: body.oomKilled,
      breach: body.breach,
      limits: body.limits,
    };
  }
}
