import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StackInfo } from '../../local-stack/spawn-stack.ts';
import { stack, uidOnlyStack } from './api.ts';

/**
 * The two ways the test stacks box kernels: everything this machine allows (a user, a network
 * namespace, a private /tmp on a sized tmpfs, a cgroup per kernel), and only what AWS Fargate
 * allows (a user per kernel; limits by rlimits and the kernel host's disk check). The sandbox
 * tests run in both.
 */
export const SANDBOX_MODES: { name: string; full: boolean; info: () => StackInfo }[] = [
  { name: 'every box the machine allows', full: true, info: stack },
  { name: 'a user per kernel only, as on AWS Fargate', full: false, info: uidOnlyStack },
];

/** A root-only file outside every data dir, with a known secret: what a planted link points at. */
export async function rootOnlyCanary(secret = `canary ${Math.random()}`) {
  const dir = await mkdtemp(join(tmpdir(), 'cellwise-canary-'));
  const file = join(dir, 'canary');
  await writeFile(file, secret, { mode: 0o600 });
  return { dir, file, secret, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The processes of a user (kernels run as users of their own), from /proc. */
export function processesOf(uid: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid && state !== 'Z' && state !== 'X') {
        found.push(Number(name));
      }
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
