import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant, type Tenant } from '../support/api.ts';
import { waitForRun } from '../support/runs.ts';

/**
 * The in-kernel SDK end to end: a run bound to a dataset gets `.cellwise/run.json` (ids, column
 * roles) and its dataset version staged beside it by the kernel host, and `get_dataset` reads it; what the run publishes (frames, models,
 * metrics) is collected by Finalize; with enrichment a published frame becomes a new dataset
 * version; a user's new version starts the bound auto-executed notebooks, enrichment's does not.
 */

type Api = ReturnType<typeof client>;

const EVENTS = [
  { case_id: 'c1', activity: 'Receive', timestamp: '2024-01-01T08:00:00Z', amount: 10 },
  { case_id: 'c1', activity: 'Review', timestamp: '2024-01-01T09:30:00Z', amount: 10 },
  { case_id: 'c1', activity: 'Approve', timestamp: '2024-01-02T10:00:00+02:00', amount: 10 },
  { case_id: 'c2', activity: 'Receive', timestamp: '2024-01-03 08:00:00', amount: 25 },
  { case_id: 'c2', activity: 'Reject', timestamp: '2024-01-03T12:00:00Z', amount: 25 },
  { case_id: 'c3', activity: 'Receive', timestamp: '2024-01-04T07:15:00Z', amount: 5 },
];
const ROLES = { caseIdColumn: 'case_id', activityColumn: 'activity', timestampColumn: 'timestamp' };

let tenant: Tenant;
let api: Api;

async function createDataset(name: string): Promise<string> {
  const res = await api.post('/dataset', { name, ...ROLES, rows: EVENTS });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.datasetId as string;
}

let counter = 0;

/** A python3 notebook whose code cells are `cells`, with the given integration settings. */
async function createNotebook(cells: string[], integration: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/notebook', {
    name: `sdk ${process.pid}-${++counter}`,
    kernelType: 'python3',
    integration: { autoExecution: false, ...integration },
    initialCells: cells.map((content) => ({ cellType: 'code', content })),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.notebookId as string;
}

/** Runs the notebook to its end; returns the status, the detailed results and the executed notebook. */
async function run(notebookId: string, body: object = {}) {
  const started = await api.post(`/notebook/${notebookId}/execute`, body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const executionId = started.body.executionId as string;
  const status = await waitForRun(api, notebookId, executionId, 90_000);
  const results = (await api.get(`/notebook/${notebookId}/execution/${executionId}/results?format=detailed`))
    .body;
  const executed: any = await fetch(results.executedNotebook.downloadUrl).then((r) => r.json());
  return { executionId, status, results, executed };
}

/** What the cells printed, as one string. */
function printed(executed: { cells: { cell_type: string; outputs?: any[] }[] }): string {
  return executed.cells
    .flatMap((c) => c.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : o.text))
    .join('');
}

/** The JSON object a cell printed on a line starting with `tag`. */
function printedJson(executed: Parameters<typeof printed>[0], tag: string): any {
  const line = printed(executed)
    .split('\n')
    .find((l) => l.startsWith(`${tag} `));
  expect(line, printed(executed)).toBeDefined();
  return JSON.parse(line!.slice(tag.length + 1));
}

const SDK = 'import json, os\nfrom mindzie_sdk import ProcessMiningClient\nclient = ProcessMiningClient()';

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
});

