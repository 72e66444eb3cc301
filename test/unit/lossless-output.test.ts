import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { detachedBufferEnv } from '../../local-stack/lossless-output.ts';

const KERNEL_HOST_DIR = fileURLToPath(new URL('../../kernel-host', import.meta.url));

describe('unit: the local kernel host’s lossless output settings', () => {
  it('has a python3 kernelspec that starts ipykernel through kernel.py', async () => {
    const spec = JSON.parse(
      await readFile(join(KERNEL_HOST_DIR, 'share/jupyter/kernels/python3/kernel.json'), 'utf8'),
    );
    expect(spec.argv).toEqual(['/usr/bin/python3', '{resource_dir}/kernel.py', '-f', '{connection_file}']);
  });

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
