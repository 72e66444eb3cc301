import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JupyterKernelHost } from '../../functions/adapters/jupyter-kernel-host.ts';
import { freePort } from '../../local-stack/free-port.ts';

/**
 * The container image's entrypoint (kernel-host/entrypoint.sh), run on this machine as ECS
 * would run it: as root, the token in the environment, the image's layout (code under a
 * root-owned /opt-like directory, the server's home, the state directory). No Docker engine
 * here, so this is how the image's process model is proven: the launcher stays root, the
 * server runs as its own user and kernels as users of their own, with only the `uid` mode
 * (what Fargate allows). Only the lock on the machine's shared /tmp is left off.
 */
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const asRoot = process.getuid?.() === 0;
const base = `/run/cellwise-image-${randomBytes(4).toString('hex')}`;
const token = randomBytes(24).toString('hex');
const serverUid = 1_850_000_000 + randomInt(1_000_000);
let port: number;
let entrypoint: ChildProcess;
let output = '';

const url = (path: string) => `http://127.0.0.1:${port}${path}`;
const headers = { authorization: `token ${token}` };

/** The processes whose command line contains `needle`, with their uids and environments. */
function processes(needle: string) {
  const found: { pid: number; uid: number; environ: string; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmdline.includes(needle)) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${name}/status`, 'utf8'))?.[1]);
      found.push({ pid: Number(name), uid, environ: readFileSync(`/proc/${name}/environ`, 'utf8'), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

beforeAll(async () => {
  if (!asRoot) return;
  port = await freePort();
  const opt = join(base, 'opt');
  for (const dir of ['kernel-host', 'kernel-sdk']) {
    await cp(join(REPO, dir), join(opt, dir), { recursive: true, filter: (s) => !s.includes('__pycache__') });
  }
  for (const dir of [base, opt]) await chmod(dir, 0o755);
  await mkdir(join(base, 'home'), { recursive: true });
  entrypoint = spawn('sh', [join(opt, 'kernel-host', 'entrypoint.sh')], {
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: join(base, 'home'),
      KERNEL_HOST_TOKEN: token,
      KERNEL_HOST_POOL_SIZE: '0',
      PYTHONPATH: `${join(opt, 'kernel-sdk')}:${join(opt, 'kernel-host')}`,
      PYTHONDONTWRITEBYTECODE: '1',
      JUPYTER_PLATFORM_DIRS: '1',
      JUPYTER_PATH: join(opt, 'kernel-host', 'share', 'jupyter'), // as the Dockerfile sets it
      CELLWISE_KERNEL_HOST_DIR: join(opt, 'kernel-host'),
      CELLWISE_WORK_DIR: join(base, 'home', 'work'),
      CELLWISE_STATE_DIR: join(base, 'state'),
      CELLWISE_SERVER_USER: `${serverUid}:${serverUid}`,
      CELLWISE_KERNEL_HOST_PORT: String(port),
      CELLWISE_LOCK_SHARED_TMP: '0',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/not-for-notebooks',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  entrypoint.stdout!.on('data', collect);
  entrypoint.stderr!.on('data', collect);
  for (let i = 0; i < 300; i++) {
    const res = await fetch(url('/api/status'), { headers }).catch(() => null);
    if (res?.status === 200) return;
    if (entrypoint.exitCode !== null) throw new Error(`the entrypoint exited:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the kernel host did not answer:\n${output}`);
}, 60_000);

afterAll(async () => {
  if (!asRoot) return;
  if (entrypoint.exitCode === null) {
    const exited = new Promise((resolve) => entrypoint.once('exit', resolve));
    entrypoint.kill('SIGTERM');
    await exited;
  }
  await rm(base, { recursive: true, force: true });
});

describe.runIf(asRoot)('the kernel host image (entrypoint.sh, run as ECS runs it)', () => {
  it('keeps the launcher root, runs the server as its own user, and leaves the token nowhere a kernel reads', async () => {
    const [launcher] = processes('launcher.py');
    expect(launcher?.uid).toBe(0);
    const [server] = processes(`--ServerApp.port=${port}`).filter((p) => !p.cmdline.includes('launcher.py'));
    expect(server?.uid).toBe(serverUid);
    for (const p of [launcher!, server!]) {
      expect(p.environ).not.toContain(token);
      expect(p.environ).not.toContain('AWS_CONTAINER_CREDENTIALS_RELATIVE_URI');
    }
    // The private config with the token is deleted once the server has read it.
    const leftover = () => readdirSync(join(base, 'state')).filter((n) => n.startsWith('server.'));
    for (let i = 0; i < 50 && leftover().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftover()).toEqual([]);
    const sandbox = await fetch(url('/cellwise/v1/sandbox'), { headers }).then((r) => r.json());
    expect(sandbox).toEqual({
      modes: ['uid'],
      defaultLimits: { memoryMiB: 2048, processes: 256, diskMiB: 1024 },
    });
  });

  it("runs each kernel as a user of its own that cannot read the server's files", async () => {
    const host = new JupyterKernelHost(`http://127.0.0.1:${port}`, async () => token);
    const ref = await host.kernels.start('python3', randomUUID(), {
      memoryMiB: 1024,
      processes: 64,
      diskMiB: 256,
    });
    const session = await host.kernels.connect(ref, randomUUID());
    const probe = `import json, os
def attempt(action):
    try:
        action(); return "allowed"
    except OSError as e:
        return type(e).__name__
print(json.dumps({"uid": os.getuid(), "home": attempt(lambda: os.listdir(${JSON.stringify(join(base, 'home'))})),
  "state": attempt(lambda: os.listdir(${JSON.stringify(join(base, 'state'))}))}))`;
    const msgId = session.execute(probe);
    let text = '';
    for (let i = 0; i < 200; i++) {
      const event = await session.next(200);
      if (event?.kind !== 'message' || event.message.parentMsgId !== msgId) continue;
      if (event.message.msgType === 'stream') text += String(event.message.content.text);
      if (event.message.msgType === 'status' && event.message.content.execution_state === 'idle') break;
    }
    await session.close();
    const seen = JSON.parse(text);
    expect(seen.uid).toBeGreaterThanOrEqual(1_900_000_000);
    expect(seen.uid).not.toBe(serverUid);
    expect(seen.home).toBe('PermissionError');
    expect(seen.state).toBe('PermissionError');
    expect((await host.kernels.usage(ref))?.limits).toEqual({ memoryMiB: 1024, processes: 64, diskMiB: 256 });
    await host.kernels.shutdown(ref);
  });

  it('stops on SIGTERM and ends every kernel', async () => {
    const exited = new Promise<number | null>((resolve) => entrypoint.once('exit', (code) => resolve(code)));
    entrypoint.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(processes(`--ServerApp.port=${port}`)).toEqual([]);
    expect(
      existsSync(join(base, 'state', 'kernels')) ? readdirSync(join(base, 'state', 'kernels')) : [],
    ).toEqual([]);
  });
});
