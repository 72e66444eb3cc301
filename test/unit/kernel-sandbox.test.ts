import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kernelPlaces, kernelSandbox } from '../../local-stack/kernel-sandbox.ts';

const LAUNCHER = fileURLToPath(new URL('../../kernel-host/cellwise_kernel_host/launch.py', import.meta.url));
const asRoot = process.getuid?.() === 0;
let dir: string;
const made: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cellwise-places-'));
});
afterEach(async () => {
  for (const path of [dir, ...made.splice(0)]) await rm(path, { recursive: true, force: true });
});

async function sdkIn(parent: string) {
  const sdk = join(parent, 'sdk');
  await mkdir(join(sdk, 'cellwise', '__pycache__'), { recursive: true });
  await writeFile(join(sdk, 'cellwise', '__init__.py'), 'x = 1\n', { mode: 0o600 });
  await writeFile(join(sdk, 'cellwise', '__pycache__', 'stale.pyc'), '');
  return sdk;
}

describe('unit: kernel sandbox set-up of the local stack', () => {
  it('asks for a user and a network namespace per kernel as root, fewer when told', () => {
    expect(kernelSandbox({ CELLWISE_KERNEL_SANDBOX: 'off' })).toEqual([]);
    expect(kernelSandbox({ CELLWISE_KERNEL_NETWORK: 'host' })).not.toContain('net');
    if (asRoot) expect(kernelSandbox({})).toEqual(['uid', 'net']);
  });

  it('keeps kernels under the state directory when every directory up to it lets others pass', async () => {
    await chmod(dir, 0o711);
    const state = join(dir, 'kernel-host');
    await mkdir(state);
    const sdk = await sdkIn(dir);
    const places = await kernelPlaces(state, sdk, ['uid', 'net']);
    expect(places).toEqual({
      rootDir: join(state, 'work'),
      privateDir: join(state, 'kernels'),
      sdkDir: sdk,
      temporary: [],
    });
    expect(statSync(places.rootDir).mode & 0o777).toBe(0o711);
  });

  it('moves kernels to the temp directory with a readable copy of the SDK when a parent is private', async () => {
    await chmod(dir, 0o700);
    const state = join(dir, 'kernel-host');
    await mkdir(state);
    const sdk = await sdkIn(dir);
    const places = await kernelPlaces(state, sdk, ['uid']);
    made.push(...places.temporary);
    expect(places.rootDir.startsWith(join(tmpdir(), 'cellwise-kernels-'))).toBe(true);
    expect(places.temporary).toEqual([join(places.rootDir, '..')]);
    expect(places.sdkDir).toBe(join(places.rootDir, '..', 'sdk'));
    expect(statSync(join(places.sdkDir, 'cellwise', '__init__.py')).mode & 0o777).toBe(0o644);
    expect(statSync(join(places.sdkDir, 'cellwise')).mode & 0o777).toBe(0o755);
    expect(existsSync(join(places.sdkDir, 'cellwise', '__pycache__'))).toBe(false);
    // Without a user per kernel, kernels read what the service reads: nothing moves.
    expect((await kernelPlaces(state, sdk, ['net'])).rootDir).toBe(join(state, 'work'));
  });

  it('refuses a launch without a kernel command or with an unknown option, saying why', () => {
    for (const args of [
      ['--private', dir],
      ['--private', dir, '--bogus', '--', 'true'],
    ]) {
      const result = spawnSync('/usr/bin/python3', [LAUNCHER, ...args], { encoding: 'utf8' });
      expect(result.status).toBe(70);
      expect(result.stderr).toMatch(/^cellwise kernel launcher: (no kernel command|unknown option)/);
    }
  });
});
