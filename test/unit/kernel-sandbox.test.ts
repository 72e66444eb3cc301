import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kernelPlaces, kernelSandbox } from '../../local-stack/kernel-sandbox.ts';

const LAUNCHER = fileURLToPath(new URL('../../kernel-host/launcher.py', import.meta.url));
const asRoot = process.getuid?.() === 0;
let dir: string;
const made: string[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cellwise-places-'));
});
afterEach(async () => {
  for (const path of [dir, ...made.splice(0)]) await rm(path, { recursive: true, force: true });
});

async function codeIn(parent: string, name: string) {
  const code = join(parent, name);
  await mkdir(join(code, 'pkg', '__pycache__'), { recursive: true });
  await writeFile(join(code, 'pkg', '__init__.py'), 'x = 1\n', { mode: 0o600 });
  await writeFile(join(code, 'pkg', '__pycache__', 'stale.pyc'), '');
  return code;
}

describe('unit: kernel sandbox set-up of the local stack', () => {
  it('asks the launcher for every mode the machine allows, fewer when told, and gives the server a user of its own as root', () => {
    expect(kernelSandbox({ CELLWISE_KERNEL_SANDBOX: 'off' })).toEqual({
      sandbox: 'off',
      without: [],
      serverUid: null,
    });
    expect(kernelSandbox({ CELLWISE_KERNEL_NETWORK: 'host' })).toMatchObject({
      sandbox: 'auto',
      without: ['net'],
    });
    expect(kernelSandbox({ CELLWISE_KERNEL_SANDBOX: 'uid' }).sandbox).toBe('uid');
    const { serverUid } = kernelSandbox({});
    if (asRoot) {
      expect(serverUid).toBeGreaterThanOrEqual(1_800_000_000);
      expect(serverUid).toBeLessThan(1_900_000_000); // below the kernels' users
    } else expect(serverUid).toBeNull();
  });

  it('keeps the server under the state directory when every directory up to it lets others pass', async () => {
    await chmod(dir, 0o711);
    const state = join(dir, 'kernel-host');
    await mkdir(state);
    const code = { sdkDir: await codeIn(dir, 'sdk'), hostDir: await codeIn(dir, 'host') };
    const places = await kernelPlaces(state, code, kernelSandbox({}));
    made.push(...places.temporary);
    expect(places).toMatchObject({ stateDir: state, rootDir: join(state, 'work'), ...code });
    if (asRoot) {
      // The boxes are never under /tmp: each kernel's own /tmp covers it.
      expect(places.kernelsDir.startsWith('/run/cellwise/')).toBe(true);
      expect(statSync(join(places.kernelsDir, '..')).mode & 0o777).toBe(0o711);
    }
  });

  it.runIf(asRoot)('moves the server and readable copies of the code when a parent is private', async () => {
    await chmod(dir, 0o700);
    const state = join(dir, 'kernel-host');
    await mkdir(state);
    const code = { sdkDir: await codeIn(dir, 'sdk'), hostDir: await codeIn(dir, 'host') };
    const places = await kernelPlaces(state, code, kernelSandbox({}));
    made.push(...places.temporary);
    expect(places.stateDir.startsWith('/run/cellwise/')).toBe(true);
    expect(places.temporary).toContain(places.stateDir);
    for (const copy of [places.sdkDir, places.hostDir]) {
      expect(copy.startsWith(places.stateDir)).toBe(true);
      expect(statSync(join(copy, 'pkg', '__init__.py')).mode & 0o777).toBe(0o644);
      expect(statSync(join(copy, 'pkg')).mode & 0o777).toBe(0o755);
      expect(existsSync(join(copy, 'pkg', '__pycache__'))).toBe(false);
    }
    // With the sandbox off, the server is this process's user: nothing moves.
    const off = await kernelPlaces(state, code, kernelSandbox({ CELLWISE_KERNEL_SANDBOX: 'off' }));
    made.push(...off.temporary);
    expect(off).toMatchObject({ stateDir: state, ...code });
  });

  it('refuses a launch without a server command, with an unknown option or mode, saying why', () => {
    for (const [args, reason] of [
      [['--state', dir, '--kernels', dir], /no server command/],
      [['--state', dir, '--kernels', dir, '--bogus', '--', 'true'], /unknown option '--bogus'/],
      [['--state', dir, '--kernels', dir, '--sandbox', 'uid,chroot', '--', 'true'], /unknown sandbox mode/],
      [['--kernels', dir, '--', 'true'], /--state, --kernels and a server command are required/],
    ] as const) {
      const result = spawnSync('/usr/bin/python3', ['-I', LAUNCHER, ...args], { encoding: 'utf8' });
      expect(result.status, args.join(' ')).toBe(64);
      expect(result.stderr).toMatch(reason);
    }
  });

  it.runIf(asRoot)(
    'refuses boxes under /tmp when asked for the private-/tmp mode, which would hide them',
    () => {
      const result = spawnSync(
        '/usr/bin/python3',
        [
          '-I',
          LAUNCHER,
          '--state',
          join(dir, 'state'),
          '--kernels',
          join(dir, 'kernels'),
          '--sandbox',
          'mnt',
          '--',
          'true',
        ],
        { encoding: 'utf8' },
      );
      expect(result.status).toBe(64);
      expect(result.stderr).toMatch(/--kernels must not be under \/tmp with mnt/);
    },
  );
});
