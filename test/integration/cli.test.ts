import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, client, newTenant, stack, type Tenant } from '../support/api.ts';
import { notebookOf, streamText } from '../support/runs.ts';

/**
 * The `cellwise` command against the local stack, as a script would run it: no terminal
 * (plain lines, no bars), credentials from the environment or `cellwise login`.
 */

const BIN = new URL('../../bin/cellwise.js', import.meta.url).pathname;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let tenant: Tenant;
let work: string;

/** The environment of a user of `tenant` (no saved config: a fresh HOME). */
function envOf(t: Tenant | null, home = mkdtempSync(join(tmpdir(), 'cli-home-'))): NodeJS.ProcessEnv {
  const { CELLWISE_URL, CELLWISE_TENANT, CELLWISE_PROJECT, CELLWISE_TOKEN, ...rest } = process.env;
  return {
    ...rest,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    CELLWISE_POLL_MS: '100',
    ...(t
      ? {
          CELLWISE_URL: stack().baseUrl,
          CELLWISE_TENANT: t.tenantId,
          CELLWISE_PROJECT: t.projectId,
          CELLWISE_TOKEN: t.token,
        }
      : {}),
  };
}

function start(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: work,
    env: options.env ?? envOf(tenant),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => {
    stdout += c;
  });
  child.stderr!.on('data', (c) => {
    stderr += c;
  });
  child.stdin!.end(options.input ?? '');
  const done = new Promise<Result>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, stdout: () => stdout };
}

const cellwise = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  start(args, options).done;

function writeNotebook(name: string, cells: Parameters<typeof notebookOf>[0]): string {
  const file = join(work, name);
  writeFileSync(file, JSON.stringify(notebookOf(cells)));
  return file;
}

async function uploaded(name: string, cells: Parameters<typeof notebookOf>[0]): Promise<string> {
  const res = await cellwise(['--json', 'upload', writeNotebook(name, cells)]);
  expect(res.code, res.stderr).toBe(0);
  return JSON.parse(res.stdout).notebookId;
}

