import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, client, newTenant, stack, type Tenant } from '../support/api.ts';
import { notebookOf, SCALA_KERNELSPEC, streamText, waitForRun } from '../support/runs.ts';
import { tempDir } from '../support/temp-dirs.ts';
import { onTerminal } from '../support/terminal.ts';

/**
 * The `cellwise` command against the local stack, as a script would run it: no terminal
 * (plain lines, no bars), credentials from the environment or `cellwise login`; and as a
 * person runs it, on a terminal (a pseudo-terminal: the progress bar, Ctrl-C's question).
 */

const BIN = new URL('../../bin/cellwise.js', import.meta.url).pathname;
/** The repository: the README's tour runs its commands from here, on the files in docs/tour/. */
const ROOT = new URL('../../', import.meta.url).pathname;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let tenant: Tenant;
let work: string;

/** The environment of a user of `tenant` (no saved config: a fresh HOME). */
function envOf(t: Tenant | null, home = tempDir('cli-home-')): NodeJS.ProcessEnv {
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

interface StartOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  cwd?: string;
}

function start(args: string[], options: StartOptions = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? work,
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

const cellwise = (args: string[], options: StartOptions = {}) => start(args, options).done;

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

const NO_SUCH_NOTEBOOK = '01a212a4-c2e4-70c3-aff0-26564a410259';

const TYPES = `print(type(n).__name__, type(rate).__name__, type(flag).__name__, type(label).__name__, xs, big, extra)`;

beforeAll(async () => {
  tenant = await newTenant();
  work = tempDir('cli-work-');
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

  it('uploads and runs a Scala notebook with typed parameters, printing what its cells print', async () => {
    const file = join(work, 'scala.ipynb');
    writeFileSync(
      file,
      JSON.stringify(
        notebookOf(
          [
            { source: 'val n = 0\nval label = ""\nval big = 0L', tags: ['parameters'] },
            'println("n=" + (n * 2) + " label=" + label + " big=" + (big + 1))\nSystem.err.println("warned")',
            'List(n, n).sum',
          ],
          SCALA_KERNELSPEC,
        ),
      ),
    );
    const up = await cellwise(['upload', file, '--name', 'scala params']);
    expect(up.code, up.stderr).toBe(0);
    const run = await cellwise([
      'run',
      'scala params',
      '-p',
      'n=21',
      '-p',
      'label=abc',
      '-p',
      'big=3000000000',
      '--output',
    ]);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('n=42 label=abc big=3000000001');
    expect(run.stdout).toMatch(/^\[2\/4\] injected-parameters Success/m);
    expect(run.stdout).toMatch(/^Completed in [\d.]+s: 4 of 4 cells succeeded$/m);
    const executionId = /run ([0-9a-f-]{36})/.exec(run.stdout)![1]!;
    const out = join(work, 'results-scala');
    expect((await cellwise(['results', executionId, '--out', out])).code).toBe(0);
    const executed = JSON.parse(readFileSync(join(out, 'executed.ipynb'), 'utf8'));
    expect(executed.cells[1].source).toBe(
      '// Parameters\nval n = 21\nval label = "abc"\nval big = 3000000000L\n',
    );
    expect(executed.cells[3].outputs.at(-1)).toMatchObject({
      output_type: 'execute_result',
      data: { 'text/plain': '42' },
    });
  }, 180_000);

  it('prints what the cells print as they print it with --output, and one cell’s only with --output CELL', async () => {
    const notebookId = await uploaded('live.ipynb', [
      'print("first")',
      'import sys, time\nfor i in range(12):\n    print(f"line {i}", flush=True)\n    time.sleep(0.3)\nprint("warned", file=sys.stderr)',
      'print("last")',
    ]);
    const run = start(['run', notebookId, '--output']);
    // A line printed early shows while the cell still prints (before the cell's end line).
    await until(run.child, run.stdout, /^line 2$/m, 60_000);
    expect(run.stdout()).not.toMatch(/^line 11$/m);
    expect(run.stdout()).not.toMatch(/^\[2\/3\] c2 Success/m);
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    const lines = done.stdout.split('\n');
    const printed = lines.filter((l) => /^(first|line \d+|last)$/.test(l));
    expect(printed).toEqual(['first', ...Array.from({ length: 12 }, (_, i) => `line ${i}`), 'last']);
    expect(lines).toContain('[c2 stderr] warned');
    const one = await cellwise(['run', notebookId, '--output', 'c3']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^last$/m);
    expect(one.stdout).not.toMatch(/^(first|line 0)$/m);
  }, 90_000);

  it('follows every attempt of a run started with --retry, to the last one, and refuses a bad --retry', async () => {
    const notebookId = await uploaded('retried.ipynb', ['raise ValueError("always")']);
    const run = await cellwise([
      'run',
      notebookId,
      '--retry',
      '2',
      '--retry-on',
      'CellError',
      '--retry-backoff',
      '0',
    ]);
    expect(run.code, run.stderr + run.stdout).toBe(1);
    const next = /attempt 2 follows: run ([0-9a-f-]{36})/.exec(run.stdout)?.[1];
    expect(next, run.stdout).toBeDefined();
    expect(run.stdout).toMatch(/^Error in .*ValueError/m);
    expect(run.stdout).toContain(`cellwise results ${notebookId}/${next}`);
    const status = await call('GET', `${tenant.base}/notebook/${notebookId}/execution/${next}`, {
      token: tenant.token,
    });
    expect(status.body).toMatchObject({ attempt: 2, status: 'Error', nextAttemptId: null });
    for (const bad of [
      ['--retry', '9'],
      ['--retry', 'x'],
      ['--retry-on', 'CellError'],
    ]) {
      const refused = await cellwise(['run', notebookId, ...bad]);
      expect(refused.code, bad.join(' ')).toBe(2);
    }
  }, 90_000);

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

  it('diff prints what changed against the last successful run, --json the route’s answer, and exits 1 without one', async () => {
    const notebookId = await uploaded('diff.ipynb', [
      { source: 'n = 1', tags: ['parameters'] },
      'print(f"n = {n}")',
      'assert n < 2, "too big"',
    ]);
    const good = await cellwise(['--json', 'run', notebookId, '-p', 'n=1']);
    expect(good.code, good.stderr).toBe(0);
    const first = JSON.parse(good.stdout).executionId as string;
    const none = await cellwise(['diff', first]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/404 Successful execution not found/);
    const bad = await cellwise(['--json', 'run', notebookId, '-p', 'n=2']);
    expect(bad.code).toBe(1);
    const second = JSON.parse(bad.stdout).executionId as string;
    const diff = await cellwise(['diff', second]);
    expect(diff.code, diff.stderr).toBe(0);
    const lines = diff.stdout.split('\n');
    expect(lines[0]).toBe(`Run ${second} (Error) against ${first} (Completed, the last successful run)`);
    expect(lines).toContain('Parameters: n 1 → 2');
    expect(lines.find((l) => l.startsWith('c2  changed  stdout +1 −1 lines'))).toBeDefined();
    expect(lines).toContain('    -n = 1');
    expect(lines).toContain('    +n = 2');
    expect(
      lines.find((l) => l.startsWith('c3  changed  status Success → Error; error AssertionError: too big')),
    ).toBeDefined();
    const json = await cellwise(['--json', 'diff', `${notebookId}/${first}`, '--against', second]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      executionId: first,
      againstExecutionId: second,
      parameters: [{ name: 'n', change: 'changed', before: 2, after: 1 }],
    });
    const usage = await cellwise(['diff', second, '--against', 'yesterday']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--against is not a GUID/);
  });

  it('writes every output of a run whose results come on several pages', async () => {
    const notebookId = await uploaded('many-outputs.ipynb', ['for i in range(1001):\n    display(i)']);
    const run = await cellwise(['--json', 'run', notebookId]);
    expect(run.code, run.stderr).toBe(0);
    const { executionId } = JSON.parse(run.stdout);
    const out = join(work, 'results-pages');
    const results = await cellwise(['--json', 'results', `${notebookId}/${executionId}`, '--out', out]);
    expect(results.code, results.stderr).toBe(0);
    const files = JSON.parse(results.stdout).files as { kind: string; path: string }[];
    const outputs = files.filter((f) => f.kind === 'output');
    const listing = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(outputs).toHaveLength(listing.outputs.length);
    expect(listing).toMatchObject({ hasNextPage: false, counts: { outputs: outputs.length } });
    expect(outputs).toHaveLength(1001);
    expect(readFileSync(outputs.at(-1)!.path, 'utf8')).toBe('1000');
  }, 120_000);

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
  });

  it('exits 1 with the API’s reason on stderr, and starts no run, for a parameter name that is no identifier', async () => {
    const notebookId = await uploaded('bad-name.ipynb', ['print(1)']);
    const badName = await cellwise(['run', notebookId, '-p', 'ok=1', '-p', 'not an identifier=1']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).toBe(
      'cellwise: 400 ValidationError: Parameter names must be Python identifiers: "not an identifier"\n' +
        '  body.parameters.not an identifier: is not a valid Python identifier\n',
    );
    expect(badName.stdout).toBe('');
    const runs = await client(tenant).get(`/notebook/${notebookId}/executions`);
    expect(runs.body.executions).toEqual([]);
  });

  it('login saves the config readable by the user alone, and later commands use it', async () => {
    const home = tempDir('cli-login-');
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
    expect(refused.stderr).toMatch(/403 Forbidden: the API token was not accepted/);
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

  it('params prints the name, type, default and help of each declared parameter; run --strict refuses an undeclared one', async () => {
    const notebookId = await uploaded('declared.ipynb', [
      { source: 'n: int = 3  # how many\nlabel = "weekly"\nwhen = today()', tags: ['parameters'] },
      'print(n)',
    ]);
    const params = await cellwise(['params', notebookId]);
    expect(params.code, params.stderr).toBe(0);
    expect(params.stdout).toBe(
      'NAME   TYPE  DEFAULT   HELP\n' +
        'n      int   3         how many\n' +
        'label  str   "weekly"\n' +
        'when   -     today()\n',
    );
    const json = await cellwise(['--json', 'params', 'declared']);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).parameters.map((p: { name: string }) => p.name)).toEqual([
      'n',
      'label',
      'when',
    ]);
    const none = await cellwise(['params', await uploaded('undeclared.ipynb', ['print(1)'])]);
    expect(none.stdout).toMatch(/no cell tagged "parameters"/);

    const strict = await cellwise(['run', notebookId, '--strict', '-p', 'n=1.5', '-p', 'colour=red']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^cellwise: 400 ParameterMismatch: /);
    expect(strict.stderr).toContain('  body.parameters.n: must be int like its default 3, not float\n');
    expect(strict.stderr).toContain('  body.parameters.colour: is not a declared parameter');
    expect((await client(tenant).get(`/notebook/${notebookId}/executions`)).body.executions).toEqual([]);
    expect((await cellwise(['params', NO_SUCH_NOTEBOOK])).code).toBe(1);
  });
});

