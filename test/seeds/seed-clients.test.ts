import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import {
  api,
  driverResult,
  fixture,
  newProject,
  PYTHON,
  runScript,
  seedsDir,
  substitute,
} from './harness.ts';

/**
 * The seeds' client code (vendored verbatim under fixtures/) run against the real local
 * stack. The only edits are the permitted ones: base URL, ids and token, made by literal
 * substitution that `substitute` proves touched nothing else. Where a test needs more than
 * the seed's own usage example, it APPENDS a driver that calls the unmodified code.
 */

const stack = inject('stack');
const client = api(stack);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// The placeholder values as they stand in the seeds.
const SEED_BASE_URL = 'https://your-mindzie-instance.com';
const SEED_TENANT_ID = '12345678-1234-1234-1234-123456789012';
const SEED_PROJECT_ID = '87654321-4321-4321-4321-210987654321';
const SEED_INVESTIGATION_ID = '11111111-2222-3333-4444-555555555555';
const SEED_API_KEY = 'your-api-key';
const CONFLICT_MESSAGE = 'Conflict: Notebook was modified by another user since you last fetched it';

/** notebook_manager_ja.py with the stack's base URL, ids and token. */
function pythonManager(investigationId: string): string {
  return substitute(fixture('notebook_manager_ja.py'), [
    { from: `BASE_URL = '${SEED_BASE_URL}'`, to: `BASE_URL = '${stack.baseUrl}'`, count: 1 },
    { from: `TENANT_ID = '${SEED_TENANT_ID}'`, to: `TENANT_ID = '${stack.tenantId}'`, count: 1 },
    { from: `PROJECT_ID = '${SEED_PROJECT_ID}'`, to: `PROJECT_ID = '${stack.projectId}'`, count: 1 },
    { from: `NotebookManager('${SEED_API_KEY}')`, to: `NotebookManager('${stack.token}')`, count: 1 },
    {
      from: `investigation_id = '${SEED_INVESTIGATION_ID}'`,
      to: `investigation_id = '${investigationId}'`,
      count: 1,
    },
  ]);
}

/** notebook_manager_ja.js with the stack's base URL, ids and token. */
function javascriptManager(investigationId: string): string {
  return substitute(fixture('notebook_manager_ja.js'), [
    { from: `const BASE_URL = '${SEED_BASE_URL}';`, to: `const BASE_URL = '${stack.baseUrl}';`, count: 1 },
    {
      from: `const TENANT_ID = '${SEED_TENANT_ID}';`,
      to: `const TENANT_ID = '${stack.tenantId}';`,
      count: 1,
    },
    {
      from: `const PROJECT_ID = '${SEED_PROJECT_ID}';`,
      to: `const PROJECT_ID = '${stack.projectId}';`,
      count: 1,
    },
    { from: `new NotebookManager('${SEED_API_KEY}')`, to: `new NotebookManager('${stack.token}')`, count: 1 },
    {
      from: `const investigationId = '${SEED_INVESTIGATION_ID}';`,
      to: `const investigationId = '${investigationId}';`,
      count: 1,
    },
  ]);
}

/**
 * workflow_de.js (the German "Komplett-Workflow") reduced to its four functions, to test its
 * createNotebook alone: ONLY the trailing `// Workflow ausführen` chain is cut off (the whole
 * workflow, chain included, runs in execution-seed-clients.test.ts). The relative URLs get the
 * base URL and the ids, and `token`, which the snippet expects to exist, is declared in front.
 */
function germanWorkflowFunctions(projectId: string): string {
  const seed = fixture('workflow_de.js');
  const marker = '// Workflow ausführen\n';
  expect(seed.split(marker)).toHaveLength(2);
  const chain = seed.slice(seed.indexOf(marker));
  expect(chain.startsWith(`${marker}createNotebook()\n.then(notebook => {`)).toBe(true);
  expect(
    chain.endsWith(".catch(error => console.error('Notebook-Workflow fehlgeschlagen:', error));\n"),
  ).toBe(true);
  const base = `${stack.baseUrl}/api/${stack.tenantId}/${projectId}/`;
  const functions = substitute(seed.slice(0, seed.indexOf(marker)), [
    { from: "'/api/{tenantId}/{projectId}/", to: `'${base}`, count: 1 },
    { from: '`/api/{tenantId}/{projectId}/', to: `\`${base}`, count: 3 },
  ]);
  expect(functions.split(`\`Bearer \${token}\``)).toHaveLength(5);
  return `const token = '${stack.token}';\n${functions}`;
}

async function processMiningTemplate() {
  const res = await client.get('/notebook/templates');
  expect(res.status).toBe(200);
  const template = (res.body as { templateId: string; slug: string; name: string; cellCount: number }[]).find(
    (t) => t.slug === 'process_mining_starter',
  );
  expect(template).toBeDefined();
  return template!;
}

