import { beforeAll, describe, expect, it } from 'vitest';
import { findTemplate } from '../../functions/core/templates.ts';
import { client, GUID, newTenant, stack, type Tenant } from '../support/api.ts';

let api: ReturnType<typeof client>;
let projectId: string;
let tenant: Tenant;

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
  projectId = tenant.projectId;
});

describe('POST /notebook (route 4)', () => {
  it('creates a notebook with template cells, initial cells and both field spellings', async () => {
    const res = await api.post('/notebook', {
      notebookName: 'Advanced Customer Analytics',
      notebookDescription: 'ML models',
      kernelType: 'python3',
      template: 'process_mining_starter',
      integration: { enrichmentMode: true, outputFormat: 'enriched_dataframe', autoExecution: false },
      environment: { packages: ['pandas'], customLibraries: ['process_mining_utils'] },
      initialCells: [
        { cellType: 'markdown', content: '# Customer Analytics' },
        { cellType: 'code', content: 'import pandas as pd' },
      ],
    });
    expect(res.status).toBe(201);
    const nb = res.body;
    expect(nb.notebookId).toMatch(GUID);
    expect(nb.projectId).toBe(projectId);
    expect(nb.investigationId).toMatch(GUID);
    expect(nb.notebookName).toBe('Advanced Customer Analytics');
    expect(nb.name).toBe(nb.notebookName);
    expect(nb.description).toBe('ML models');
    expect(nb.notebookDescription).toBe('ML models');
    expect(nb.notebookVersion).toBe('1.0.0');
    expect(nb.status).toBe('Ready');
    const templateCells = findTemplate('process_mining_starter')!.cells.length;
    expect(nb.cells.length).toBe(templateCells + 2);
    expect(nb.cellCount).toBe(templateCells + 2);
    expect(nb.blockCount).toBe(templateCells + 2);
    expect(nb.cells.at(-1)).toMatchObject({
      cellType: 'code',
      source: 'import pandas as pd',
      hasOutput: false,
    });
    expect(nb.cells[1].tags).toEqual(['parameters']);
    expect(nb.integration).toMatchObject({
      enrichmentMode: true,
      outputFormat: 'enriched_dataframe',
      datasetBinding: null,
    });
    expect(nb.environment.packages).toEqual(['pandas']);
    expect(nb.dateCreated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(nb.dateModified).toBe(nb.dateCreated);
  });

  it('puts notebooks without an investigation into the project default investigation', async () => {
    const a = await api.post('/notebook', { notebookName: 'Default A' });
    const b = await api.post('/notebook', { name: 'Default B' });
    expect(a.body.investigationId).toBe(b.body.investigationId);
    const inv = await api.get(`/investigation/${a.body.investigationId}`);
    expect(inv.body).toMatchObject({ name: 'Default', isDefault: true });
  });

  it('stores real nbformat v4.5 content that GET /content returns', async () => {
    const nb = (
      await api.post('/notebook', {
        notebookName: 'Content',
        initialCells: [{ cellType: 'code', source: 'x = 1' }],
      })
    ).body;
    const content = await api.get(`/notebook/${nb.notebookId}/content`);
    expect(content.status).toBe(200);
    expect(content.body).toMatchObject({ nbformat: 4, nbformat_minor: 5 });
    expect(content.body.metadata.kernelspec.name).toBe('python3');
    expect(content.body.cells[0]).toMatchObject({
      id: 'cell-001',
      cell_type: 'code',
      source: 'x = 1',
      outputs: [],
    });
  });
});

describe('GET /notebook/{id} (route 3)', () => {
  it('returns the full notebook with cells', async () => {
    const created = (await api.post('/notebook', { notebookName: 'Fetch me' })).body;
    const res = await api.get(`/notebook/${created.notebookId.toUpperCase()}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(created);
  });

  it('answers 404 with the notebook id when it does not exist', async () => {
    const id = '0196a1b2-0000-7000-8000-000000000000';
    const res = await api.get(`/notebook/${id}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ Error: 'Notebook not found', NotebookId: id });
  });
});

describe('DELETE /notebook/{id} (route 9)', () => {
  it('deletes the notebook, its content and history, and answers with a JSON body', async () => {
    const nb = (await api.post('/notebook', { notebookName: 'Doomed' })).body;
    const res = await api.del(`/notebook/${nb.notebookId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ Message: 'Notebook successfully deleted', NotebookId: nb.notebookId });
    expect((await api.get(`/notebook/${nb.notebookId}`)).status).toBe(404);
    expect((await api.get(`/notebook/${nb.notebookId}/versions`)).status).toBe(404);
    expect((await api.del(`/notebook/${nb.notebookId}`)).status).toBe(404);
  });

  it('frees the name so a new notebook can take it', async () => {
    const nb = (await api.post('/notebook', { notebookName: 'Reusable name' })).body;
    await api.del(`/notebook/${nb.notebookId}`);
    const again = await api.post('/notebook', { notebookName: 'REUSABLE NAME' });
    expect(again.status).toBe(201);
  });
});

describe('GET /notebook/{id}/url (route 11)', () => {
  it('returns a link whose page really opens', async () => {
    const nb = (await api.post('/notebook', { notebookName: 'Shared' })).body;
    const res = await api.get(`/notebook/${nb.notebookId}/url`);
    expect(res.status).toBe(200);
    expect(res.body.relativePath).toMatch(
      new RegExp(
        `^/investigation/[0-9a-f-]{36}/${projectId}/${nb.investigationId}/notebook/${nb.notebookId}$`,
      ),
    );
    expect(res.body.url.endsWith(res.body.relativePath)).toBe(true);
    expect(res.body.expiresAt).toBeNull();
    const page = await fetch(res.body.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain(`/notebook/${nb.notebookId}`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
  });
});

describe('GET /notebook/templates', () => {
  it('lists the built-in templates with fixed ids and slugs', async () => {
    const res = await api.get('/notebook/templates');
    expect(res.status).toBe(200);
    const starter = res.body.find((t: { slug: string }) => t.slug === 'process_mining_starter');
    expect(starter).toMatchObject({ templateId: expect.stringMatching(GUID), cellCount: expect.any(Number) });
  });
});

describe('DELETE /notebook/{id} while a run holds it', () => {
  it('answers 409 and keeps the notebook when a run is active', async () => {
    const { DynamoDBClient, UpdateItemCommand } = await import('@aws-sdk/client-dynamodb');
    const info = stack();
    const nb = (await api.post('/notebook', { notebookName: 'Busy' })).body;
    const db = new DynamoDBClient({
      endpoint: info.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const executionId = '0196a1b2-0000-7000-8000-0000000000e1';
    const key = { pk: { S: `P#${tenant.tenantId}#${projectId}` }, sk: { S: `NB#${nb.notebookId}` } };
    // What the execution engine does when a run starts: it claims the notebook.
    await db.send(
      new UpdateItemCommand({
        TableName: info.tableName,
        Key: key,
        UpdateExpression: 'SET activeExecutionId = :e, #s = :running',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':e': { S: executionId }, ':running': { S: 'Running' } },
      }),
    );
    const res = await api.del(`/notebook/${nb.notebookId}`);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      Error: 'NotebookRunning',
      NotebookId: nb.notebookId,
      ExecutionId: executionId,
    });
    expect((await api.get(`/notebook/${nb.notebookId}`)).body.status).toBe('Running');
    expect((await api.get(`/notebook/${nb.notebookId}/content`)).status).toBe(200);
    db.destroy();
  });
});