describe('the README tour (docs/tour/)', () => {
  const BIG = '123456789012345678901234567890';
  /** The tour's commands, exactly as the README shows them (`$ npx cellwise …`). */
  const TOUR = {
    upload: ['upload', 'docs/tour/weekly-report.ipynb'],
    params: ['params', 'weekly-report'],
    run: ['run', 'weekly-report', '-p', 'n=5', '-p', `big=${BIG}`, '-f', 'docs/tour/params.yaml'],
    uploadBroken: ['upload', 'docs/tour/broken.ipynb'],
    runBroken: ['run', 'broken'],
    open: ['open', 'weekly-report', '--print'],
  };
  const readme = () => readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('shows the commands this test runs, on files that are in the repository', () => {
    const text = readme();
    for (const args of Object.values(TOUR)) expect(text).toContain(`npx cellwise ${args.join(' ')}`);
    for (const file of ['weekly-report.ipynb', 'broken.ipynb', 'slow-steps.ipynb', 'params.yaml']) {
      expect(existsSync(join(ROOT, 'docs/tour', file)), file).toBe(true);
    }
    expect(readFileSync(join(ROOT, 'docs/tour/params.yaml'), 'utf8')).toBe('rate: 0.25\nlabel: weekly\n');
    expect(text).toContain('\n$ cat docs/tour/params.yaml\nrate: 0.25\nlabel: weekly\n');
  });

  it('uploads weekly-report.ipynb, runs it with -p and -f params.yaml, writes its results; broken.ipynb exits 1', async () => {
    const options = { cwd: ROOT };
    const up = await cellwise(TOUR.upload, options);
    expect(up.code, up.stderr).toBe(0);
    const [, notebookId] =
      /^Uploaded docs\/tour\/weekly-report\.ipynb as "weekly-report": notebook (\S+) \(5 cells, version 1\.0\.0\)$/m.exec(
        up.stdout,
      )!;

    // The README shows `params`' output as it is.
    const params = await cellwise(TOUR.params, options);
    expect(params.code, params.stderr).toBe(0);
    expect(readme()).toContain(
      `$ npx cellwise params weekly-report\n${params.stdout}$ cat docs/tour/params.yaml`,
    );

    const run = await cellwise(TOUR.run, options);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const lines = run.stdout.split('\n').filter((l) => /^\[\d\/5\] \S+ \w+/.test(l) && !/ running /.test(l));
    expect(lines.map((l) => l.replace(/ {2}[\d.]+s$/, ''))).toEqual([
      '[1/5] params Success',
      '[2/5] injected-parameters Success',
      '[3/5] compute Success',
      '[4/5] table Success',
      '[5/5] done Success',
    ]);
    expect(run.stdout).toMatch(/^\[3\/5\] running compute: import time$/m);
    expect(run.stdout).toMatch(/^Completed in [\d.]+s: 5 of 5 cells succeeded$/m);
    const executionId = /^Started run (\S+) of notebook /m.exec(run.stdout)![1]!;

    const out = join(work, 'tour-out');
    const results = await cellwise(['results', executionId, '--out', out], options);
    expect(results.code, results.stderr).toBe(0);
    expect(results.stdout).toMatch(/^7 files written to .* \(run Completed\)$/m);
    // The README shows these two files' contents.
    const compute = readFileSync(join(out, 'outputs', 'compute-0.txt'), 'utf8');
    const done = readFileSync(join(out, 'outputs', 'done-0.txt'), 'utf8');
    expect(compute).toBe(`int float weekly ${BIG}\n`);
    expect(done).toBe('weekly report: 12.5 cases\n');
    expect(readme()).toContain(
      `$ cat out/outputs/compute-0.txt\n${compute}$ cat out/outputs/done-0.txt\n${done}`,
    );
    expect(readFileSync(join(out, 'outputs', 'table-0.html'), 'utf8')).toContain(
      '<tr><td>4</td><td>5.0</td></tr>',
    );

    const broken = await cellwise(TOUR.uploadBroken, options);
    expect(broken.code, broken.stderr).toBe(0);
    const failed = await cellwise(TOUR.runBroken, options);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^\[1\/2\] setup Success {2}[\d.]+s$/m);
    expect(failed.stdout).toMatch(
      /^\[2\/2\] check Error {2}[\d.]+s {2}ZeroDivisionError: division by zero$/m,
    );
    expect(failed.stdout).toMatch(
      /^Error in [\d.]+s: 1 of 2 cells succeeded, 1 failed \(CellError: ZeroDivisionError: division by zero in cell check\)$/m,
    );

    const open = await cellwise(TOUR.open, options);
    expect(open.code, open.stderr).toBe(0);
    expect(open.stdout.trim()).toBe((await client(tenant).get(`/notebook/${notebookId}/url`)).body.url);
  });
});

