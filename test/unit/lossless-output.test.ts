import { statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { passable } from '../../local-stack/kernel-sandbox.ts';
import { detachedBufferEnv, KERNEL_SPECS_DIR, kernelSpecsPath } from '../../local-stack/lossless-output.ts';

const asRoot = process.getuid?.() === 0;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cellwise-specs-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('unit: the local kernel host’s lossless output settings', () => {
  it('puts the checkout’s kernelspecs on JUPYTER_PATH, or a copy kernels can read', async () => {
    expect(await kernelSpecsPath([], dir)).toBe(KERNEL_SPECS_DIR);
    const readable = await passable(KERNEL_SPECS_DIR);
    expect(await kernelSpecsPath(['uid', 'net'], dir)).toBe(
      readable ? KERNEL_SPECS_DIR : join(dir, 'jupyter'),
    );
    const spec = JSON.parse(await readFile(join(KERNEL_SPECS_DIR, 'kernels/python3/kernel.json'), 'utf8'));
    expect(spec.argv).toEqual(['/usr/bin/python3', '{resource_dir}/kernel.py', '-f', '{connection_file}']);
  });

  it.runIf(asRoot)(
    'gives kernels of their own users a readable copy when the checkout is private',
    async () => {
      const checkout = join(dir, 'private');
      const specs = join(checkout, 'share', 'jupyter');
      await mkdir(join(specs, 'kernels', 'python3'), { recursive: true });
      await writeFile(join(specs, 'kernels', 'python3', 'kernel.py'), 'x = 1\n', { mode: 0o600 });
      await chmod(checkout, 0o700);
      const places = join(dir, 'places');
      await mkdir(places);
      const path = await kernelSpecsPath(['uid'], places, specs);
      expect(path).toBe(join(places, 'jupyter'));
      expect(statSync(join(path, 'kernels', 'python3', 'kernel.py')).mode & 0o777).toBe(0o644);
      expect(statSync(join(path, 'kernels', 'python3')).mode & 0o777).toBe(0o755);
    },
  );

  it('passes the detached buffer bounds to the kernel host only when set', () => {
    expect(detachedBufferEnv({})).toEqual({});
    expect(
      detachedBufferEnv({
        CELLWISE_KERNEL_HOST_BUFFER_MESSAGES: '100',
        CELLWISE_KERNEL_HOST_BUFFER_BYTES: '2048',
      }),
    ).toEqual({ KERNEL_HOST_BUFFER_MAX_MESSAGES: '100', KERNEL_HOST_BUFFER_MAX_BYTES: '2048' });
  });
});
