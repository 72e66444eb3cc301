import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import {
  api,
  driverResult,
  fixture,
  newProject,
  PYTHON,
  run,
  runScript,
  seedsDir,
  substitute,
} from './harness.ts';

/**
 * The execution seed's (German) clients against the real local stack and real kernels:
 * the JavaScript "Komplett-Workflow" and the Python NotebookManager, vendored verbatim and
 * changed only by literal substitution of base URL, ids and token. The notebooks the seeds
 * create use the `process_mining_starter` template, whose cells read a dataset: until the
 * service stages datasets, those runs end in a clear DatasetUnavailableError, which the
 * seeds' own code reports. Drivers appended to the unmodified code run a notebook that needs
 * no dataset through the same functions, to the end.
 */

const stack = inject('stack');
const DATASET = '880e8400-e29b-41d4-a716-446655440000';

/** workflow_de.js, complete, with the stack's base URL and token. */
function germanWorkflow(projectId: string): string {
  const base = `${stack.baseUrl}/api/${stack.tenantId}/${projectId}/`;
  const code = substitute(fixture('workflow_de.js'), [
    { from: "'/api/{tenantId}/{projectId}/", to: `'${base}`, count: 1 },
    { from: '`/api/{tenantId}/{projectId}/', to: `\`${base}`, count: 3 },
  ]);
  return `const token = '${stack.token}';\n${code}`;
}

/** notebook_manager_de.py with the stack's base URL, ids and token (and a GUID for the dataset placeholder). */
function germanManager(projectId: string): string {
  return substitute(fixture('notebook_manager_de.py'), [
    { from: "'https://your-mindzie-instance.com'", to: `'${stack.baseUrl}'`, count: 1 },
    { from: "'tenant-guid'", to: `'${stack.tenantId}'`, count: 1 },
    { from: "'project-guid'", to: `'${projectId}'`, count: 1 },
    { from: "'your-auth-token'", to: `'${stack.token}'`, count: 1 },
    { from: "'dataset-guid'", to: `'${DATASET}'`, count: 2 },
  ]);
}

/** A notebook that needs no dataset: the seed's own starter cell, then analysis on inline data. */
const NO_DATASET_NOTEBOOK = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [
    {
      id: 'p',
      cell_type: 'code',
      metadata: { tags: ['parameters'] },
      source: 'analysis_type = "quick"',
      execution_count: null,
      outputs: [],
    },
    {
      id: 'starter',
      cell_type: 'code',
      metadata: {},
      source:
        'import pandas as pd\nfrom mindzie_sdk import ProcessMiningClient\n\nclient = ProcessMiningClient()',
      execution_count: null,
      outputs: [],
    },
    {
      id: 'analysis',
      cell_type: 'code',
      metadata: {},
      source:
        'df = pd.DataFrame({"case_id": [1, 1, 2], "activity": ["A", "B", "A"]})\nprint(analysis_type, len(df))\ndf.groupby("case_id").size().to_frame("events")',
      execution_count: null,
      outputs: [],
    },
  ],
};