describe('cellwise CLI on a terminal', () => {
  /** docs/tour/slow-steps.ipynb: `setup`, then four cells of 1.5 s each. */
  const STEPS = [
    ['setup', 'import time'],
    ['load', 'time.sleep(1.5)  # load the event log'],
    ['clean', 'time.sleep(1.5)  # clean it'],
    ['model', 'time.sleep(1.5)  # fit a model'],
    ['report', 'time.sleep(1.5)  # write the report'],
  ] as const;
  const BAR = /^([█░]{24}) (\d)\/(\d) cells \| (\d+\.\d\d)s \| (.*)$/;
  let notebookId: string;

  const terminal = (args: string[], columns?: number) =>
    onTerminal([process.execPath, BIN, ...args], { env: envOf(tenant), cwd: ROOT, columns });

  /** The bar's frames: filled part, cells done of all, elapsed seconds, what it says is running. */
  const barsOf = (pieces: string[]) =>
    pieces.flatMap((piece) => {
      const m = BAR.exec(piece);
      if (!m) return [];
      return [{ piece, bar: m[1]!, done: Number(m[2]), total: Number(m[3]), elapsed: m[4]!, running: m[5]! }];
    });

  /** The lines of cells that ended (`✓ [2/5] load  1.51s`), as the terminal drew them. */
  const cellLinesOf = (pieces: string[]) => pieces.filter((p) => /^. \[\d\/5\] /.test(p));

  /**
   * What `run`/`watch` drew on a terminal `width` characters wide (less the last column) for a
   * run of slow-steps that Completed.
   */
  function expectBarAndCellLines({ pieces, text }: { pieces: string[]; text: string }, width: number) {
    const bars = barsOf(pieces);
    expect(bars.length).toBeGreaterThan(10);
    for (const b of bars) {
      expect(b.total).toBe(5);
      expect(b.piece.length).toBeLessThanOrEqual(width);
      // The filled share of the bar is the share of cells done.
      expect(b.bar.replaceAll('░', '').length, b.bar).toBe(Math.round((24 * b.done) / 5));
    }
    // Each slow cell is shown running, with its first source line (cut at the terminal's edge), once
    // the cells before it have ended (`setup` may end before anyone looks).
    for (const [position, [cellId, source]] of STEPS.entries()) {
      if (cellId === 'setup') continue;
      expect(
        bars.some(
          (b) =>
            b.done === position &&
            b.piece ===
              `${b.bar} ${position}/5 cells | ${b.elapsed}s | running ${cellId}: ${source}`.slice(0, width),
        ),
        `${cellId} running`,
      ).toBe(true);
    }
    // The elapsed time moves on between redraws: over 6 s of sleeping cells, never backwards.
    const elapsed = bars.map((b) => Number(b.elapsed));
    expect(elapsed).toEqual([...elapsed].sort((a, b) => a - b));
    expect(elapsed.at(-1)! - elapsed[0]!).toBeGreaterThan(4);
    expect(new Set(elapsed).size).toBeGreaterThan(10);
    // Each cell's line, marked, as it ended; no plain "running" lines (those are for pipes).
    const cellLines = cellLinesOf(pieces);
    expect(cellLines.map((l) => l.replace(/ {2}[\d.]+s$/, ''))).toEqual(
      STEPS.map(([cellId], i) => `✓ [${i + 1}/5] ${cellId}`),
    );
    // The sleeping cells' times: 1.5 s and a little.
    for (const line of cellLines.slice(1))
      expect(Number(/ {2}([\d.]+)s$/.exec(line)![1])).toBeGreaterThanOrEqual(1.5);
    expect(pieces.some((p) => /^\[\d\/5\] running/.test(p))).toBe(false);
    expect(
      pieces.some((p) => /^Completed in [\d.]+s: 5 of 5 cells succeeded$/.test(p)),
      text,
    ).toBe(true);
  }

  beforeAll(async () => {
    const up = await cellwise(['--json', 'upload', 'docs/tour/slow-steps.ipynb'], { cwd: ROOT });
    expect(up.code, up.stderr).toBe(0);
    notebookId = JSON.parse(up.stdout).notebookId;
  });

  it('draws a per-cell progress bar with the elapsed time and the running cell, and each cell’s line, for `run`', async () => {
    // No size: the terminal says 0 columns, and the bar takes 80.
    const run = terminal(['run', 'slow-steps']);
    const result = await run.done;
    expect(result.code, result.text).toBe(0);
    expectBarAndCellLines(result, 79);
  });

  it('draws the same for `watch` of a run started with --no-wait, and exits with the run', async () => {
    const started = await cellwise(['--json', 'run', 'slow-steps', '--no-wait']);
    expect(started.code, started.stderr).toBe(0);
    const { executionId } = JSON.parse(started.stdout);
    const watch = terminal(['watch', `${notebookId}/${executionId}`], 120);
    const result = await watch.done;
    expect(result.code, result.text).toBe(0);
    expectBarAndCellLines(result, 119);
  });

  it('asks on Ctrl-C during `run` whether to cancel; `y` cancels the run, which ends Cancelled, exit 2', async () => {
    const run = terminal(['run', 'slow-steps']);
    await run.until(/running clean: /);
    const executionId = /Started run (\S+) of notebook/.exec(run.text())![1]!;
    run.press('\x03');
    await run.until(new RegExp(`Cancel run ${executionId}\\? \\[y/N\\] $`));
    run.press('y\r');
    const { code, text, pieces } = await run.done;
    expect(code, text).toBe(2);
    expect(text).toContain(`Cancel run ${executionId}? [y/N] y\nCancelling run ${executionId}...\n`);
    const cellLines = cellLinesOf(pieces);
    expect(cellLines.slice(0, 2).map((l) => l.replace(/ {2}[\d.]+s$/, ''))).toEqual([
      '✓ [1/5] setup',
      '✓ [2/5] load',
    ]);
    const cancelled = cellLines.findIndex((l) =>
      /^⊘ \[[34]\/5\] (clean|model) {2}[\d.]+s {2}Cancelled: /.test(l),
    );
    expect(cancelled, text).toBe(cellLines.length - 1);
    // Once a cell is cancelled, the bar does not claim the next one is running.
    const after = pieces.slice(pieces.indexOf(cellLines[cancelled]!));
    expect(
      barsOf(after).every((b) => b.running === 'cancelling'),
      text,
    ).toBe(true);
    expect(pieces.some((p) => /^Cancelled in [\d.]+s: [23] of 5 cells succeeded$/.test(p))).toBe(true);
    const status = await client(tenant).get(`/notebook/${notebookId}/execution/${executionId}`);
    expect(status.body.status).toBe('Cancelled');
  });

  it('keeps watching when the answer is not `y`, and on Ctrl-C at the question stops watching, exit 130, the run going on', async () => {
    const run = terminal(['run', 'slow-steps']);
    await run.until(/running load: /);
    const executionId = /Started run (\S+) of notebook/.exec(run.text())![1]!;
    const question = `Cancel run ${executionId}? [y/N] `;
    run.press('\x03');
    await run.until(/\[y\/N\] $/);
    run.press('n\r');
    // Still watching: the bar comes back and the next cells end under it.
    const answered = run.text().length;
    await run.until(/✓ \[3\/5\] clean .*\n[\s\S]*running model: /, { from: answered });
    run.press('\x03');
    await run.until(/\[y\/N\] $/, { from: answered });
    run.press('\x03');
    const { code, text } = await run.done;
    expect(code, text).toBe(130);
    expect(text.split(question)).toHaveLength(3);
    expect(text).toContain(`${question}n\n`);
    expect(text).toMatch(
      new RegExp(
        `^Stopped watching; the run goes on\\. Watch it again: cellwise watch ${notebookId}/${executionId}$`,
        'm',
      ),
    );
    expect(text).not.toMatch(/Cancelling run|^Completed in/m);
    // It was not cancelled: it runs to its end.
    const status = await waitForRun(client(tenant), notebookId, executionId);
    expect(status.status).toBe('Completed');
  });
});