async function until(child: ChildProcess, output: () => string, pattern: RegExp, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`not seen ${pattern}:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TYPES = `print(type(n).__name__, type(rate).__name__, type(flag).__name__, type(label).__name__, xs, big, extra)`;

beforeAll(async () => {
  tenant = await newTenant();
  work = mkdtempSync(join(tmpdir(), 'cli-work-'));
});

describe('cellwise CLI', () => {
  it('uploads a file, runs it with typed parameters, prints each cell and writes the results', async () => {
    const file = writeNotebook('typed.ipynb', [
      {
        source: 'n = 0\nrate = 0.0\nflag = False\nlabel = ""\nxs = []\nbig = 0\nextra = 0',
        tags: ['parameters'],
      },
      TYPES,
      "from IPython.display import HTML\nHTML('<b>done</b>')",
    ]);
    const up = await cellwise(['upload', file, '--name', 'typed params']);
    expect(up.code, up.stderr).toBe(0);
    const notebookId = /notebook ([0-9a-f-]{36})/.exec(up.stdout)![1]!;

    const big = '123456789012345678901234567890';
    const run = await cellwise([
      'run',
      'typed params',
      ...['-p', 'n=3', '-p', 'rate=1.0', '-p', 'flag=true', '-p', 'label=abc', '-p', 'xs=[1,2]'],
      ...['-p', `big=${big}`, '-y', 'extra: 2.5'],
    ]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    // Not a terminal: plain lines, one per cell as it ends, no bar drawing.
    expect(run.stdout).not.toContain('\u001b[');
    expect(run.stdout).not.toMatch(/█|░/);
    expect(run.stdout).toMatch(/^\[1\/4\] c1 Success/m);
    expect(run.stdout).toMatch(/^\[2\/4\] injected-parameters Success/m);
    expect(run.stdout).toMatch(/^\[3\/4\] c2 Success/m);
    expect(run.stdout).toMatch(/^\[4\/4\] c3 Success/m);
    expect(run.stdout).toMatch(/^Completed in [\d.]+s: 4 of 4 cells succeeded$/m);
    const executionId = /run ([0-9a-f-]{36})/.exec(run.stdout)![1]!;

    // The run's parameters, as the API keeps them: typed like papermill, the big integer exact.
    const status = await call('GET', `${tenant.base}/notebook/${notebookId}/execution/${executionId}`, {
      token: tenant.token,
    });
    expect(status.text).toContain(
      `"parameters":{"extra":2.5,"n":3,"rate":1.0,"flag":true,"label":"abc","xs":[1,2],"big":${big}}`,
    );

    const out = join(work, 'results-typed');
    const results = await cellwise(['results', executionId, '--out', out]);
    expect(results.code, results.stderr).toBe(0);
    const executed = JSON.parse(readFileSync(join(out, 'executed.ipynb'), 'utf8'));
    expect(streamText(executed.cells[2])).toBe(`int float bool str [1, 2] ${big} 2.5\n`);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/<html/i);
    expect(readFileSync(join(out, 'outputs', 'c2-0.txt'), 'utf8')).toContain(big);
    expect(readFileSync(join(out, 'outputs', 'c3-0.html'), 'utf8')).toBe('<b>done</b>');
    expect(JSON.parse(readFileSync(join(out, 'status.json'), 'utf8')).status).toBe('Completed');
  });

  it('exits 1 when a cell fails and names the error', async () => {
    const notebookId = await uploaded('fails.ipynb', ['x = 1', '1 / 0', 'print("never")']);
    const run = await cellwise(['run', notebookId]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\[2\/3\] c2 Error .*ZeroDivisionError: division by zero$/m);
    expect(run.stdout).toMatch(/^Error in .*ZeroDivisionError/m);
    // Resume from the failed cell: a new run (trigger "resume") that fails the same way.
    const executionId = /run ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
    const resumed = await cellwise(['--json', 'resume', executionId]);
    expect(resumed.code).toBe(1);
    const status = JSON.parse(resumed.stdout);
    expect(status).toMatchObject({ trigger: 'resume', resumedFrom: executionId, status: 'Error' });
    expect(resumed.stderr).toMatch(/Resumed as run/);
  });

  it('exits 2 for a run cancelled with `cancel`, and `watch` follows it to the end', async () => {
    const notebookId = await uploaded('sleeps.ipynb', ['import time', 'time.sleep(60)']);
    const started = await cellwise(['--json', 'run', notebookId, '--no-wait']);
    expect(started.code, started.stderr).toBe(0);
    const { executionId } = JSON.parse(started.stdout);
    const watch = start(['watch', executionId]);
    await until(watch.child, watch.stdout, /running c2/);
    const cancel = await cellwise(['cancel', `${notebookId}/${executionId}`]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const watched = await watch.done;
    expect(watched.code).toBe(2);
    expect(watched.stdout).toMatch(/^Cancelled in /m);
  });

  it('cancels the run on Ctrl-C when there is no terminal to ask on, and exits 2', async () => {
    const notebookId = await uploaded('interrupted.ipynb', ['import time', 'time.sleep(60)']);
    const run = start(['run', notebookId]);
    await until(run.child, run.stdout, /running c2/);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Cancelling run/);
    const runs = await client(tenant).get(`/notebook/${notebookId}/executions`);
    expect(runs.body.executions[0].status).toBe('Cancelled');
  });

  it('prints JSON that parses for --json, with parameters exact', async () => {
    const notebookId = await uploaded('json.ipynb', ['v = 1', 'print(v)']);
    const run = await cellwise(['--json', 'run', notebookId, '-p', 'v=98765432109876543210']);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.status).toBe('Completed');
    expect(status.cellResults.map((c: { status: string }) => c.status)).toEqual([
      'Success',
      'Success',
      'Success',
    ]);
    expect(run.stdout).toContain('"v": 98765432109876543210');
    expect(run.stderr).toMatch(/c2 Success/); // progress goes to stderr
    const ls = await cellwise(['--json', 'ls']);
    expect(
      JSON.parse(ls.stdout).notebooks.some((n: { notebookId: string }) => n.notebookId === notebookId),
    ).toBe(true);
    const out = join(work, 'results-json');
    const results = await cellwise([
      '--json',
      'results',
      `${notebookId}/${status.executionId}`,
      '--out',
      out,
    ]);
    const files = JSON.parse(results.stdout).files as { kind: string; path: string }[];
    expect(files.map((f) => f.kind)).toContain('notebook');
    for (const f of files) expect(existsSync(f.path)).toBe(true);
  });

  it('exits 2 for usage errors and 1 for API errors, with the reason on stderr', async () => {
    const unknown = await cellwise(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect((await cellwise(['run'])).code).toBe(2);
    const badParam = await cellwise(['run', '01a212a4-c2e4-70c3-aff0-26564a410259', '-p', 'novalue']);
    expect(badParam.code).toBe(2);
    expect(badParam.stderr).toMatch(/-p takes name=value/);
    const noConfig = await cellwise(['ls'], { env: envOf(null) });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toMatch(/not logged in/);
    const missing = await cellwise([
      'watch',
      '01a212a4-c2e4-70c3-aff0-26564a410259/01a212a4-d00e-743c-8c03-96890a819ede',
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    const badName = await cellwise(['run', 'Not A Parameter Name', '-p', 'not an identifier=1']);
    expect(badName.code).toBe(1);
  });

  it('login saves the config readable by the user alone, and later commands use it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cli-login-'));
    const env = envOf(null, home);
    const refused = await cellwise(
      [
        'login',
        '--url',
        stack().baseUrl,
        '--tenant',
        tenant.tenantId,
        '--project',
        tenant.projectId,
        '--token-stdin',
      ],
      { env, input: 'cw_wrong' },
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/401/);
    const login = await cellwise(
      [
        'login',
        '--url',
        stack().baseUrl,
        '--tenant',
        tenant.tenantId,
        '--project',
        tenant.projectId,
        '--token-stdin',
      ],
      { env, input: `${tenant.token}\n` },
    );
    expect(login.code, login.stderr).toBe(0);
    const file = join(home, '.config', 'cellwise', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      url: stack().baseUrl,
      tenantId: tenant.tenantId,
      projectId: tenant.projectId,
      token: tenant.token,
    });
    const ls = await cellwise(['ls'], { env });
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/^NOTEBOOK\s+STATUS\s+CELLS/);
  });

  it('open prints the viewer URL of a notebook and of a run', async () => {
    const notebookId = await uploaded('viewer.ipynb', ['print(1)']);
    const expected = (await client(tenant).get(`/notebook/${notebookId}/url`)).body.url;
    const open = await cellwise(['open', notebookId]);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout.trim()).toBe(expected);
    expect((await fetch(expected)).status).toBe(200);
    const run = await cellwise(['--json', 'run', notebookId]);
    // A bare execution id, with nothing remembered (fresh HOME): found in the run histories.
    const byRun = await cellwise(['open', JSON.parse(run.stdout).executionId]);
    expect(byRun.stdout.trim()).toBe(expected);
  });
});
