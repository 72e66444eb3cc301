import { lookup } from 'node:dns/promises';
import { readFile, stat } from 'node:fs/promises';
import { KernelHostUnreachableError } from '../core/run/kernel.ts';

/** Where the kernel hosts of this deployment are: the base URL of each live one. */
export interface KernelHostDirectory {
  hosts(): Promise<string[]>;
}

/**
 * The hosts behind one DNS name (AWS: the Cloud Map service of the kernel host fleet, one A
 * record per healthy task, which ECS registers and removes). A literal address is one host.
 */
export class DnsHostDirectory implements KernelHostDirectory {
  constructor(private readonly baseUrl: string) {}

  async hosts(): Promise<string[]> {
    const url = new URL(this.baseUrl);
    if (/^[\d.]+$|^\[|^localhost$/.test(url.hostname)) return [url.origin];
    let addresses: { address: string }[];
    try {
      addresses = await lookup(url.hostname, { all: true, family: 4 });
    } catch (error) {
      throw new KernelHostUnreachableError(`resolving ${url.hostname}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return addresses.map(({ address }) => {
      const host = new URL(url.origin);
      host.hostname = address;
      return host.origin;
    });
  }
}

/**
 * The hosts the local stack keeps running (`local-stack/kernel-fleet.ts` rewrites the file as
 * hosts start, are lost and are restarted): `{"hosts": [{"url": ...}]}`, re-read when it changes.
 */
export class FileHostDirectory implements KernelHostDirectory {
  private cached: { version: string; hosts: string[] } | undefined;

  constructor(private readonly path: string) {}

  async hosts(): Promise<string[]> {
    let version: string;
    try {
      const file = await stat(this.path); // replaced by a rename on every change: a new inode
      version = `${file.ino}:${file.mtimeMs}`;
    } catch (error) {
      throw new KernelHostUnreachableError(`no kernel host directory at ${this.path}`, { cause: error });
    }
    if (this.cached?.version !== version) {
      const body = JSON.parse(await readFile(this.path, 'utf8')) as { hosts?: { url?: unknown }[] };
      const hosts = (body.hosts ?? []).map((h) => h.url).filter((u): u is string => typeof u === 'string');
      this.cached = { version, hosts };
    }
    return this.cached.hosts;
  }
}

/** The directory the configuration names: a hosts file (local stack) or a URL / DNS name. */
export function hostDirectory(config: {
  kernelHostsFile?: string;
  kernelHostUrl: string;
}): KernelHostDirectory {
  return config.kernelHostsFile
    ? new FileHostDirectory(config.kernelHostsFile)
    : new DnsHostDirectory(config.kernelHostUrl);
}
