import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { demoLogCsv, generateLoanLog } from '../../functions/core/demo/loan-log.ts';
import { tempDir } from '../support/temp-dirs.ts';
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
 * changed only by literal substitution of base URL, ids, token and the dataset GUID (an
 * event log the test uploads: the project's generated demo loan-application log). The
 * notebooks they create from `process_mining_starter` run to Completed with outputs, an
 * enriched dataset and a model. Drivers appended to the unmodified code also run a notebook
 * that needs no dataset through the same functions.
 */

const stack = inject('stack');
/** The dataset GUID the seeds' examples use. */
const SEED_DATASET = '880e8400-e29b-41d4-a716-446655440000';

/** Uploads the demo event log as a dataset of the project; returns its id. */
async function uploadDemoLog(projectId: string): Promise<string> {
  const form = new FormData();
  form.append('name', 'Loan applications');
  form.append('file', new Blob([demoLogCsv(generateLoanLog())], { type: 'text/csv' }), 'log.csv');
  const res = await fetch(`${stack.baseUrl}/api/${stack.tenantId}/${projectId}/dataset`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}` },
    body: form,
  });
  const body = (await res.json()) as { datasetId: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.datasetId;
}

/** workflow_de.js, complete, with the stack's base URL and token and the uploaded dataset. */
function germanWorkflow(projectId: string, datasetId: string): string {
  const base = `${stack.baseUrl}/api/${stack.tenantId}/${projectId}/`;
  const code = substitute(fixture('workflow_de.js'), [
    { from: "'/api/{tenantId}/{projectId}/", to: `'${base}`, count: 1 },
    { from: '`/api/{tenantId}/{projectId}/', to: `\`${base}`, count: 3 },
    { from: `'${SEED_DATASET}'`, to: `'${datasetId}'`, count: 2 },
  ]);
  return `const token = '${stack.token}';\n${code}`;
}

/** notebook_manager_de.py with the stack's base URL, ids and token and the uploaded dataset. */
function germanManager(projectId: string, datasetId: string): string {
  return substitute(fixture('notebook_manager_de.py'), [
    { from: "'https://your-mindzie-instance.com'", to: `'${stack.baseUrl}'`, count: 1 },
    { from: "'tenant-guid'", to: `'${stack.tenantId}'`, count: 1 },
    { from: "'project-guid'", to: `'${projectId}'`, count: 1 },
    { from: "'your-auth-token'", to: `'${stack.token}'`, count: 1 },
    { from: "'dataset-guid'", to: `'${datasetId}'`, count: 2 },
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

  it('runs the complete German JavaScript workflow unmodified on an uploaded log, to Completed with enriched data and a model', async () => {
    const projectId = await newProject(stack);
    const datasetId = await uploadDemoLog(projectId);
    const result = await run(
      process.execPath,
      [await scriptFile('workflow_de.mjs', germanWorkflow(projectId, datasetId))],
      150_000,
    );
    expect(result.code, result.stderr).toBe(0);
    const notebookId = /^Notebook erstellt: ([0-9a-f-]{36})$/m.exec(result.stdout)?.[1];
    const executionId = /^Ausführung gestartet: ([0-9a-f-]{36})$/m.exec(result.stdout)?.[1];
    expect(notebookId, result.stdout).toBeDefined();
    expect(result.stdout).toMatch(/^Status: Running, Fortschritt: \d+%$/m);
    expect(result.stdout).toMatch(/^Status: Completed, Fortschritt: 100%$/m);
    expect(result.stdout).toContain('Notebook-Ausführung abgeschlossen!');
    expect(result.stdout).toContain('Angereicherte Datensätze:');
    expect(result.stderr).not.toContain('Notebook-Workflow fehlgeschlagen');
    const project = api(stack, projectId);
    const results = (
      await project.get(`/notebook/${notebookId}/execution/${executionId}/results?format=summary`)
    ).body;
    expect(results.outputs.length).toBeGreaterThan(0);
    expect(results.enrichedDatasets).toHaveLength(1);
    expect(results.enrichedDatasets[0]).toMatchObject({ datasetId, version: 2 });
    expect(results.models.map((m: { name: string }) => m.name)).toContain('cycle_time_regressor');
    const status = (await project.get(`/notebook/${notebookId}/execution/${executionId}`)).body;
    expect(status).toMatchObject({
      status: 'Completed',
      parameters: { dataset_id: datasetId, analysis_period: '2024-01', include_weekends: false },
    });
    expect(status.outputs.plots).toBeGreaterThan(0);
    expect(status.outputs.models).toBe(1);
  }, 180_000);

  it('runs a notebook that needs no dataset to Completed through the unmodified JavaScript functions', async () => {
    const projectId = await newProject(stack);
    const datasetId = await uploadDemoLog(projectId);
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
    const code = germanWorkflow(projectId, datasetId).replace(/\/\/ Workflow ausführen\n[\s\S]*$/, '');
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
      parameters: { dataset_id: datasetId, include_weekends: false },
    });
  }, 120_000);

  it('runs the German Python NotebookManager example on an uploaded log to Completed, and a dataset-free notebook through its methods', async () => {
    const projectId = await newProject(stack);
    const datasetId = await uploadDemoLog(projectId);
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
      const result = await runScript(
        PYTHON,
        'notebook_manager_de.py',
        germanManager(projectId, datasetId) + driver,
      );
      expect(result.code, result.stderr).toBe(0);
      // The usage example: create from the template bound to the log, run with the seed's
      // parameters, wait, report outputs, the enriched dataset and the model.
      expect(result.stdout).toMatch(/^Notebook erstellt: [0-9a-f-]{36}$/m);
      expect(result.stdout).toMatch(/^Geschätzte Dauer: None$/m);
      expect(result.stdout).toContain('Notebook-Ausführung erfolgreich abgeschlossen!');
      expect(Number(/^Generierte Ausgaben: (\d+)$/m.exec(result.stdout)?.[1])).toBeGreaterThan(0);
      expect(result.stdout).toMatch(/^Angereicherte Datensätze: 1$/m);
      expect(result.stdout).toMatch(/^Erstellte ML-Modelle: 1$/m);
      expect(result.stdout).toMatch(/^Angereicherte Daten herunterladen: http/m);
      expect(result.stdout).toMatch(/^Modell 'cycle_time_regressor' herunterladen: http/m);
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
  const dir = tempDir('cellwise-seed-');
  const file = path.join(dir, name);
  await writeFile(file, code);
  return file;
}
