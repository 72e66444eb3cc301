import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COLUMNS, demoLogCsv, generateLoanLog } from '../../functions/core/demo/loan-log.ts';
import { client, newTenant, stack, type Tenant } from '../support/api.ts';
import { waitForRun } from '../support/runs.ts';

/*
 * The process-mining templates as notebooks through the whole local stack: the demo the stack
 * seeds on start (the demo log as a dataset and a process_mining_starter notebook bound to it),
 * and every process-mining template created on the demo log uploaded as a dataset, run to
 * completion, with their outputs, published frames (new dataset versions) and models.
 */

type Api = ReturnType<typeof client>;
const RUN_MS = 120_000;
const BASE = DEMO_COLUMNS;

/** Runs a notebook to its end; expects it Completed with every cell successful. */
async function runToEnd(api: Api, notebookId: string, parameters: Record<string, unknown> = {}) {
  const started = await api.post(`/notebook/${notebookId}/execute`, { parameters });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const status = await waitForRun(api, notebookId, started.body.executionId, RUN_MS);
  const failed = status.cellResults.filter((c: { status: string }) => c.status !== 'Success');
  expect(failed, JSON.stringify(failed)).toEqual([]);
  expect(status.status).toBe('Completed');
  const results = await api.get(
    `/notebook/${notebookId}/execution/${started.body.executionId}/results?format=detailed`,
  );
  expect(results.status).toBe(200);
  return { status, results: results.body };
}

/** Output MIME types of a run's results. */
const mimes = (results: { outputs: { contentType?: string; outputType: string }[] }) =>
  results.outputs.map((o) => o.contentType ?? o.outputType);

describe('demo on start', () => {
  const seed = (): Tenant => {
    const s = stack();
    return { ...s, base: `/api/${s.tenantId}/${s.projectId}` };
  };

  it('seeds the demo log as a dataset and a process_mining_starter notebook bound to it', async () => {
    const demo = stack().demo;
    expect(demo).toBeTruthy();
    const api = client(seed());
    const dataset = await api.get(`/dataset/${demo!.datasetId}`);
    expect(dataset.status).toBe(200);
    expect(dataset.body).toMatchObject({
      name: 'Demo loan applications',
      recordCount: 15_020,
      caseCount: 1_720,
    });
    const notebook = await api.get(`/notebook/${demo!.notebookId}`);
    expect(notebook.status).toBe(200);
    expect(notebook.body.integration).toMatchObject({
      datasetBinding: demo!.datasetId,
      enrichmentMode: true,
      outputFormat: 'enriched_dataframe',
    });
  });

  it('runs the demo notebook green: tables, the cycle-time and DFG plots, metrics, a new dataset version', async () => {
    const demo = stack().demo!;
    const api = client(seed());
    const { status, results } = await runToEnd(api, demo.notebookId);
    expect(status.outputs.plots).toBe(2);
    expect(status.outputs.enrichedData).toEqual({
      recordCount: 15_020,
      newColumns: ['case_events', 'cycle_time_hours', 'variant_rank'],
    });
    expect(mimes(results).filter((m) => m === 'image/png')).toHaveLength(2);
    expect(mimes(results)).toContain('application/json');
    expect(results.enrichedDatasets).toEqual([
      expect.objectContaining({
        name: 'process_mining_starter_enriched',
        datasetId: demo.datasetId,
        recordCount: 15_020,
      }),
    ]);
    const dataset = await api.get(`/dataset/${demo.datasetId}`);
    const version = results.enrichedDatasets[0].version;
    expect(dataset.body.currentVersion).toBe(version);
    expect(dataset.body.columns.map((c: { name: string }) => c.name)).toEqual([
      ...BASE,
      'case_events',
      'cycle_time_hours',
      'variant_rank',
    ]);
  });
});

describe('process-mining templates on the demo log', () => {
  let tenant: Tenant;
  let api: Api;
  let datasetId: string;

  /** A notebook from a template, bound to the demo dataset with enrichment on. */
  async function fromTemplate(template: string) {
    const res = await api.post('/notebook', {
      notebookName: `${template} on the demo log`,
      template,
      integration: { datasetBinding: datasetId, enrichmentMode: true, outputFormat: 'enriched_dataframe' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.notebookId as string;
  }

  beforeAll(async () => {
    tenant = await newTenant();
    api = client(tenant);
    const form = new FormData();
    form.append('name', 'Demo loan applications');
    form.append('file', new Blob([demoLogCsv(generateLoanLog())], { type: 'text/csv' }), 'demo.csv');
    const res = await api.raw('POST', '/dataset', form);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    datasetId = res.body.datasetId;
  });

  it('lists the customer-journey template beside the fixed ones', async () => {
    const res = await api.get('/notebook/templates');
    expect(res.status).toBe(200);
    expect(res.body).toContainEqual(
      expect.objectContaining({
        templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e04',
        slug: 'customer_journey_enrichment',
      }),
    );
  });

  it('runs process_mining_starter for one analysis period', async () => {
    const notebookId = await fromTemplate('process_mining_starter');
    const { status, results } = await runToEnd(api, notebookId, { analysis_period: '2024-03' });
    expect(status.outputs.plots).toBe(2);
    // The analysis covers March's cases; the enriched frame is still the whole log.
    const metrics = results.outputs.find((o: { content?: { cases?: number } }) => o.content?.cases);
    expect(metrics.content.cases).toBeGreaterThan(200);
    expect(metrics.content.cases).toBeLessThan(400);
    expect(results.enrichedDatasets[0].recordCount).toBe(15_020);
  });

  it('runs variant_analysis: the variant table, the Pareto chart and its metrics', async () => {
    const notebookId = await fromTemplate('variant_analysis');
    const { status, results } = await runToEnd(api, notebookId, { top_n: 5 });
    expect(status.outputs.plots).toBe(1);
    const metrics = results.outputs.find(
      (o: { contentType?: string }) => o.contentType === 'application/json',
    );
    expect(metrics).toBeTruthy();
    const text = JSON.stringify(results.outputs);
    expect(text).toContain('most frequent cover 80% of the 1720 cases');
  });

  it('runs customer_journey_enrichment: a logged classifier with its accuracy and the enriched columns', async () => {
    const notebookId = await fromTemplate('customer_journey_enrichment');
    const { status, results } = await runToEnd(api, notebookId);
    expect(status.outputs.models).toBe(1);
    expect(status.outputs.enrichedData.newColumns).toEqual([
      'customer_segment',
      'journey_score',
      'anomaly_flag',
    ]);
    const [model] = results.models;
    expect(model).toMatchObject({
      name: 'customer_churn_predictor',
      modelType: 'RandomForestClassifier',
      features: ['journey_score', 'cycle_time', 'touchpoint_count'],
    });
    expect(model.metrics.accuracy).toBeGreaterThan(0.6);
    const file = await fetch(model.downloadUrl);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(1_000);
    const dataset = await api.get(`/dataset/${datasetId}`);
    expect(dataset.body.columns.map((c: { name: string }) => c.name)).toEqual(
      expect.arrayContaining(['customer_segment', 'journey_score', 'anomaly_flag']),
    );
  });
});
