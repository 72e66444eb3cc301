import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StackInfo } from '../../local-stack/spawn-stack.ts';
import { client, newTenant, uidOnlyStack } from '../support/api.ts';
import {
  execute,
  notebookOf,
  resultsOf,
  runToEnd,
  SCALA_KERNELSPEC,
  streamText,
  upload,
  waitForRun,
  waitUntil,
} from '../support/runs.ts';

/**
 * Scala notebooks end to end through the API on the real local stack: the kernel host's own
 * scala kernelspec (Debian's Scala 2.11 REPL), parameters written as papermill's
 * ScalaTranslator writes them, timeouts, cancel, kernel death, resume, the JVM's limits and
 * clean-up, GET /environments and the kernelType filter.
 */

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

const scala = (cells: Parameters<typeof notebookOf>[0]) => notebookOf(cells, SCALA_KERNELSPEC);
/** Prints the JVM's process id (`pid N`): the kernel's REPL, not the Python wrapper. */
const PRINT_PID =
  'println("pid " + java.lang.management.ManagementFactory.getRuntimeMXBean.getName.takeWhile(_ != \'@\'))';
const SLOW = 'println("waiting")\nThread.sleep(120000)\nprintln("never")';
/** Cold JVM start and first compile on a busy 2-core machine. */
const RUN_MS = 120_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function gone(pid: number, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return !alive(pid);
}

function pidIn(cell: any): number {
  const pid = /pid (\d+)/.exec(streamText(cell))?.[1];
  expect(pid, streamText(cell)).toBeDefined();
  return Number(pid);
}

