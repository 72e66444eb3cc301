import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant, stack } from '../support/api.ts';
import { execute, notebookOf, runToEnd, streamText, upload, waitForRun, waitUntil } from '../support/runs.ts';

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

/** The JSON a run's first cell printed. */
const printed = (executed: any) => JSON.parse(streamText(executed.cells[0]).trim().split('\n').at(-1)!);

const portOf = (url: string) => Number(new URL(url).port);

/** Python: `attempt(action)` is "allowed", or the name of the OSError the action raised. */
const ATTEMPT = `def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as e:
        return type(e).__name__
`;

describe('kernel sandbox (the local stack runs every kernel as a user of its own, without network)', () => {
  it("keeps notebook code out of the stack's files, processes and loopback services", async () => {
    const info = stack();
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
data = ${JSON.stringify(info.dataDir)}
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
    "seed": attempt(lambda: open(os.path.join(data, "seed.json")).read()),
    "signingKey": attempt(lambda: open(os.path.join(data, "link-signing-key")).read()),
    "listData": attempt(lambda: os.listdir(data)),
    "s3Files": attempt(lambda: os.listdir(os.path.join(data, "s3"))),
    "otherRuns": attempt(lambda: os.listdir("..")),
    "serverEnviron": attempt(lambda: open(f"/proc/{os.getppid()}/environ").read()),
    "dynamodb": attempt(lambda: connect(${portOf(info.dynamodbEndpoint)})),
    "s3": attempt(lambda: connect(${portOf(info.s3Endpoint)})),
    "api": attempt(lambda: connect(${portOf(info.baseUrl)})),
    "stepFunctions": attempt(lambda: connect(${portOf(info.sfnEndpoint)})),
    "ownLoopback": attempt(own_loopback),
    "home": os.environ["HOME"] != os.path.expanduser("~root"),
}))`;
    const { status, executed } = await runToEnd(api, notebookOf([probe]));
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const seen = printed(executed);
    expect(seen.uid).toBeGreaterThan(65_535);
    expect(seen.gid).toBe(seen.uid);
    expect(seen.groups).toEqual([]);
    for (const key of ['seed', 'signingKey', 'listData', 's3Files', 'otherRuns', 'serverEnviron']) {
      expect(seen[key], key).toBe('PermissionError');
    }
    for (const key of ['dynamodb', 's3', 'api', 'stepFunctions']) {
      expect(seen[key], key).toMatch(/ConnectionRefusedError|OSError|TimeoutError/);
    }
    expect(seen.ownLoopback).toBe('allowed');
    expect(seen.home).toBe(true);
  });

  it('gives two runs at once different users: neither can read the other’s directory or signal any other kernel', async () => {
    const holder = await upload(
      api,
      notebookOf(["open('secret.txt', 'w').write('mine')", 'import time\ntime.sleep(60)']),
    );
    const held = await execute(api, holder);
    await waitUntil(api, holder, held.executionId, (s) => s.currentCell === 'c2');
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
    if b"ipykernel_launcher" in command and int(pid) != os.getpid():
        kernels.append({"uid": uid_of(pid), "signal": attempt(lambda: os.kill(int(pid), 0))})
print(json.dumps({
    "uid": os.getuid(),
    "read": attempt(lambda: open(os.path.join("..", ${JSON.stringify(held.executionId)}, "secret.txt")).read()),
    "kernels": kernels,
}))`,
      ]),
    );
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const seen = printed(executed);
    expect(seen.read).toBe('PermissionError');
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
});
