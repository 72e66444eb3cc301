import { existsSync, linkSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import {
  execute,
  notebookOf,
  resultsOf,
  runToEnd,
  streamText,
  tinyLog,
  upload,
  waitForRun,
  waitUntil,
} from '../support/runs.ts';
import { rootOnlyCanary, SANDBOX_MODES } from '../support/sandbox-modes.ts';

/** The JSON a run's cell printed last. */
const printed = (executed: any, cell = 0) =>
  JSON.parse(streamText(executed.cells[cell]).trim().split('\n').at(-1)!);

const portOf = (url: string) => Number(new URL(url).port);

/** Python: `attempt(action)` is "allowed", or the name of the OSError the action raised. */
const ATTEMPT = `def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as e:
        return type(e).__name__
`;

let canary: Awaited<ReturnType<typeof rootOnlyCanary>>;
beforeAll(async () => {
  canary = await rootOnlyCanary();
});
afterAll(() => canary.remove());

/** The kernel process whose working directory holds `marker` (the test is root: it sees every cwd). */
function kernelWith(marker: string): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // A kernel is started with its box's connection file (kernel-host/cellwise_launcher).
      if (!readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('/ipc/connection.json')) continue;
      if (existsSync(`/proc/${name}/cwd/${marker}`)) return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

/** What a cell of a run printed, once the cell has ended (the run may still be going). */
async function cellStdout(
  api: ReturnType<typeof client>,
  notebookId: string,
  executionId: string,
  cellId: string,
) {
  for (let tries = 0; tries < 100; tries++) {
    const { results } = await resultsOf(api, notebookId, executionId);
    const text = results.outputs
      .filter((o: { cellId: string; outputType: string }) => o.cellId === cellId && o.outputType === 'stream')
      .map((o: { content: string }) => o.content)
      .join('');
    if (text) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`cell ${cellId} printed nothing`);
}

describe.each(SANDBOX_MODES)('kernel sandbox ($name)', ({ full, info }) => {
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    api = client(await newTenant({ on: info() }));
  });

  it("keeps notebook code out of the stack's files, the server's token and the other kernels", async () => {
    const stack = info();
    const probe = `
import json, os, socket
${ATTEMPT}def connect(port):
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
def own_loopback():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0)); server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
data = ${JSON.stringify(stack.dataDir)}
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
    "seed": attempt(lambda: open(os.path.join(data, "seed.json")).read()),
    "signingKey": attempt(lambda: open(os.path.join(data, "link-signing-key")).read()),
    "secretsKey": attempt(lambda: open(os.path.join(data, "secrets-key")).read()),
    "listData": attempt(lambda: os.listdir(data)),
    "s3Files": attempt(lambda: os.listdir(os.path.join(data, "s3"))),
    "serverState": attempt(lambda: os.listdir(os.path.join(data, "kernel-host", "host-0", "runtime"))),
    "otherBoxes": attempt(lambda: os.listdir(os.path.join(os.getcwd(), "..", ".."))),
    "parentEnviron": attempt(lambda: open(f"/proc/{os.getppid()}/environ").read()),
    "canary": attempt(lambda: open(${JSON.stringify(canary.file)}).read()),
    "dynamodb": attempt(lambda: connect(${portOf(stack.dynamodbEndpoint)})),
    "api": attempt(lambda: connect(${portOf(stack.baseUrl)})),
    "ownLoopback": attempt(own_loopback),
    "home": os.environ["HOME"].startswith(os.path.dirname(os.getcwd())),
}))`;
    const { status, executed } = await runToEnd(api, notebookOf([probe]));
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const seen = printed(executed);
    expect(seen.uid).toBeGreaterThan(65_535);
    expect(seen.gid).toBe(seen.uid);
    expect(seen.groups).toEqual([]);
    // A private /tmp hides a data dir under /tmp altogether (not found); elsewhere it is refused.
    const refused =
      full && stack.dataDir.startsWith('/tmp/')
        ? /^(PermissionError|FileNotFoundError)$/
        : /^PermissionError$/;
    for (const key of ['seed', 'signingKey', 'secretsKey', 'listData', 's3Files', 'serverState', 'canary']) {
      expect(seen[key], key).toMatch(refused);
    }
    for (const key of ['otherBoxes', 'parentEnviron']) expect(seen[key], key).toBe('PermissionError');
    // Without a network namespace (AWS) the task's loopback is shared: only the full box closes it.
    if (full) {
      for (const key of ['dynamodb', 'api'])
        expect(seen[key], key).toMatch(/ConnectionRefusedError|OSError|TimeoutError/);
    }
    expect(seen.ownLoopback).toBe('allowed');
    expect(seen.home).toBe(true);
  });

  it('gives two runs at once different users: neither can read the other’s files or signal any other kernel', async () => {
    const holder = await upload(
      api,
      notebookOf([
        "open('secret.txt', 'w').write('mine')\nimport os\nprint(os.getcwd())",
        'import time\ntime.sleep(60)',
      ]),
    );
    const held = await execute(api, holder);
    await waitUntil(api, holder, held.executionId, (s) => s.currentCell === 'c2');
    const heldDir = (await cellStdout(api, holder, held.executionId, 'c1')).trim();
    const { status, executed } = await runToEnd(
      api,
      notebookOf([
        `import json, os
${ATTEMPT}def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Uid:"))
kernels = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        command = open(f"/proc/{pid}/cmdline", "rb").read()
    except OSError:
        continue
    if b"/ipc/connection.json" in command and int(pid) != os.getpid():
        kernels.append({"uid": uid_of(pid), "signal": attempt(lambda: os.kill(int(pid), 0))})
print(json.dumps({
    "uid": os.getuid(),
    "read": attempt(lambda: open(os.path.join(${JSON.stringify(heldDir)}, "secret.txt")).read()),
    "kernels": kernels,
}))`,
      ]),
    );
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const seen = printed(executed);
    expect(heldDir).toMatch(/\/work$/);
    // Out of reach (the box's directories are its user's alone) or, where the box is a tmpfs
    // in the kernel's own mount namespace, out of sight: never read.
    expect(seen.read).toMatch(/^(PermissionError|FileNotFoundError)$/);
    // At least the holder's kernel (and the warm pool's): each a user of its own, out of reach.
    expect(seen.kernels.length).toBeGreaterThanOrEqual(1);
    for (const kernel of seen.kernels) {
      expect(kernel.uid).not.toBe(seen.uid);
      expect(kernel.uid).toBeGreaterThan(65_535);
      expect(kernel.signal).toBe('PermissionError');
    }
    const cancel = await api.post(`/notebook/${holder}/execution/${held.executionId}/cancel`);
    expect(cancel.status).toBe(202);
    expect((await waitForRun(api, holder, held.executionId)).status).toBe('Cancelled');
  });

  it('collects no link, FIFO or hard link from the outbox: each is skipped with its reason, the secret never stored', async () => {
    const marker = `marker-${Math.random().toString(36).slice(2)}`;
    const notebookId = await upload(
      api,
      notebookOf([
        `import os
from cellwise import ProcessMiningClient
client = ProcessMiningClient()
for name in ["kept", "linked", "piped", "hard"]:
    client.log_model({"weights": [1, 2]}, name, metrics={"score": 1})
outbox = ".cellwise/outbox"
os.remove(f"{outbox}/model-linked.pkl"); os.symlink(${JSON.stringify(canary.file)}, f"{outbox}/model-linked.pkl")
os.remove(f"{outbox}/model-piped.pkl"); os.mkfifo(f"{outbox}/model-piped.pkl")
os.symlink(${JSON.stringify(canary.file)}, f"{outbox}/model-sneaky.json")
open(${JSON.stringify(marker)}, "w").close()`,
        `import os, time
deadline = time.time() + 30
while not os.path.exists("go") and time.time() < deadline:
    time.sleep(0.05)`,
      ]),
    );
    const started = await execute(api, notebookId);
    await waitUntil(api, notebookId, started.executionId, (s) => s.currentCell === 'c2');
    // A kernel cannot hard-link a root-only file (protected_hardlinks); a host without that
    // setting would let it: the test plants one, as root, where the kernel logged a model.
    let pid: number | null = null;
    for (let i = 0; i < 100 && pid === null; i++) {
      pid = kernelWith(marker);
      if (pid === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pid, 'the kernel of the run').not.toBeNull();
    const outbox = `/proc/${pid}/cwd/.cellwise/outbox`;
    unlinkSync(join(outbox, 'model-hard.pkl'));
    let hardLinked = true;
    try {
      linkSync(canary.file, join(outbox, 'model-hard.pkl'));
    } catch (error) {
      // The box is a filesystem of its own (a tmpfs): a link to anything outside cannot exist.
      expect(full).toBe(true);
      expect((error as NodeJS.ErrnoException).code).toBe('EXDEV');
      hardLinked = false;
    }
    writeFileSync(`/proc/${pid}/cwd/go`, '');
    const status = await waitForRun(api, notebookId, started.executionId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const { results } = await resultsOf(api, notebookId, started.executionId);
    expect(results.models.map((m: { name: string }) => m.name)).toEqual(['kept']);
    const skipped: string[] = results.skipped;
    expect(skipped).toContainEqual(
      expect.stringMatching(/^model-linked\.pkl: refused: model-linked\.pkl is a symbolic link/),
    );
    expect(skipped).toContainEqual(
      expect.stringMatching(/^model-piped\.pkl: refused: model-piped\.pkl is a FIFO/),
    );
    expect(skipped).toContainEqual(
      expect.stringMatching(/^model-sneaky\.json: refused: model-sneaky\.json is a symbolic link/),
    );
    if (hardLinked) {
      expect(skipped).toContainEqual(
        expect.stringMatching(/^model-hard\.pkl: refused: model-hard\.pkl has 2 hard links/),
      );
    }
    const stored = await fetch(results.models[0].downloadUrl).then((r) => r.text());
    expect(stored).not.toContain(canary.secret);
    expect(readFileSync(canary.file, 'utf8')).toBe(canary.secret);
  });

  it('re-stages a resume in its kept kernel without following the links the kernel put in place of its files', async () => {
    const datasetId = await tinyLog(api);
    const notebookId = await upload(
      api,
      notebookOf([
        'from cellwise import ProcessMiningClient\nrows = len(ProcessMiningClient().get_dataset())',
        `import os, shutil
if not os.path.exists("planted"):
    os.remove(".cellwise/run.json"); os.symlink(${JSON.stringify(canary.file)}, ".cellwise/run.json")
    shutil.rmtree(".cellwise/datasets"); os.symlink(${JSON.stringify(canary.dir)}, ".cellwise/datasets")
    open("planted", "w").close()
    raise RuntimeError("fail, so the kernel is kept")`,
        'import json\nprint(json.dumps({"rows": len(ProcessMiningClient().get_dataset()), "run": json.load(open(".cellwise/run.json"))["executionId"], "links": [os.path.islink(".cellwise/run.json"), os.path.islink(".cellwise/datasets")]}))',
      ]),
    );
    const failed = await execute(api, notebookId, { parameters: { dataset_id: datasetId } });
    const ended = await waitForRun(api, notebookId, failed.executionId);
    expect(ended.error).toMatchObject({ errorType: 'CellError', cellId: 'c2' });
    const resumed = await api.post(`/notebook/${notebookId}/execution/${failed.executionId}/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    expect(resumed.body.replayedCells).toEqual([]); // in the kept kernel, links and all
    const status = await waitForRun(api, notebookId, resumed.body.executionId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const { executed } = await resultsOf(api, notebookId, resumed.body.executionId);
    const c3 = executed.cells.findIndex((c: { id: string }) => c.id === 'c3'); // after the injected parameters
    expect(printed(executed, c3)).toEqual({ rows: 2, run: resumed.body.executionId, links: [false, false] });
    expect(readFileSync(canary.file, 'utf8')).toBe(canary.secret);
    expect(readdirSync(canary.dir)).toEqual(['canary']);
  });

  it('keeps IPython history in memory when the launcher starts the kernel: no history.sqlite in its home', async () => {
    const probe = `
import json, os
from IPython.paths import get_ipython_dir
ip = get_ipython()
found = [os.path.join(root, name)
         for top in {os.environ["HOME"], get_ipython_dir()} if os.path.isdir(top)
         for root, _, names in os.walk(top) for name in names if name.startswith("history.sqlite")]
print(json.dumps({
    "histFile": str(ip.history_manager.hist_file),
    "argv": "--HistoryManager.hist_file=:memory:" in open("/proc/self/cmdline").read().split("\\0"),
    "found": found,
}))`;
    const { status, executed } = await runToEnd(api, notebookOf(['x = 1', probe]));
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    expect(printed(executed, 1)).toEqual({ histFile: ':memory:', argv: true, found: [] });
  });
});
