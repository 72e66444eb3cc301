import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningJupyter } from './jupyter-process.ts';
import { startKernelHost } from './kernel-host.ts';

/** A lost host is started again after this long, longer after each failed start (at most a minute). */
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 60_000;

export interface FleetEvents {
  lost?: (index: number, code: number | null, hostId: string) => void;
  restarted?: (index: number, host: RunningJupyter, hostId: string) => void;
  failed?: (index: number, error: unknown) => void;
}

/**
 * The local stack's kernel hosts: `count` Jupyter Servers (CELLWISE_KERNEL_HOSTS, default 1),
 * each behind its own launcher with its own state, registered in a directory file the
 * service reads (`CELLWISE_KERNEL_HOSTS_FILE`), as ECS registers Fargate tasks in Cloud Map. A
 * host that exits is taken out of the directory at once (the service then ends its runs
 * `KernelHostLost`) and started again with a new id and port, then put back: a lost host is
 * not a lost service. All hosts share one token.
 */
export class LocalKernelFleet {
  readonly token = randomBytes(24).toString('hex');
  readonly directoryFile: string;
  private readonly hosts = new Map<number, RunningJupyter>();
  private readonly generations = new Map<number, number>();
  private stopping = false;
  private publishing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dataDir: string,
    private readonly events: FleetEvents,
  ) {
    this.directoryFile = join(dataDir, 'kernel-host', 'hosts.json');
  }

  static async start(dataDir: string, count: number, events: FleetEvents = {}): Promise<LocalKernelFleet> {
    if (!Number.isInteger(count) || count < 1 || count > 16) {
      throw new Error(`CELLWISE_KERNEL_HOSTS must be an integer from 1 to 16, got ${count}`);
    }
    const fleet = new LocalKernelFleet(dataDir, events);
    try {
      await Promise.all(Array.from({ length: count }, (_, index) => fleet.startHost(index)));
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  /** The running hosts, by index. */
  get running(): ReadonlyMap<number, RunningJupyter> {
    return this.hosts;
  }

  private async startHost(index: number): Promise<{ host: RunningJupyter; hostId: string }> {
    const generation = (this.generations.get(index) ?? 0) + 1;
    this.generations.set(index, generation);
    const hostId = `local-${index}-${generation}-${randomBytes(3).toString('hex')}`;
    const host = await startKernelHost(this.dataDir, { name: `host-${index}`, token: this.token, hostId });
    this.hosts.set(index, host);
    host.process.once('exit', (code) => void this.lost(index, host, hostId, code));
    await this.publish();
    return { host, hostId };
  }

  private async lost(
    index: number,
    host: RunningJupyter,
    hostId: string,
    code: number | null,
  ): Promise<void> {
    if (this.stopping || this.hosts.get(index) !== host) return;
    this.hosts.delete(index);
    await this.publish();
    this.events.lost?.(index, code, hostId);
    await host.stop().catch(() => undefined); // its state's temporary places
    for (let delay = RESTART_DELAY_MS; !this.stopping; delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.stopping) return;
      try {
        const { host: started, hostId } = await this.startHost(index);
        this.events.restarted?.(index, started, hostId);
        return;
      } catch (error) {
        this.events.failed?.(index, error);
      }
    }
  }

  /**
   * Rewrites the directory (a new file renamed into place: readers see one or the other),
   * one write at a time, each with the hosts as they are when it runs.
   */
  private publish(): Promise<void> {
    this.publishing = this.publishing.then(async () => {
      const hosts = [...this.hosts.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, host]) => ({ index, url: host.baseUrl }));
      const next = `${this.directoryFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(next, `${JSON.stringify({ hosts }, null, 2)}\n`, { mode: 0o600 });
      await rename(next, this.directoryFile);
    });
    return this.publishing;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.hosts.values()].map((host) => host.stop()));
    this.hosts.clear();
  }
}