describe('integration: in-kernel SDK and enrichment', () => {
  it('get_dataset returns the bound dataset with its timestamps parsed as UTC, and run.json holds no credentials', async () => {
    const datasetId = await createDataset('sdk read');
    const notebookId = await createNotebook(
      [
        SDK,
        `df = client.get_dataset()
again = client.get_dataset(client.dataset_id)
print("DATA", json.dumps({"rows": len(df), "columns": list(df.columns), "dtype": str(df["timestamp"].dtype),
  "times": [t.isoformat() for t in df["timestamp"]], "case": df["case_id"].tolist(), "same": bool(again.equals(df)),
  "version": client.dataset_version}))`,
        `try:
    client.get_dataset("00000000-0000-4000-8000-000000000000")
except Exception as e:
    print("OTHER", json.dumps({"type": type(e).__name__, "message": str(e)}))`,
        `import cellwise, process_mining_utils
from cellwise import process_mining_utils as utils
print("MODULES", json.dumps([cellwise.ProcessMiningClient is ProcessMiningClient, cellwise.__version__,
  utils.variants.__module__, process_mining_utils.__name__]))`,
        `print("STAGED", json.dumps({"file": open(".cellwise/run.json").read(),
  "env": sorted(k for k in os.environ if k.startswith(("AWS", "CELLWISE")) or "TOKEN" in k.upper())}))`,
      ],
      { datasetBinding: datasetId },
    );
    const { status, executed } = await run(notebookId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const data = printedJson(executed, 'DATA');
    expect(data).toMatchObject({ rows: 6, dtype: 'datetime64[ns, UTC]', same: true, version: 1 });
    expect(data.columns).toEqual(['case_id', 'activity', 'timestamp', 'amount']);
    expect(data.times.slice(0, 4)).toEqual([
      '2024-01-01T08:00:00+00:00',
      '2024-01-01T09:30:00+00:00',
      '2024-01-02T08:00:00+00:00',
      '2024-01-03T08:00:00+00:00',
    ]);
    expect(data.case).toEqual(['c1', 'c1', 'c1', 'c2', 'c2', 'c3']);
    const other = printedJson(executed, 'OTHER');
    expect(other.type).toBe('DatasetUnavailableError');
    expect(other.message).toContain(datasetId);

    expect(printedJson(executed, 'MODULES')).toEqual([
      true,
      '0.2.0',
      'cellwise.process_mining_utils',
      'process_mining_utils',
    ]);
    const staged = printedJson(executed, 'STAGED');
    expect(staged.env).toEqual([]);
    const file = JSON.parse(staged.file);
    expect(Object.keys(file).sort()).toEqual(['dataset', 'enrichment', 'executionId']);
    expect(Object.keys(file.dataset).sort()).toEqual(
      [
        'activityColumn',
        'caseIdColumn',
        'columns',
        'datasetId',
        'format',
        'name',
        'recordCount',
        'timestampColumn',
        'file',
        'version',
      ].sort(),
    );
    expect(file.dataset).toMatchObject({ datasetId, version: 1, ...ROLES });
    // No secret key, no service or API token, not even a link: the staged file of this version.
    expect(staged.file).not.toMatch(/secret|AWS_|aws_access_key|Bearer|authorization|https?:/i);
    expect(staged.file).not.toContain(tenant.token);
    expect(file.dataset.file).toBe(`.cellwise/datasets/${datasetId}-v1.csv`);
  });

  it('a run without a dataset gets a clear DatasetUnavailableError and no staged file', async () => {
    const notebookId = await createNotebook([
      SDK,
      `try:
    client.get_dataset()
except Exception as e:
    print("ERR", json.dumps({"type": type(e).__name__, "message": str(e), "staged": os.path.exists(".cellwise/run.json")}))`,
    ]);
    const { status, executed } = await run(notebookId);
    expect(status.status).toBe('Completed');
    const err = printedJson(executed, 'ERR');
    expect(err).toMatchObject({ type: 'DatasetUnavailableError', staged: false });
    expect(err.message).toContain('No dataset is available to this run');
  });

  it('publish_enriched, log_model and log_metrics: enrichment makes a new dataset version; results list them with working downloads', async () => {
    const datasetId = await createDataset('sdk enrich');
    const notebookId = await createNotebook(
      [
        SDK,
        `df = client.get_dataset()
df["journey_score"] = [i * 1.5 for i in range(len(df))]
df["segment"] = ["a" if i % 2 else "b" for i in range(len(df))]
print("INFO", json.dumps(client.publish_enriched(df, name="journey_enhanced")))
client.publish_enriched(df.groupby("case_id").size().rename("events").reset_index(), name="case_summary")`,
        `from collections import Counter
model = Counter(df["activity"])
print("MODEL", json.dumps(client.log_model(model, "activity_counter", metrics={"accuracy": 0.87}, features=["activity"])))`,
        `client.log_metrics({"avgCycleTime": 4.2, "bottleneckActivities": ["Review"]})`,
        'df.head()',
      ],
      { datasetBinding: datasetId, enrichmentMode: true, outputFormat: 'enriched_dataframe' },
    );
    const { executionId, status, results, executed } = await run(notebookId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    expect(printedJson(executed, 'INFO')).toMatchObject({
      recordCount: 6,
      newColumns: ['journey_score', 'segment'],
    });
    expect(status.outputs).toMatchObject({
      models: 1,
      enrichedData: { recordCount: 6, newColumns: ['journey_score', 'segment'] },
    });
    expect(status.outputs.dataFrames).toBeGreaterThanOrEqual(1);

    expect(results.enrichedDatasets).toEqual([
      // Not an event log of the dataset (no activity or timestamp): stored, listed, not a version.
      expect.objectContaining({
        name: 'case_summary',
        recordCount: 3,
        newColumns: ['events'],
        datasetId: null,
        version: null,
        enrichmentError: expect.stringContaining('not a valid event log'),
      }),
      expect.objectContaining({
        name: 'journey_enhanced',
        recordCount: 6,
        newColumns: ['journey_score', 'segment'],
        format: 'pandas_dataframe',
        datasetId,
        version: 2,
      }),
    ]);
    const csv = await fetch(results.enrichedDatasets[1].downloadUrl).then((r) => r.text());
    const lines = csv.trim().split(/\r?\n/);
    expect(lines[0]).toBe('case_id,activity,timestamp,amount,journey_score,segment');
    expect(lines).toHaveLength(7);
    expect(results.models).toEqual([
      expect.objectContaining({
        name: 'activity_counter',
        modelType: 'Counter',
        metrics: { accuracy: 0.87 },
        accuracy: 0.87,
        features: ['activity'],
      }),
    ]);
    const model = await fetch(results.models[0].downloadUrl);
    const pickled = new Uint8Array(await model.arrayBuffer());
    expect(pickled[0]).toBe(0x80); // a pickle's PROTO opcode
    const json = results.outputs.find((o: any) => o.contentType === 'application/json');
    expect(json?.content).toEqual({ avgCycleTime: 4.2, bottleneckActivities: ['Review'] });

    const onlyModels = (
      await api.get(
        `/notebook/${notebookId}/execution/${executionId}/results?outputType=models&format=download`,
      )
    ).body;
    expect(onlyModels.outputs).toEqual([]);
    expect(onlyModels.enrichedDatasets).toEqual([]);
    expect(onlyModels.models.map((m: any) => m.name)).toEqual(['activity_counter']);
    const onlyData = (
      await api.get(`/notebook/${notebookId}/execution/${executionId}/results?outputType=data`)
    ).body;
    expect(onlyData.models).toEqual([]);
    expect(onlyData.enrichedDatasets.map((f: any) => f.name)).toEqual(['case_summary', 'journey_enhanced']);

    // The dataset's new version: source enrichment, made by this run, downloadable.
    const dataset = (await api.get(`/dataset/${datasetId}`)).body;
    expect(dataset.currentVersion).toBe(2);
    const v2 = dataset.versions.find((v: any) => v.version === 2);
    expect(v2).toMatchObject({
      source: 'enrichment',
      executionId,
      recordCount: 6,
      caseCount: 3,
      activityCount: 4,
      newColumns: ['journey_score', 'segment'],
      timeRange: { start: '2024-01-01T08:00:00.000Z', end: '2024-01-04T07:15:00.000Z' },
    });
    const download = (await api.get(`/dataset/${datasetId}/versions/2/download?redirect=false`)).body;
    const v2csv = await fetch(download.downloadUrl).then((r) => r.text());
    expect(v2csv.split(/\r?\n/)[0]).toBe('case_id,activity,timestamp,amount,journey_score,segment');
    expect(v2csv.trim().split(/\r?\n/)).toHaveLength(7);
  });

  it('a user upload of a new version starts the bound auto-executed notebooks; an enrichment version does not', async () => {
    const datasetId = await createDataset('sdk trigger');
    const watcher = await createNotebook([`${SDK}\nprint("VERSION", json.dumps(client.dataset_version))`], {
      datasetBinding: datasetId,
      autoExecution: true,
    });
    const scheduled = await createNotebook(['print(1)'], {
      datasetBinding: datasetId,
      autoExecution: true,
      scheduleExecution: '0 3 * * *',
    });
    const enricher = await createNotebook(
      [`${SDK}\nclient.publish_enriched(client.get_dataset().assign(flag=1), name="flagged")`],
      { datasetBinding: datasetId, enrichmentMode: true, outputFormat: 'enriched_dataframe' },
    );
    const enriched = await run(enricher);
    expect(enriched.status.status).toBe('Completed');
    expect(enriched.results.enrichedDatasets[0]).toMatchObject({ datasetId, version: 2 });
    const history = async (id: string) =>
      (await api.get(`/notebook/${id}/executions`)).body.executions as any[];
    expect(await history(watcher)).toEqual([]);

    const added = await api.post(`/dataset/${datasetId}/versions`, { ...ROLES, rows: EVENTS.slice(0, 3) });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    const runs = await history(watcher);
    expect(runs).toHaveLength(1);
    expect(runs[0].trigger).toBe('dataset');
    expect(await history(scheduled)).toEqual([]);
    const status = await waitForRun(api, watcher, runs[0].executionId, 90_000);
    expect(status.status).toBe('Completed');
    const results = (
      await api.get(`/notebook/${watcher}/execution/${runs[0].executionId}/results?format=detailed`)
    ).body;
    const executed: any = await fetch(results.executedNotebook.downloadUrl).then((r) => r.json());
    expect(printedJson(executed, 'VERSION')).toBe(3);
  });

  it('a staged file does not outlive its run, and no other kernel can read it meanwhile', async () => {
    // Kernels run as users of their own (test/integration/kernel-sandbox.test.ts); the staged
    // dataset and run file are the run's alone, and its directory goes when the run ends.
    const datasetId = await createDataset('sdk isolation');
    const first = await createNotebook(
      [
        'import os\nprint("CWD", __import__("json").dumps(os.getcwd()))',
        'print("FILES", __import__("json").dumps(sorted(os.listdir(".cellwise/datasets"))))',
      ],
      { datasetBinding: datasetId },
    );
    const a = await run(first);
    const dir = printedJson(a.executed, 'CWD') as string;
    expect(dir).toMatch(/\/kernels\/\d+\/work$/); // the kernel's box (its user's uid)
    expect(printedJson(a.executed, 'FILES')).toEqual([`${datasetId}-v1.csv`]);
    const deadline = Date.now() + 10_000;
    while (existsSync(dir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(dir)).toBe(false);
  });
});
