import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * The in-kernel SDK (kernel-sdk/) as plain Python (Debian's python3 with pandas), outside a
 * kernel: a working directory with a staged `.cellwise/run.json` and the dataset file it names.
 */
const SDK = fileURLToPath(new URL('../../kernel-sdk', import.meta.url));
let dir: string;

function python(code: string): { out: any; stderr: string } {
  const result = spawnSync('/usr/bin/python3', ['-c', code], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', PYTHONPATH: SDK, PYTHONDONTWRITEBYTECODE: '1' },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  const last = result.stdout.trim().split('\n').at(-1) ?? 'null';
  return { out: JSON.parse(last), stderr: result.stderr };
}

function stage(csv: string) {
  mkdirSync(join(dir, '.cellwise', 'datasets'), { recursive: true });
  writeFileSync(join(dir, '.cellwise', 'datasets', 'd1-v4.csv'), csv);
  writeFileSync(
    join(dir, '.cellwise', 'run.json'),
    JSON.stringify({
      executionId: 'e1',
      enrichment: true,
      dataset: {
        datasetId: 'd1',
        version: 4,
        name: 'log',
        caseIdColumn: 'case',
        activityColumn: 'act',
        timestampColumn: 'ts',
        columns: ['case', 'act', 'ts'],
        recordCount: 2,
        format: 'csv',
        file: '.cellwise/datasets/d1-v4.csv',
      },
    }),
  );
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cellwise-sdk-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HEAD =
  'import json\nfrom mindzie_sdk import ProcessMiningClient, DatasetUnavailableError\nc = ProcessMiningClient()\n';

describe('unit: in-kernel SDK', () => {
  it('reads the staged dataset with the timestamp column as UTC date-times and case ids as text', () => {
    stage('case,act,ts\n007,A,2024-01-01T08:00:00.000Z\n008,B,2024-01-02T10:00:00+02:00\n');
    const { out } = python(
      `${HEAD}df = c.get_dataset()
print(json.dumps({"id": c.dataset_id, "version": c.dataset_version, "dtype": str(df["ts"].dtype),
  "times": [t.isoformat() for t in df["ts"]], "cases": df["case"].tolist(), "same": c.get_dataset("d1").equals(df)}))`,
    );
    expect(out).toEqual({
      id: 'd1',
      version: 4,
      dtype: 'datetime64[ns, UTC]',
      times: ['2024-01-01T08:00:00+00:00', '2024-01-02T08:00:00+00:00'],
      cases: ['007', '008'],
      same: true,
    });
  });

  it('caches the dataset per kernel and hands out copies', () => {
    stage('case,act,ts\n1,A,2024-01-01T08:00:00Z\n');
    const { out } = python(
      `${HEAD}import os
df = c.get_dataset()
df["x"] = 1
os.remove(".cellwise/datasets/d1-v4.csv")
again = c.get_dataset()
print(json.dumps(list(again.columns)))`,
    );
    expect(out).toEqual(['case', 'act', 'ts']);
  });

  it('refuses another dataset id, an unstaged file and a run without a dataset with DatasetUnavailableError', () => {
    stage('case,act,ts\n1,A,2024-01-01T08:00:00Z\n');
    const other = python(
      `${HEAD}try:
    c.get_dataset("d2")
except DatasetUnavailableError as e:
    print(json.dumps(str(e)))`,
    ).out;
    expect(other).toContain('Dataset d2 is not available to this run');
    rmSync(join(dir, '.cellwise', 'datasets'), { recursive: true });
    const unstaged = python(
      `${HEAD}try:
    c.get_dataset()
except DatasetUnavailableError as e:
    print(json.dumps(str(e)))`,
    ).out;
    expect(unstaged).toBe(
      "Dataset d1 v4 is not staged in this kernel's directory (.cellwise/datasets/d1-v4.csv is missing)",
    );
    rmSync(join(dir, '.cellwise'), { recursive: true });
    const none = python(
      `${HEAD}try:
    c.get_dataset()
except DatasetUnavailableError as e:
    print(json.dumps(str(e)))`,
    ).out;
    expect(none).toMatch(/^No dataset is available to this run/);
  });

  it('publishes a frame as CSV with ISO-8601 UTC timestamps and a manifest naming it', () => {
    stage('case,act,ts\n1,A,2024-01-01T08:00:00Z\n2,B,2024-01-01T09:00:00Z\n');
    const { out } = python(
      `${HEAD}df = c.get_dataset()
df["score"] = [0.5, 1.5]
print(json.dumps(c.publish_enriched(df, name="scored")))`,
    );
    expect(out).toEqual({
      name: 'scored',
      recordCount: 2,
      columns: ['case', 'act', 'ts', 'score'],
      newColumns: ['score'],
    });
    const outbox = join(dir, '.cellwise', 'outbox');
    expect(readdirSync(outbox).sort()).toEqual(['frame-scored.csv', 'frame-scored.json']);
    expect(readFileSync(join(outbox, 'frame-scored.csv'), 'utf8')).toBe(
      'case,act,ts,score\n1,A,2024-01-01T08:00:00.000Z,0.5\n2,B,2024-01-01T09:00:00.000Z,1.5\n',
    );
    expect(JSON.parse(readFileSync(join(outbox, 'frame-scored.json'), 'utf8'))).toMatchObject({
      kind: 'frame',
      name: 'scored',
      file: 'frame-scored.csv',
      recordCount: 2,
      columns: ['case', 'act', 'ts', 'score'],
    });
  });

  it('logs a model as a pickle with its class, JSON-safe metrics and features', () => {
    const { out } = python(
      `${HEAD}from collections import OrderedDict
import pickle
info = c.log_model(OrderedDict(a=1), "m1", metrics={"accuracy": 0.9, "bad": float("nan"), "n": 3}, features=["a"])
restored = pickle.load(open(".cellwise/outbox/model-m1.pkl", "rb"))
print(json.dumps({"info": info, "restored": dict(restored), "manifest": json.load(open(".cellwise/outbox/model-m1.json"))}))`,
    );
    expect(out.info).toEqual({
      name: 'm1',
      modelType: 'OrderedDict',
      metrics: { accuracy: 0.9, bad: null, n: 3 },
      features: ['a'],
    });
    expect(out.restored).toEqual({ a: 1 });
    expect(out.manifest).toMatchObject({ kind: 'model', file: 'model-m1.pkl' });
  });

  it('refuses names that are not file-safe and frames that are not DataFrames', () => {
    const { out } = python(
      `${HEAD}import pandas as pd
errors = []
for call in (lambda: c.publish_enriched(pd.DataFrame({"a": [1]}), name="../x"),
             lambda: c.publish_enriched([1, 2], name="x"),
             lambda: c.log_model(1, "a/b")):
    try:
        call()
    except (ValueError, TypeError) as e:
        errors.append(type(e).__name__)
print(json.dumps(errors))`,
    );
    expect(out).toEqual(['ValueError', 'TypeError', 'ValueError']);
  });
});