describe('execution seed clients', () => {
  it.skipIf(!existsSync(seedsDir))(
    'vendors the Python example line by line (its indentation restored: the seed text lost it)',
    () => {
      const seed = readFileSync(path.join(seedsDir, 'notebooks-execution-api.de.txt'), 'utf8');
      const block = seed.slice(seed.indexOf('Python-Beispiel\n') + 'Python-Beispiel\n'.length).split('\n');
      const vendored = fixture('notebook_manager_de.py').trimEnd().split('\n');
      expect(vendored.map((line) => line.trimStart())).toEqual(block);
    },
  );

  it('runs the complete German JavaScript workflow unmodified, to the end of its run', async () => {
    const projectId = await newProject(stack);
    const result = await run(
      process.execPath,
      [await scriptFile('workflow_de.mjs', germanWorkflow(projectId))],
      90_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Notebook erstellt: [0-9a-f-]{36}$/m);
    expect(result.stdout).toMatch(/^Ausführung gestartet: [0-9a-f-]{36}$/m);
    expect(result.stdout).toMatch(/^Status: Running, Fortschritt: \d+%$/m);
    // The template reads a dataset; the run ends in Error and the seed lists the failing cell.
    expect(result.stdout).toMatch(/^Status: Error, Fortschritt: \d+%$/m);
    expect(result.stdout).toContain('Ausführung fehlgeschlagen:');
    expect(result.stdout).toContain('DatasetUnavailableError');
    expect(result.stderr).not.toContain('Notebook-Workflow fehlgeschlagen');
  }, 120_000);

  it('runs a notebook that needs no dataset to Completed through the unmodified JavaScript functions', async () => {
    const projectId = await newProject(stack);
    const project = api(stack, projectId);
    const form = new FormData();
    form.append('notebookName', 'No dataset');
    form.append(
      'file',
      new Blob([JSON.stringify(NO_DATASET_NOTEBOOK)], { type: 'application/json' }),
      'n.ipynb',
    );
    const uploaded = await fetch(`${stack.baseUrl}/api/${stack.tenantId}/${projectId}/notebook/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}` },
      body: form,
    }).then((r) => r.json() as Promise<{ notebookId: string }>);
    const code = germanWorkflow(projectId).replace(/\/\/ Workflow ausführen\n[\s\S]*$/, '');
    const driver = `
// --- appended by the test; it only calls the unmodified functions above ---
const execution = await executeNotebook('${uploaded.notebookId}');
console.log('DRIVER_RESULT ' + JSON.stringify(execution));
await monitorNotebookExecution(execution.notebookId, execution.executionId);
`;
    const result = await run(process.execPath, [await scriptFile('workflow_de.mjs', code + driver)], 90_000);
    expect(result.code, result.stderr).toBe(0);
    const execution = driverResult<{ executionId: string; status: string }>(result.stdout);
    expect(execution.status).toBe('Running');
    expect(result.stdout).toContain('Notebook-Ausführung abgeschlossen!');
    expect(result.stdout).toContain('Ausführungsergebnisse:');
    const status = await project.get(`/notebook/${uploaded.notebookId}/execution/${execution.executionId}`);
    expect(status.body).toMatchObject({
      status: 'Completed',
      parameters: { dataset_id: DATASET, include_weekends: false },
    });
  }, 120_000);

  it('runs the German Python NotebookManager example, and a dataset-free notebook through its methods', async () => {
    const projectId = await newProject(stack);
    const dir = await mkdtemp(path.join(tmpdir(), 'cellwise-de-'));
    try {
      const notebookFile = path.join(dir, 'no_dataset.ipynb');
      await writeFile(notebookFile, JSON.stringify(NO_DATASET_NOTEBOOK));
      const driver = `

# --- appended by the test; it only calls the unmodified class above ---
uploaded = manager.upload_notebook('${notebookFile}', 'No dataset')
started = manager.execute_notebook(uploaded['notebookId'], {'analysis_type': 'full'})
final = manager.wait_for_completion(uploaded['notebookId'], started['executionId'], poll_interval=1)
results = manager.get_execution_results(uploaded['notebookId'], started['executionId'])
listed = manager.list_notebooks(status='Ready')
print('DRIVER_RESULT ' + json.dumps({'final': final['status'], 'outputs': results['outputs'], 'reports': results['reports'], 'listed': listed['totalCount']}))
`;
      const result = await runScript(PYTHON, 'notebook_manager_de.py', germanManager(projectId) + driver);
      expect(result.code, result.stderr).toBe(0);
      // The usage example: create from the template, run with the seed's parameters, wait, report.
      expect(result.stdout).toMatch(/^Notebook erstellt: [0-9a-f-]{36}$/m);
      expect(result.stdout).toMatch(/^Geschätzte Dauer: None$/m);
      expect(result.stdout).toContain('Notebook-Ausführung fehlgeschlagen mit Status: Error');
      expect(result.stdout).toMatch(/^Zelle cell-\d+ fehlgeschlagen: No dataset is available to this run/m);
      expect(result.stdout).not.toContain('Fehler im Notebook-Workflow');
      // The driver: a notebook that needs no dataset, to Completed, with its outputs and report.
      const out = driverResult<{ final: string; outputs: any[]; reports: any[]; listed: number }>(
        result.stdout,
      );
      expect(out.final).toBe('Completed');
      expect(out.outputs.map((o) => o.content)).toContain('full 3\n');
      expect(out.outputs.some((o) => o.dataFrame === true)).toBe(true);
      expect(out.reports).toHaveLength(1);
      expect(out.listed).toBeGreaterThanOrEqual(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});

async function scriptFile(name: string, code: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cellwise-seed-'));
  const file = path.join(dir, name);
  await writeFile(file, code);
  return file;
}