describe('Scala notebooks: runs', () => {
  it('runs cells with stdout, stderr, values and injected parameters as Scala sees them, and leaves no JVM behind', async () => {
    const document = scala([
      { source: 'val n = 0\nval label = "default"', tags: ['parameters'] },
      [
        PRINT_PID,
        'println("n=" + n + ":" + n.getClass.getSimpleName + " big=" + big + ":" + big.getClass.getSimpleName + " huge=" + huge)',
        'println(s"x=$x flag=$flag off=$off nothing=$nothing")',
        'println("label=" + label + " length=" + label.length)',
        'println("items=" + items + " opts=" + opts)',
        'System.err.println("to stderr")',
        'case class Point(x: Int, y: Int)',
        'Point(n, 2)',
      ].join('\n'),
    ]);
    const { status, executed, results } = await runToEnd(
      api,
      document,
      {
        parameters: {
          n: 42,
          big: 3000000000,
          huge: 92233720368547758070n.toString(),
          x: 1.5,
          flag: true,
          off: false,
          nothing: null,
          label: 'say "hi" \\ it\'s é 😀',
          items: [1, 'a', true],
          opts: { k: 'v', nested: { z: null } },
        },
      },
      RUN_MS,
    );
    expect(status.status, JSON.stringify(status)).toBe('Completed');
    const injected = executed.cells.find((c: any) => c.metadata?.tags?.includes('injected-parameters'));
    const source = Array.isArray(injected.source) ? injected.source.join('') : injected.source;
    expect(source).toBe(
      [
        '// Parameters',
        'val n = 42',
        'val big = 3000000000L',
        'val huge = "92233720368547758070"',
        'val x = 1.5',
        'val flag = true',
        'val off = false',
        'val nothing = None',
        'val label = "say \\"hi\\" \\\\ it\'s \\u00e9 \\ud83d\\ude00"',
        'val items = Seq(1, "a", true)',
        'val opts = Map("k" -> "v", "nested" -> Map("z" -> None))',
        '',
      ].join('\n'),
    );
    const shown = executed.cells.at(-1);
    const stdout = shown.outputs
      .filter((o: any) => o.output_type === 'stream' && o.name === 'stdout')
      .map((o: any) => o.text)
      .join('');
    expect(stdout).toContain('n=42:int big=3000000000:long huge=92233720368547758070\n');
    expect(stdout).toContain('x=1.5 flag=true off=false nothing=None\n');
    expect(stdout).toContain('label=say "hi" \\ it\'s é 😀 length=20\n');
    expect(stdout).toContain('items=List(1, a, true) opts=Map(k -> v, nested -> Map(z -> None))\n');
    expect(shown.outputs.filter((o: any) => o.name === 'stderr').map((o: any) => o.text)).toEqual([
      'to stderr\n',
    ]);
    expect(shown.outputs.at(-1)).toMatchObject({
      output_type: 'execute_result',
      data: { 'text/plain': 'Point(42,2)' },
    });
    expect(executed.metadata.kernelspec.name).toBe('scala');
    expect(results.outputs.map((o: any) => o.content)).toContain('Point(42,2)');
    // The run's kernel (the JVM too) ends with the run.
    expect(await gone(pidIn(shown))).toBe(true);
  });

  it('ends the run Error with the compile error or the exception of the failing cell', async () => {
    const compile = await runToEnd(
      api,
      scala(['println("ok")', 'val y: Int = "text"', 'println("never")']),
      {},
      RUN_MS,
    );
    expect(compile.status).toMatchObject({ status: 'Error', error: { cellId: 'c2' } });
    expect(compile.executed.cells[1].outputs).toEqual([
      expect.objectContaining({
        output_type: 'error',
        ename: 'CompileError',
        evalue: expect.stringContaining('type mismatch'),
      }),
    ]);
    const thrown = await runToEnd(api, scala(['throw new IllegalStateException("boom")']), {}, RUN_MS);
    expect(thrown.executed.cells[0].outputs[0]).toMatchObject({
      output_type: 'error',
      ename: 'java.lang.IllegalStateException',
      evalue: 'boom',
    });
  });

  it('declares the parameters of a Scala parameters cell and holds a strict run to them', async () => {
    const notebookId = await upload(
      api,
      scala([
        { source: 'val n = 10 // rows\nval rate: Double = 1\nval tags = Seq("a")', tags: ['parameters'] },
        'println(n)',
      ]),
    );
    const declared = await api.get(`/notebook/${notebookId}/parameters`);
    expect(declared.status).toBe(200);
    expect(declared.body).toMatchObject({
      kernelType: 'scala',
      language: 'scala',
      parameters: [
        { name: 'n', inferredType: 'int', default: '10', help: 'rows' },
        { name: 'rate', inferredType: 'float', default: '1' },
        { name: 'tags', inferredType: 'list', default: 'Seq("a")' },
      ],
    });
    const refused = await api.post(`/notebook/${notebookId}/execute`, {
      strictParameters: true,
      parameters: { n: 'ten', colour: 'red' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.Details.map((d: any) => d.path)).toEqual([
      'body.parameters.n',
      'body.parameters.colour',
    ]);
  });

  it('answers 400 naming a parameter a Scala val cannot take', async () => {
    const notebookId = await upload(api, scala(['println(1)']));
    const res = await api.post(`/notebook/${notebookId}/execute`, { parameters: { ok: 1, type: 2 } });
    expect(res.status).toBe(400);
    expect(res.body.Details.map((d: any) => d.path)).toEqual(['body.parameters.type']);
  });

  it('refuses secrets with a 400 (a running JVM cannot take environment variables), starting nothing', async () => {
    expect((await api.put('/secrets/SCALA_TOKEN', { value: 'scala-secret-1' })).status).toBe(201);
    const notebookId = await upload(api, scala(['println(1)']));
    const res = await api.post(`/notebook/${notebookId}/execute`, { secrets: ['SCALA_TOKEN'] });
    expect(res.status, res.text).toBe(400);
    expect(res.body.Details.map((d: any) => d.path)).toEqual(['body.secrets']);
    expect(res.text).toContain('scala');
    expect((await api.get(`/notebook/${notebookId}/executions`)).body.totalCount).toBe(0);
  });
});

describe('Scala notebooks: timeouts, cancel, kernel death, resume', () => {
  it('interrupts a cell past its cellTimeout (Error/TimeoutError, KeyboardInterrupt), keeping outputs so far', async () => {
    const { status, executed } = await runToEnd(
      api,
      scala(['println("first")', SLOW, 'println("after")']),
      { cellTimeout: 10 },
      RUN_MS,
    );
    expect(status).toMatchObject({ status: 'Error', error: { errorType: 'TimeoutError', cellId: 'c2' } });
    expect(streamText(executed.cells[1])).toBe('waiting\n');
    expect(executed.cells[1].outputs.at(-1)).toMatchObject({
      output_type: 'error',
      ename: 'KeyboardInterrupt',
    });
    expect(executed.cells[2].outputs).toEqual([]);
  });

  it('cancels a running Scala cell within seconds', async () => {
    const notebookId = await upload(api, scala(['println("done")', SLOW, 'println("never")']));
    const run = await execute(api, notebookId);
    await waitUntil(api, notebookId, run.executionId, (s) => s.currentCell === 'c2', RUN_MS);
    await new Promise((r) => setTimeout(r, 1000));
    const asked = Date.now();
    expect((await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`)).status).toBe(202);
    const status = await waitForRun(api, notebookId, run.executionId);
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(status).toMatchObject({ status: 'Cancelled', error: null });
    expect(status.cellResults.map((c: any) => c.status)).toEqual(['Success', 'Cancelled']);
  });

  it('ends the run Error/KernelDied when the JVM halts, and the notebook runs again', async () => {
    const notebookId = await upload(
      api,
      scala(['println("alive")', 'Runtime.getRuntime.halt(1)', 'println("never")']),
    );
    const run = await execute(api, notebookId);
    const status = await waitForRun(api, notebookId, run.executionId, RUN_MS);
    expect(status).toMatchObject({ status: 'Error', error: { errorType: 'KernelDied', cellId: 'c2' } });
    expect((await api.get(`/notebook/${notebookId}`)).body.status).toBe('Kernel_Dead');
    const exited = await runToEnd(api, scala(['sys.exit(3)']), {}, RUN_MS);
    expect(exited.status.error.errorType).toBe('KernelDied');
    const again = await execute(api, notebookId, {
      executionMode: 'range',
      cellRange: { startCell: 'c1', endCell: 'c1' },
    });
    expect((await waitForRun(api, notebookId, again.executionId, RUN_MS)).status).toBe('Completed');
  });

  it('resumes in the kept kernel from the failed cell, with the REPL state intact', async () => {
    const notebookId = await upload(
      api,
      scala([
        `val state = 41\n${PRINT_PID}`,
        'throw new RuntimeException("not fixed yet")',
        `println("result " + (state + 1))\n${PRINT_PID}`,
      ]),
    );
    const run = await execute(api, notebookId);
    const failed = await waitForRun(api, notebookId, run.executionId, RUN_MS);
    expect(failed.status).toBe('Error');
    const content = (await api.get(`/notebook/${notebookId}/content`)).body;
    const cells = (content.cells ?? content.content?.cells) as any[];
    const put = await api.put(`/notebook/${notebookId}`, {
      name: (await api.get(`/notebook/${notebookId}`)).body.notebookName,
      cells: cells.map((c) => ({
        cellId: c.id,
        cellType: c.cell_type,
        source: c.id === 'c2' ? 'println("fixed")' : Array.isArray(c.source) ? c.source.join('') : c.source,
      })),
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const resumed = await api.post(`/notebook/${notebookId}/execution/${run.executionId}/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    const ended = await waitForRun(api, notebookId, resumed.body.executionId, RUN_MS);
    expect(ended.status).toBe('Completed');
    const first = await resultsOf(api, notebookId, run.executionId);
    const second = await resultsOf(api, notebookId, resumed.body.executionId);
    const c3 = second.executed.cells.find((c: any) => c.id === 'c3');
    expect(streamText(c3)).toContain('result 42\n');
    expect(pidIn(c3)).toBe(pidIn(first.executed.cells[0]));
  });
});

const BOXES: [string, () => StackInfo | undefined][] = [
  ['boxed with all the machine allows (cgroup)', () => undefined],
  ['boxed as Fargate allows (uid only: RLIMIT_AS)', uidOnlyStack],
];

describe.each(BOXES)('Scala notebooks: the box, %s', (_mode, on) => {
  it("fits the JVM's heap to the run's memory limit, surfaces OutOfMemoryError past it, and the service stays healthy", async () => {
    const stackInfo = on();
    const boxed = client(await newTenant(stackInfo ? { on: stackInfo } : {}));
    const { status, executed } = await runToEnd(
      boxed,
      scala([
        'println("max " + Runtime.getRuntime.maxMemory / (1024 * 1024))',
        'val big = new Array[Byte](700 << 20)',
      ]),
      { resources: { memoryMiB: 768, processes: 64 } },
      RUN_MS,
    );
    const max = Number(/max (\d+)/.exec(streamText(executed.cells[0]))?.[1]);
    expect(max).toBeGreaterThan(100);
    expect(max).toBeLessThanOrEqual(384);
    expect(status).toMatchObject({ status: 'Error', error: { cellId: 'c2' } });
    expect(executed.cells[1].outputs[0]).toMatchObject({
      output_type: 'error',
      ename: 'java.lang.OutOfMemoryError',
    });
    expect(status.resourceLimits).toMatchObject({ memoryMiB: 768 });
  });
});

describe('Scala notebooks: environments, list filter, the seed create request', () => {
  it('lists scala in GET /environments with the Scala version Debian installed', async () => {
    const res = await api.get('/environments');
    expect(res.status).toBe(200);
    const scalaEnv = res.body.environments.find((e: any) => e.kernelType === 'scala');
    expect(scalaEnv).toMatchObject({
      kernelType: 'scala',
      language: 'scala',
      displayName: 'Scala',
      customLibraries: [],
    });
    const debian = execFileSync('dpkg-query', ['-W', '-f', '$' + '{Version}', 'scala-library'], {
      encoding: 'utf8',
    });
    expect(debian.startsWith(`${scalaEnv.languageVersion}-`), debian).toBe(true);
    expect(scalaEnv.languageVersion).toBe('2.11.12');
    expect(scalaEnv.packages).toEqual(
      expect.arrayContaining([
        { name: 'scala-library', version: '2.11.12' },
        { name: 'java', version: expect.stringMatching(/^17\./) },
      ]),
    );
  });

  it("creates a Scala notebook from the seeds' create request and finds it with kernelType=scala", async () => {
    // notebook_manager_de.py's create_notebook(name, description, 'scala'): the body it sends.
    const created = await api.post('/notebook', {
      notebookName: `scala seed ${process.pid}`,
      notebookDescription: 'Scala-Analyse',
      kernelType: 'scala',
      template: null,
      integration: { enrichmentMode: true, outputFormat: 'enriched_dataframe', autoExecution: false },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.kernelType).toBe('scala');
    const python = await api.post('/notebook', {
      notebookName: `python beside ${process.pid}`,
      kernelType: 'python3',
    });
    expect(python.status).toBe(201);
    const listed = await api.get('/notebooks?kernelType=scala&pageSize=100');
    expect(listed.status).toBe(200);
    const ids = listed.body.notebooks.map((n: any) => n.notebookId);
    expect(ids).toContain(created.body.notebookId);
    expect(ids).not.toContain(python.body.notebookId);
    expect(listed.body.notebooks.every((n: any) => n.kernelType === 'scala')).toBe(true);
    const content = (await api.get(`/notebook/${created.body.notebookId}/content`)).body;
    expect((content.metadata ?? content.content.metadata).kernelspec).toMatchObject({
      name: 'scala',
      language: 'scala',
    });
  });
});
