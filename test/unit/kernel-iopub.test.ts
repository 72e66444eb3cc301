import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FLOOD = fileURLToPath(new URL('../fixtures/iopub_flood.py', import.meta.url));
const KERNEL_HOST_DIR = fileURLToPath(new URL('../../kernel-host', import.meta.url));
/** The kernel host's own kernelspecs (found first through JUPYTER_PATH). */
const KERNEL_SPECS_DIR = join(KERNEL_HOST_DIR, 'share', 'jupyter');
const env = {
  PATH: '/usr/bin:/bin',
  HOME: '/tmp',
  LANG: 'C.UTF-8',
  PYTHONDONTWRITEBYTECODE: '1',
  PYDEVD_DISABLE_FILE_VALIDATION: '1',
};

function python(args: string[], extraEnv: Record<string, string> = {}) {
  const done = spawnSync('/usr/bin/python3', args, {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...env, ...extraEnv },
  });
  expect(done.status, done.stderr).toBe(0);
  return JSON.parse(done.stdout.trim().split('\n').at(-1)!);
}

/** 3,000 displays of 20 KB: far beyond what ZeroMQ's queues and socket buffers hold. */
const flood = (kernels: string) => python([FLOOD, kernels, '3000']);

describe('unit: kernel output is never dropped on its way to the kernel host', () => {
  it("keeps every IOPub message of Cellwise's python3 kernel when its reader falls behind", () => {
    const ours = flood(join(KERNEL_SPECS_DIR, 'kernels'));
    expect(ours.specDir).toBe(join(KERNEL_SPECS_DIR, 'kernels', 'python3'));
    expect(ours.argv[1]).toBe('{resource_dir}/kernel.py');
    expect(ours).toMatchObject({ displays: 3000, idle: true });
  });

  it("loses messages, and even the cell's idle status, with ipykernel's own launcher (the cause)", () => {
    const stock = flood('system');
    expect(stock.argv).toContain('ipykernel_launcher');
    expect(stock.displays).toBeLessThan(3000);
    expect(stock.idle).toBe(false);
  });

  it('holds a detached session to its bound by pausing the kernel, never by dropping', () => {
    const script = `
import json
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from cellwise_kernel_host import detached_buffer

class Stream:
    def __init__(self):
        self.callback = None
    def on_recv(self, callback):
        self.callback = callback
    def stop_on_recv(self):
        self.callback = None

km = MappingKernelManager()
km._check_kernel_id = lambda kernel_id: None
detached_buffer.apply(*detached_buffer.limits())
channels = {"iopub": Stream(), "shell": Stream()}
km.start_buffering("k", "session", channels)
sent = 0
while channels["iopub"].callback and sent < 100:
    channels["iopub"].callback([b"x" * 10, b"y" * 10])
    sent += 1
buffer = km._kernel_buffers["k"]["buffer"]
print(json.dumps({"sent": sent, "buffered": len(buffer), "shellPaused": channels["shell"].callback is None}))
`;
    const byCount = python(['-c', script], {
      PYTHONPATH: KERNEL_HOST_DIR,
      KERNEL_HOST_BUFFER_MAX_MESSAGES: '7',
    });
    expect(byCount).toEqual({ sent: 7, buffered: 7, shellPaused: true });
    const byBytes = python(['-c', script], {
      PYTHONPATH: KERNEL_HOST_DIR,
      KERNEL_HOST_BUFFER_MAX_BYTES: '100',
    });
    expect(byBytes).toEqual({ sent: 5, buffered: 5, shellPaused: true });
    const unbounded = python(['-c', script], { PYTHONPATH: KERNEL_HOST_DIR });
    expect(unbounded).toEqual({ sent: 100, buffered: 100, shellPaused: false });
  });
});