const names = (list: { name: string }[]) => list.map((n) => n.name).sort();

describe('seed clients', () => {
  const blocks = [
    {
      fixture: 'notebook_manager_ja.py',
      seed: 'notebooks-management-api.ja.txt',
      before: 'Python\n\n',
      after: '\nJavaScript/Node.js',
    },
    {
      fixture: 'notebook_manager_ja.js',
      seed: 'notebooks-management-api.ja.txt',
      before: 'JavaScript/Node.js\n\n',
      after: '\nベストプラクティス',
    },
    {
      fixture: 'workflow_de.js',
      seed: 'notebooks-execution-api.de.txt',
      before:
        'Dieses Beispiel zeigt, wie man ein Jupyter-Notebook erstellt, ausführt und Ergebnisse abruft:\n',
      after: 'Python-Beispiel\n',
    },
  ];

  it.skipIf(!existsSync(seedsDir))(
    'keeps each fixture as the whole verbatim block of its seed when shared/seeds is present',
    () => {
      for (const block of blocks) {
        const seed = readFileSync(path.join(seedsDir, block.seed), 'utf8');
        expect(
          seed.includes(fixture(block.fixture)),
          `${block.fixture} occurs verbatim in ${block.seed}`,
        ).toBe(true);
        expect(
          seed.includes(`${block.before}${fixture(block.fixture)}${block.after}`),
          `${block.fixture} is the complete block of ${block.seed}`,
        ).toBe(true);
      }
    },
  );

  it('runs the Python NotebookManager usage example when only base URL, ids and token are changed', async () => {
    const investigationId = await client.newInvestigation('ja python usage');
    const result = await runScript(PYTHON, 'notebook_manager.py', pythonManager(investigationId));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^見つかったノートブック数: 0$/m);
    expect(result.stdout).not.toContain('更新失敗');
    const notebookId = result.stdout.match(/^作成されたノートブックID: (\S+)$/m)?.[1];
    const copyId = result.stdout.match(/^作成されたコピーID: (\S+)$/m)?.[1];
    expect(notebookId).toMatch(GUID);
    expect(copyId).toMatch(GUID);
    expect(copyId).not.toBe(notebookId);

    const notebook = await client.get(`/notebook/${notebookId}`);
    expect(notebook.status).toBe(200);
    expect(notebook.body).toMatchObject({ notebookId, investigationId, name: 'Renamed Analysis' });
    const copy = await client.get(`/notebook/${copyId}`);
    expect(copy.status).toBe(200);
    expect(copy.body).toMatchObject({
      notebookId: copyId,
      investigationId,
      name: 'Copy of New Analysis',
      description: 'My workflow',
    });
    const list = await client.get(`/notebook/investigation/${investigationId}`);
    expect(list.status).toBe(200);
    expect(names(list.body)).toEqual(['Copy of New Analysis', 'Renamed Analysis']);
  });

  it('serves get_notebook, create_from_template, copy_notebook, delete_notebook and a stale update_notebook when a driver calls the unmodified Python class', async () => {
    const investigationId = await client.newInvestigation('ja python driver');
    const otherInvestigationId = await client.newInvestigation('ja python driver destination');
    const template = await processMiningTemplate();
    const driver = `

# --- appended by test/seeds/seed-clients.test.ts; it only calls the unmodified class above ---
import json

def attempt(call):
    try:
        return {'ok': call()}
    except Exception as e:
        return {'error': type(e).__name__, 'message': str(e)}

result = {'updated': globals().get('updated')}
result['got'] = attempt(lambda: manager.get_notebook(notebook['notebookId']))
result['fromTemplate'] = attempt(lambda: manager.create_from_template(investigation_id, '${template.templateId}', 'Template Analysis'))
result['stale'] = attempt(lambda: manager.update_notebook(notebook['notebookId'], 'Stale Rename', date_modified=notebook['dateModified']))
result['fresh'] = attempt(lambda: manager.update_notebook(notebook['notebookId'], 'Final Analysis', 'Final description', date_modified=result['got']['ok']['dateModified']))
result['copiedElsewhere'] = attempt(lambda: manager.copy_notebook(notebook['notebookId'], destination_investigation='${otherInvestigationId}'))
result['deleted'] = attempt(lambda: manager.delete_notebook(result['fromTemplate']['ok']['notebookId']))
result['listed'] = attempt(lambda: manager.list_notebooks(investigation_id))
print('DRIVER_RESULT ' + json.dumps(result))
`;
    const result = await runScript(
      PYTHON,
      'notebook_manager_driver.py',
      pythonManager(investigationId) + driver,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('更新失敗');
    const out = driverResult<Record<string, any>>(result.stdout);
    const notebookId = out.updated.notebookId;
    expect(out.updated).toMatchObject({ name: 'Renamed Analysis', investigationId });

    expect(out.got.ok).toMatchObject({ notebookId, investigationId, name: 'Renamed Analysis' });
    expect(out.got.ok.dateModified).toBe(out.updated.dateModified);

    expect(out.fromTemplate.ok).toMatchObject({ investigationId, name: 'Template Analysis' });
    expect(out.fromTemplate.ok.notebookId).toMatch(GUID);
    expect(out.fromTemplate.ok.blockCount).toBe(template.cellCount);
    expect(out.fromTemplate.ok.cells).toHaveLength(template.cellCount);

    expect(out.stale).toEqual({ error: 'Exception', message: CONFLICT_MESSAGE });

    expect(out.fresh.ok).toMatchObject({
      notebookId,
      name: 'Final Analysis',
      description: 'Final description',
    });

    expect(out.copiedElsewhere.ok).toMatchObject({
      investigationId: otherInvestigationId,
      name: 'Copy of Final Analysis',
    });
    expect(out.copiedElsewhere.ok.notebookId).not.toBe(notebookId);

    expect(out.deleted.ok).toEqual({
      Message: 'Notebook successfully deleted',
      NotebookId: out.fromTemplate.ok.notebookId,
    });
    expect(names(out.listed.ok)).toEqual(['Copy of New Analysis', 'Final Analysis']);

    expect((await client.get(`/notebook/${out.fromTemplate.ok.notebookId}`)).status).toBe(404);
    const notebook = await client.get(`/notebook/${notebookId}`);
    expect(notebook.body).toMatchObject({ name: 'Final Analysis', description: 'Final description' });
    const elsewhere = await client.get(`/notebook/investigation/${otherInvestigationId}`);
    expect(names(elsewhere.body)).toEqual(['Copy of Final Analysis']);
  });

  it('names the notebook after the template when create_from_template is called without a name', async () => {
    // create_from_template(investigation_id, template_id) sends {"templateId": ..., "name": null}.
    const investigationId = await client.newInvestigation('ja python template default name');
    const template = await processMiningTemplate();
    const driver = `

# --- appended by test/seeds/seed-clients.test.ts; it only calls the unmodified class above ---
import json
print('DRIVER_RESULT ' + json.dumps(manager.create_from_template(investigation_id, '${template.templateId}')))
`;
    const result = await runScript(
      PYTHON,
      'notebook_manager_template.py',
      pythonManager(investigationId) + driver,
    );
    expect(result.code, result.stderr).toBe(0);
    const created = driverResult(result.stdout);
    expect(created).toMatchObject({ investigationId, name: template.name, blockCount: template.cellCount });
  });

  it('runs the JavaScript NotebookManager usage example on Node 22 when only base URL, ids and token are changed', async () => {
    const investigationId = await client.newInvestigation('ja javascript usage');
    const result = await runScript(
      process.execPath,
      'notebook_manager.mjs',
      javascriptManager(investigationId),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('見つかったノートブック数: 0\n');

    const list = await client.get(`/notebook/investigation/${investigationId}`);
    expect(list.status).toBe(200);
    expect(names(list.body)).toEqual(['Copy of Analysis', 'New Analysis']);
    const original = list.body.find((n: { name: string }) => n.name === 'New Analysis');
    expect(original).toMatchObject({ investigationId, description: null });
  });

  it('updates with a fresh dateModified, rejects a stale one and deletes when a driver calls the unmodified JavaScript class', async () => {
    const investigationId = await client.newInvestigation('ja javascript driver');
    const otherInvestigationId = await client.newInvestigation('ja javascript driver destination');
    const driver = `

// --- appended by test/seeds/seed-clients.test.ts; it only calls the unmodified class above ---
const attempt = async (call) => {
  try {
    return { ok: await call() };
  } catch (e) {
    return { error: e.constructor.name, message: e.message };
  }
};
const result = { notebook, copy };
result.updated = await attempt(() =>
  manager.updateNotebook(notebook.notebookId, 'Updated Analysis', 'Updated by the driver', notebook.dateModified),
);
result.stale = await attempt(() =>
  manager.updateNotebook(notebook.notebookId, 'Stale Rename', null, notebook.dateModified),
);
result.copiedElsewhere = await attempt(() =>
  manager.copyNotebook(notebook.notebookId, null, '${otherInvestigationId}'),
);
result.deleted = await attempt(() => manager.deleteNotebook(copy.notebookId));
result.listed = await attempt(() => manager.listNotebooks(investigationId));
console.log('DRIVER_RESULT ' + JSON.stringify(result));
`;
    const result = await runScript(
      process.execPath,
      'notebook_manager_driver.mjs',
      javascriptManager(investigationId) + driver,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^見つかったノートブック数: 0$/m);
    const out = driverResult<Record<string, any>>(result.stdout);
    const notebookId = out.notebook.notebookId;
    expect(out.notebook).toMatchObject({ investigationId, name: 'New Analysis' });
    expect(out.copy).toMatchObject({ investigationId, name: 'Copy of Analysis' });

    expect(out.updated.ok).toMatchObject({
      notebookId,
      name: 'Updated Analysis',
      description: 'Updated by the driver',
    });
    expect(out.updated.ok.dateModified).not.toBe(out.notebook.dateModified);
    expect(out.stale).toEqual({ error: 'Error', message: CONFLICT_MESSAGE });
    expect(out.copiedElsewhere.ok).toMatchObject({
      investigationId: otherInvestigationId,
      name: 'Copy of Updated Analysis',
    });
    expect(out.deleted.ok).toEqual({
      Message: 'Notebook successfully deleted',
      NotebookId: out.copy.notebookId,
    });
    expect(names(out.listed.ok)).toEqual(['Updated Analysis']);

    expect((await client.get(`/notebook/${out.copy.notebookId}`)).status).toBe(404);
    expect((await client.get(`/notebook/${notebookId}`)).body).toMatchObject({ name: 'Updated Analysis' });
    const elsewhere = await client.get(`/notebook/investigation/${otherInvestigationId}`);
    expect(names(elsewhere.body)).toEqual(['Copy of Updated Analysis']);
  });

  it('creates the German workflow notebook with the template and initial cells when its createNotebook runs', async () => {
    // POST /notebook puts the notebook into the project's "Default" investigation, where
    // names are unique: a project of its own keeps this test independent of any other.
    const projectId = await newProject(stack);
    const project = api(stack, projectId);
    // Harness around (not inside) the snippet: record the status of every response.
    const recordStatuses = `const statuses = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args) => {
  const response = await realFetch(...args);
  statuses.push(response.status);
  return response;
};
`;
    const driver = `
// --- appended by test/seeds/seed-clients.test.ts; it only calls the unmodified createNotebook above ---
const notebook = await createNotebook();
console.log('DRIVER_RESULT ' + JSON.stringify({ statuses, notebook }));
`;
    const result = await runScript(
      process.execPath,
      'workflow_de.mjs',
      recordStatuses + germanWorkflowFunctions(projectId) + driver,
    );
    expect(result.code, result.stderr).toBe(0);
    const { statuses, notebook } = driverResult<{ statuses: number[]; notebook: any }>(result.stdout);
    expect(statuses).toEqual([201]);
    expect(notebook.notebookId).toMatch(GUID);
    expect(notebook).toMatchObject({
      projectId,
      notebookName: 'Process Mining Analysis',
      name: 'Process Mining Analysis',
      notebookDescription: 'Erweiterte Analysen zur Prozessoptimierung',
      kernelType: 'python3',
      integration: {
        enrichmentMode: true,
        datasetBinding: '880e8400-e29b-41d4-a716-446655440000',
        outputFormat: 'enriched_dataframe',
        autoExecution: false,
      },
      environment: {
        packages: ['pandas', 'numpy', 'scikit-learn', 'matplotlib'],
        customLibraries: ['process_mining_utils'],
      },
    });
    expect(notebook.investigationId).toMatch(GUID);

    // The template's cells (as from-template creates them), then the two initialCells.
    const template = await processMiningTemplate();
    const scratch = await project.newInvestigation('template reference');
    const reference = await project.post(`/notebook/investigation/${scratch}/from-template`, {
      templateId: template.templateId,
      name: 'Template reference',
    });
    expect(reference.status).toBe(201);
    const shape = (cells: { cellType: string; source: string }[]) => cells.map((c) => [c.cellType, c.source]);
    expect(shape(notebook.cells)).toEqual([
      ...shape(reference.body.cells),
      ['markdown', '# Process Mining Analysis\n\nAnalyse der Prozesseffizienz und Engpässe.'],
      [
        'code',
        'import pandas as pd\nfrom mindzie_sdk import ProcessMiningClient\n\nclient = ProcessMiningClient()',
      ],
    ]);
    expect(notebook.cells).toHaveLength(template.cellCount + 2);
    expect(notebook.cellCount).toBe(template.cellCount + 2);

    const stored = await project.get(`/notebook/${notebook.notebookId}`);
    expect(stored.status).toBe(200);
    expect(shape(stored.body.cells)).toEqual(shape(notebook.cells));
    const investigation = await project.get(`/investigation/${notebook.investigationId}`);
    expect(investigation.status).toBe(200);
    expect(investigation.body).toMatchObject({ name: 'Default' });
  });
});
