import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { execute, notebookOf, runToEnd, streamText, upload, waitForRun } from '../support/runs.ts';
import { processesOf, SANDBOX_MODES } from '../support/sandbox-modes.ts';

const GiB = 1024 ** 3;

/** Polls `check` until it holds (or `timeoutMs` passes); returns its last value. */
async function eventually<T>(check: () => T, ok: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The JSON the cell `index` printed last. */
const printed = (executed: any, index = 0) =>
  JSON.parse(streamText(executed.cells[index]).trim().split('\n').at(-1)!);

describe.each(SANDBOX_MODES)('kernel limits and clean-up ($name)', ({ full, info }) => {
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    api = client(await newTenant({ on: info() }));
  });

  /** A trivial run completes: the service and the kernel host are healthy after a breach. */
  const healthy = async () => {
    const { status } = await runToEnd(api, notebookOf(['print(1 + 1)']));
    expect(status.status).toBe('Completed');
  };

  it('stops a kernel that takes 3 GiB of memory (default limit 2 GiB) with a clear error, keeping what ran before', async () => {
    const { status, executed } = await runToEnd(
      api,
      notebookOf([
        "print('before')",
        'x = bytearray(3 << 30)\nfor i in range(0, len(x), 4096):\n    x[i] = 1',
        "print('never')",
      ]),
    );
    expect(status.status).toBe('Error');
    expect(status.resourceLimits).toEqual({ memoryMiB: 2048, processes: 256, diskMiB: 1024 });
    if (full) {
      // A cgroup of its own: the kernel is killed for memory, and the run says so.
      expect(status.error).toMatchObject({ errorType: 'MemoryLimitExceeded', cellId: 'c2' });
      expect(status.error.errorMessage).toMatch(/memory limit \(2048 MiB\)/);
      expect(status.resources.peakMemoryBytes).toBeGreaterThan(1.9 * GiB);
      expect(status.resources.peakMemoryBytes).toBeLessThanOrEqual(2 * GiB);
    } else {
      // An address-space rlimit: the allocation fails in the kernel, surfaced as it is.
      expect(status.error).toMatchObject({
        errorType: 'CellError',
        errorMessage: expect.stringMatching(/^MemoryError/),
      });
    }
    expect(streamText(executed.cells[0])).toBe('before\n');
    expect(status.cellResults.map((c: { status: string }) => c.status)).toEqual(['Success', 'Error']);
    await healthy();
  });

  it('refuses a kernel its 600th process: the fork fails as the system says it (BlockingIOError)', async () => {
    const { status, executed } = await runToEnd(
      api,
      notebookOf([
        'import os\nprint(os.getuid())',
        "import subprocess\nps = []\nfor _ in range(600):\n    ps.append(subprocess.Popen(['sleep', '60']))",
      ]),
      { keepKernelSeconds: 0 }, // not kept for a resume: the run's end is the kernel's end
    );
    expect(status.status).toBe('Error');
    expect(status.error).toMatchObject({
      errorType: 'CellError',
      errorMessage: expect.stringMatching(/^BlockingIOError: \[Errno 11\]/),
    });
    // Every process of the run is gone with it (nothing outlives its run).
    const uid = Number(streamText(executed.cells[0]));
    expect(
      await eventually(
        () => processesOf(uid),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    await healthy();
  });

  it("refuses writes past the disk limit (3 GiB against 1 GiB) with the system's own error", async () => {
    const { status } = await runToEnd(
      api,
      notebookOf([
        "with open('big.bin', 'wb') as f:\n    for _ in range(3 * 1024):\n        f.write(b'x' * (1 << 20))",
      ]),
      {},
      120_000,
    );
    expect(status.status).toBe('Error');
    // The box's own tmpfs is full (Errno 28); without one, the file-size rlimit stops it (Errno 27).
    expect(status.error.errorMessage).toMatch(
      full ? /^OSError: \[Errno 28\] No space left on device/ : /^OSError: \[Errno 27\] File too large/,
    );
    expect(status.resources.peakDiskBytes).toBeGreaterThan(0.9 * GiB);
    expect(status.resources.peakDiskBytes).toBeLessThan(1.1 * GiB);
    await healthy();
  });

  it('counts /tmp, /dev/shm and the working directory against one disk limit', async () => {
    const { status } = await runToEnd(
      api,
      notebookOf([
        `import os, time
for i in range(40):
    for where in ('/tmp', '/dev/shm', '.'):
        with open(os.path.join(where, f'part-{os.getpid()}-{i}'), 'wb') as f:
            f.write(b'x' * (1 << 20))
time.sleep(5)  # the kernel host measures a box without its own filesystem every 2 s`,
      ]),
      { resources: { diskMiB: 64 } },
    );
    expect(status.status).toBe('Error');
    expect(status.resourceLimits.diskMiB).toBe(64);
    if (full) expect(status.error.errorMessage).toMatch(/^OSError: \[Errno 28\] No space left on device/);
    else
      expect(status.error).toMatchObject({
        errorType: 'DiskLimitExceeded',
        errorMessage: expect.stringMatching(/disk limit \(64 MiB\)/),
      });
    await healthy();
  });

  it('ends every process and file of a run with it: detached, double-forked, in /tmp and /dev/shm', async () => {
    const tag = `cellwise-left-${Math.random().toString(36).slice(2)}`;
    const { status, executed } = await runToEnd(
      api,
      notebookOf([
        `import json, os, subprocess
subprocess.Popen(['setsid', 'sleep', '600'])
if os.fork() == 0:
    if os.fork() == 0:
        os.setsid()
        import time
        time.sleep(600)
    os._exit(0)
for where in ('/tmp', '/dev/shm'):
    open(os.path.join(where, ${JSON.stringify(tag)}), 'w').write('left behind')
print(json.dumps({"uid": os.getuid(), "box": os.path.dirname(os.getcwd())}))`,
      ]),
    );
    expect(status.status).toBe('Completed');
    const { uid, box } = printed(executed);
    expect(
      await eventually(
        () => processesOf(uid),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
    // A private /tmp and /dev/shm go with the box; shared ones are swept of the user's files.
    expect(
      await eventually(
        () => existsSync(box),
        (exists) => !exists,
      ),
    ).toBe(false);
    for (const where of ['/tmp', '/dev/shm']) expect(existsSync(`${where}/${tag}`), where).toBe(false);
  });

  it('ends a kept kernel and all it started when its keep time is up', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        "import os, subprocess\nsubprocess.Popen(['setsid', 'sleep', '600'])\nprint(os.getuid())",
        "raise ValueError('kept')",
      ]),
    );
    const run = await execute(api, notebookId, { keepKernelSeconds: 2 });
    const status = await waitForRun(api, notebookId, run.executionId);
    expect(status.error.errorType).toBe('CellError');
    const { results } = await import('../support/runs.ts').then((m) =>
      m.resultsOf(api, notebookId, run.executionId),
    );
    const uid = Number(results.outputs.find((o: { cellId: string }) => o.cellId === 'c1').content);
    expect(processesOf(uid).length).toBeGreaterThan(0); // kept: the kernel and its child live
    expect(
      await eventually(
        () => processesOf(uid),
        (left) => left.length === 0,
      ),
    ).toEqual([]);
  });

  it('measures a resume in its kept kernel from the resume on, not from the run it resumes', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        "import os, time\nif not os.path.exists('tried'):\n    open('tried', 'w').close()\n    t = time.process_time()\n    while time.process_time() - t < 1.5:\n        pass\n    raise ValueError('kept')",
      ]),
    );
    const failed = await execute(api, notebookId);
    const ended = await waitForRun(api, notebookId, failed.executionId);
    expect(ended.resources.cpuTimeSeconds).toBeGreaterThan(1.4);
    const resumed = await api.post(`/notebook/${notebookId}/execution/${failed.executionId}/resume`);
    expect(resumed.status).toBe(202);
    const status = await waitForRun(api, notebookId, resumed.body.executionId);
    expect(status.status).toBe('Completed');
    expect(status.resources.cpuTimeSeconds).toBeLessThan(0.5);
  });

  it('measures resources from outside the kernel: a notebook that forges getrusage cannot shrink them', async () => {
    const { status, executed } = await runToEnd(
      api,
      notebookOf([
        `import resource, time
real = resource.getrusage
class Forged:
    ru_maxrss, ru_utime, ru_stime = 1, 0.001, 0.001
resource.getrusage = lambda who: Forged()
x = bytearray(850 << 20)
for i in range(0, len(x), 4096):
    x[i] = 1
t = time.process_time()
while time.process_time() - t < 1.0:
    pass`,
        // What an in-kernel measure (getrusage, as the service used to read it) would now report.
        'import json\nu = resource.getrusage(resource.RUSAGE_SELF)\nprint(json.dumps({"maxrssKiB": u.ru_maxrss, "cpu": u.ru_utime + u.ru_stime}))',
      ]),
    );
    expect(status.status).toBe('Completed');
    expect(printed(executed, 1)).toEqual({ maxrssKiB: 1, cpu: 0.002 }); // the forgery works in the kernel
    expect(status.resources.peakMemoryBytes).toBeGreaterThan(850 * 1024 ** 2);
    expect(status.resources.cpuTimeSeconds).toBeGreaterThan(0.9);
  });
});
