import { beforeAll, describe, expect, it } from 'vitest';
import { call, client, GUID, newTenant, stack, type Tenant } from '../support/api.ts';
import { notebookOf } from '../support/runs.ts';

/*
 * Event-log datasets against the real local stack: uploads (multipart CSV, JSON rows,
 * presigned upload), versions, downloads, validation, the size limit (the test stack sets
 * CELLWISE_MAX_DATASET_BYTES to 5 MiB), notebook bindings and tenant isolation.
 */

let tenant: Tenant;
let api: ReturnType<typeof client>;

const LOG = [
  'case_id,activity,timestamp,resource,cost,approved',
  'c1,Register,2024-01-01T08:00:00Z,alice,10.5,true',
  'c1,Check,2024-01-01 09:30:00,bob,3,false',
  'c2,Register,1704103200,alice,7,TRUE',
  'c2,"Pay, then close",2024-01-02T10:00:00+02:00,"carol ""the boss""",1e2,false',
].join('\n');

function form(csv: string | Uint8Array, fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  data.append('file', new Blob([csv], { type: 'text/csv' }), 'log.csv');
  return data;
}

const postForm = (path: string, csv: string | Uint8Array, fields: Record<string, string> = {}) =>
  api.raw('POST', path, form(csv, fields));

async function download(datasetId: string, version: number): Promise<string> {
  const res = await api.get(`/dataset/${datasetId}/versions/${version}/download?redirect=false`);
  expect(res.status).toBe(200);
  const file = await fetch(res.body.downloadUrl);
  expect(file.status).toBe(200);
  return file.text();
}

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
});

describe('dataset uploads', () => {
  it('stores a multipart CSV with counts, time range, inferred types and roles', async () => {
    const res = await postForm('/dataset', LOG, { name: 'orders' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'orders',
      version: 1,
      recordCount: 4,
      caseCount: 2,
      activityCount: 3,
      timeRange: { start: '2024-01-01T08:00:00.000Z', end: '2024-01-02T08:00:00.000Z' },
    });
    expect(res.body.datasetId).toMatch(GUID);
    expect(res.body.columns).toEqual([
      { name: 'case_id', type: 'string', role: 'caseId' },
      { name: 'activity', type: 'string', role: 'activity' },
      { name: 'timestamp', type: 'datetime', role: 'timestamp' },
      { name: 'resource', type: 'string', role: null },
      { name: 'cost', type: 'float', role: null },
      { name: 'approved', type: 'boolean', role: null },
    ]);
    const csv = await download(res.body.datasetId, 1);
    expect(csv.split('\r\n')).toEqual([
      'case_id,activity,timestamp,resource,cost,approved',
      'c1,Register,2024-01-01T08:00:00.000Z,alice,10.5,true',
      'c1,Check,2024-01-01T09:30:00.000Z,bob,3,false',
      'c2,Register,2024-01-01T10:00:00.000Z,alice,7,TRUE',
      'c2,"Pay, then close",2024-01-02T08:00:00.000Z,"carol ""the boss""",1e2,false',
      '',
    ]);
  });

  it('stores JSON rows with renamed role columns', async () => {
    const res = await api.post('/dataset', {
      name: 'json log',
      caseIdColumn: 'Case',
      activityColumn: 'Step',
      timestampColumn: 'When',
      rows: [
        { Case: 1, Step: 'a', When: '2024-03-01T00:00:00Z', n: 1 },
        { Case: 2, Step: 'b', When: 1709337600000, n: null },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ recordCount: 2, caseCount: 2, activityCount: 2, caseIdColumn: 'Case' });
    expect(res.body.columns).toEqual([
      { name: 'Case', type: 'integer', role: 'caseId' },
      { name: 'Step', type: 'string', role: 'activity' },
      { name: 'When', type: 'datetime', role: 'timestamp' },
      { name: 'n', type: 'integer', role: null },
    ]);
    expect(res.body.timeRange).toEqual({
      start: '2024-03-01T00:00:00.000Z',
      end: '2024-03-02T00:00:00.000Z',
    });
  });

  it('takes a large file through a presigned upload', async () => {
    const slot = await api.post('/dataset/uploads');
    expect(slot.status).toBe(201);
    expect(slot.body).toMatchObject({ method: 'PUT', maxBytes: 5 * 1024 * 1024 });
    const put = await fetch(slot.body.uploadUrl, { method: 'PUT', headers: slot.body.headers, body: LOG });
    expect(put.status).toBe(200);
    const res = await api.post('/dataset', { name: 'presigned', uploadId: slot.body.uploadId });
    expect(res.status).toBe(201);
    expect(res.body.recordCount).toBe(4);
    const again = await api.post('/dataset', { name: 'presigned', uploadId: slot.body.uploadId });
    expect(again.status).toBe(400);
    expect(again.body.Details[0].path).toBe('body.uploadId');
  });

  it('reads a multi-megabyte log whose multibyte characters cross chunk boundaries', async () => {
    const rows = Array.from(
      { length: 40_000 },
      (_, i) => `c${i % 5000},Prüfung 日本 ${i % 7},${1704067200 + i},é${i}`,
    );
    const res = await postForm('/dataset', `case_id,activity,timestamp,note\n${rows.join('\n')}\n`, {
      name: 'big',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ recordCount: 40_000, caseCount: 5000, activityCount: 7 });
    const csv = await download(res.body.datasetId, 1);
    expect(Buffer.byteLength(csv)).toBe(res.body.bytes);
    expect(csv.split('\r\n')[40_000]).toBe(
      `c4999,Prüfung 日本 ${39_999 % 7},${new Date((1704067200 + 39_999) * 1000).toISOString()},é39999`,
    );
  });

  it('lists and gets datasets, newest first', async () => {
    const created = await postForm('/dataset', LOG, { name: 'listed' });
    const list = await api.get('/datasets?pageSize=2');
    expect(list.status).toBe(200);
    expect(list.body.totalCount).toBeGreaterThanOrEqual(3);
    expect(list.body.datasets).toHaveLength(2);
    expect(list.body.datasets[0]).toMatchObject({ datasetId: created.body.datasetId, recordCount: 4 });
    const got = await api.get(`/dataset/${created.body.datasetId}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ name: 'listed', currentVersion: 1, caseCount: 2, activityCount: 3 });
    expect(got.body.versions).toHaveLength(1);
    expect(got.body.versions[0]).toMatchObject({ version: 1, source: 'upload', recordCount: 4 });
    expect(got.body.versions[0].objectKey).toBeUndefined();
  });
});

describe('dataset versions and downloads', () => {
  it('adds versions; earlier versions stay downloadable unchanged', async () => {
    const first = await postForm('/dataset', LOG, { name: 'versioned' });
    const id = first.body.datasetId;
    const v1 = await download(id, 1);
    const second = await postForm(
      `/dataset/${id}/versions`,
      `${LOG}\nc3,Register,2024-01-05T00:00:00Z,dan,1,true`,
    );
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ version: 2, recordCount: 5, caseCount: 3 });
    const third = await postForm('/dataset', LOG, { datasetId: id });
    expect(third.status).toBe(201);
    expect(third.body.version).toBe(3);
    expect(await download(id, 1)).toBe(v1);
    expect((await download(id, 2)).split('\r\n')).toHaveLength(7);
    const got = await api.get(`/dataset/${id}`);
    expect(got.body.currentVersion).toBe(3);
    expect(got.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2, 3]);
  });

  it('redirects to the download URL by default', async () => {
    const created = await postForm('/dataset', LOG, { name: 'redirected' });
    const res = await fetch(
      `${stack().baseUrl}${tenant.base}/dataset/${created.body.datasetId}/versions/1/download`,
      {
        headers: { authorization: `Bearer ${tenant.token}` },
        redirect: 'manual',
      },
    );
    expect(res.status).toBe(302);
    const file = await fetch(res.headers.get('location')!);
    expect((await file.text()).startsWith('case_id,activity,timestamp')).toBe(true);
  });

  it('refuses other column roles for a new version', async () => {
    const created = await postForm('/dataset', LOG, { name: 'roles' });
    const res = await postForm(`/dataset/${created.body.datasetId}/versions`, LOG, {
      caseIdColumn: 'resource',
    });
    expect(res.status).toBe(400);
    expect(res.body.Details[0].path).toBe('caseIdColumn');
  });
});

describe('dataset validation', () => {
  const bad = async (csv: string | Uint8Array, fields: Record<string, string> = { name: 'bad' }) => {
    const res = await postForm('/dataset', csv, fields);
    expect(res.status).toBe(400);
    expect(res.body.Error).toBeTypeOf('string');
    return res.body as { Error: string; Message: string; Details: [{ path: string; message: string }] };
  };

  it('names the missing column and lists the existing ones', async () => {
    const body = await bad('case_id,step,timestamp\nc1,a,2024-01-01');
    expect(body.Error).toBe('MissingColumn');
    expect(body.Message).toContain("'activity'");
    expect(body.Message).toContain('case_id, step, timestamp');
  });

  it('names the row, column and value of an unparsable timestamp', async () => {
    const body = await bad('case_id,activity,timestamp\nc1,a,2024-01-01\nc1,b,31/01/2024');
    expect(body.Message).toContain('Row 2');
    expect(body.Message).toContain('31/01/2024');
    expect(body.Details[0].path).toBe('file.row 2.timestamp');
  });

  it('refuses empty case ids and activities', async () => {
    expect((await bad('case_id,activity,timestamp\n,a,2024-01-01')).Details[0].path).toBe(
      'file.row 1.case_id',
    );
    expect((await bad('case_id,activity,timestamp\nc1, ,2024-01-01')).Details[0].path).toBe(
      'file.row 1.activity',
    );
  });

  it('refuses ragged rows naming the row', async () => {
    const body = await bad('case_id,activity,timestamp\nc1,a,2024-01-01\nc1,b,2024-01-02,extra');
    expect(body.Message).toContain('Row 2 (line 3)');
    expect(body.Message).toContain('4 fields');
  });

  it('refuses a log without data rows, and an empty file', async () => {
    expect((await bad('case_id,activity,timestamp\n')).Message).toContain('no data rows');
    expect((await bad('')).Message).toContain('empty');
  });

  it('refuses files that are not UTF-8 CSV', async () => {
    expect((await bad(new Uint8Array([0x63, 0x61, 0xff, 0xfe, 0x0a]))).Error).toBe('InvalidCsv');
    expect((await bad(new Uint8Array([0x00, 0x01, 0x02, 0x03]))).Error).toBe('InvalidCsv');
    expect((await bad('case_id,activity,timestamp\nc1,"a,2024-01-01\n')).Error).toBe('InvalidCsv');
    expect((await bad('case_id,case_id,activity,timestamp\n')).Message).toContain('twice');
  });

  it('refuses bad forms and bodies', async () => {
    expect((await bad(LOG, {})).Details[0].path).toBe('name');
    const noFile = new FormData();
    noFile.append('name', 'x');
    const res = await api.raw('POST', '/dataset', noFile);
    expect(res.status).toBe(400);
    expect((await api.raw('POST', '/dataset', LOG, { 'content-type': 'text/csv' })).status).toBe(415);
    const both = await api.post('/dataset', { name: 'x' });
    expect(both.status).toBe(400);
    expect(both.body.Details[0].path).toBe('body.rows');
    const nested = await api.post('/dataset', {
      name: 'x',
      rows: [{ case_id: 'c', activity: 'a', timestamp: { x: 1 } }],
    });
    expect(nested.status).toBe(400);
    const unknownField = await postForm('/dataset', LOG, { name: 'x', colour: 'red' });
    expect(unknownField.status).toBe(400);
    const badTs = await api.post('/dataset', {
      name: 'x',
      rows: [{ case_id: 'c', activity: 'a', timestamp: 'soon' }],
    });
    expect(badTs.body.Details[0].path).toBe('body.rows.0.timestamp');
  });

  it('answers 413 for a presigned upload above the configured size', async () => {
    const slot = await api.post('/dataset/uploads');
    const line = 'case_000001,Some activity name,2024-01-01T00:00:00Z\n';
    const big = `case_id,activity,timestamp\n${line.repeat(Math.ceil((6 * 1024 * 1024) / line.length))}`;
    const put = await fetch(slot.body.uploadUrl, { method: 'PUT', headers: slot.body.headers, body: big });
    expect(put.status).toBe(200);
    const res = await api.post('/dataset', { name: 'too big', uploadId: slot.body.uploadId });
    expect(res.status).toBe(413);
    expect(res.body.Error).toBe('PayloadTooLarge');
  });

  it('answers 413 above the configured size', async () => {
    const line = 'case_000001,Some activity name,2024-01-01T00:00:00Z\n';
    const big = `case_id,activity,timestamp\n${line.repeat(Math.ceil((6 * 1024 * 1024) / line.length))}`;
    const res = await postForm('/dataset', big, { name: 'too big' });
    expect(res.status).toBe(413);
    expect(res.body.Error).toBe('PayloadTooLarge');
  });
});

describe('dataset bindings', () => {
  it('checks bindings and dataset_id, and refuses to delete a bound dataset', async () => {
    const created = await postForm('/dataset', LOG, { name: 'bound' });
    const id = created.body.datasetId;
    const missing = '00000000-0000-7000-8000-000000000000';
    const refused = await api.post('/notebook', {
      name: 'nb bad binding',
      integration: { datasetBinding: missing },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.Details[0].path).toBe('body.integration.datasetBinding');
    const nb = await api.post('/notebook', { name: 'nb bound', integration: { datasetBinding: id } });
    expect(nb.status).toBe(201);
    const notebookId = nb.body.notebookId;
    const rebind = await api.put(`/notebook/${notebookId}`, {
      name: 'nb bound',
      integration: { datasetBinding: missing },
    });
    expect(rebind.status).toBe(400);
    expect(rebind.body.Details[0].path).toBe('body.integration.datasetBinding');
    const run = await api.post(`/notebook/${notebookId}/execute`, { parameters: { dataset_id: missing } });
    expect(run.status).toBe(400);
    expect(run.body.Details[0].path).toBe('body.parameters.dataset_id');

    const inUse = await api.del(`/dataset/${id}`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.Error).toBe('DatasetInUse');
    expect(inUse.body.Notebooks).toEqual([{ notebookId, name: 'nb bound' }]);

    const unbind = await api.put(`/notebook/${notebookId}`, {
      name: 'nb bound',
      integration: { datasetBinding: null },
    });
    expect(unbind.status).toBe(200);
    expect((await api.del(`/dataset/${id}`)).status).toBe(204);
    expect((await api.get(`/dataset/${id}`)).status).toBe(404);
    expect((await api.get(`/dataset/${id}/versions/1/download`)).status).toBe(404);
  });

  it('checks the binding of an uploaded notebook', async () => {
    const data = new FormData();
    data.append('datasetBinding', '00000000-0000-7000-8000-000000000000');
    data.append('file', new Blob([JSON.stringify(notebookOf(['1']))]), 'n.ipynb');
    const res = await api.raw('POST', '/notebook/upload', data);
    expect(res.status).toBe(400);
    expect(res.body.Details[0].path).toBe('form.datasetBinding');

    const dataset = await postForm('/dataset', LOG, { name: 'upload binding' });
    const good = new FormData();
    good.append('datasetBinding', dataset.body.datasetId);
    good.append('file', new Blob([JSON.stringify(notebookOf(['1']))]), 'n.ipynb');
    const bound = await api.raw('POST', '/notebook/upload', good);
    expect(bound.status).toBe(201);
    const stored = await api.get(`/notebook/${bound.body.notebookId}`);
    expect(stored.body.integration.datasetBinding).toBe(dataset.body.datasetId);
  });
});

describe('dataset routes: bad inputs and isolation', () => {
  it('answers 400 for malformed ids, versions and queries', async () => {
    const created = await postForm('/dataset', LOG, { name: 'inputs' });
    const id = created.body.datasetId;
    expect((await api.get('/dataset/not-a-guid')).status).toBe(400);
    expect((await api.del('/dataset/not-a-guid')).status).toBe(400);
    expect((await api.get(`/dataset/${id}/versions/0/download`)).status).toBe(400);
    expect((await api.get(`/dataset/${id}/versions/x/download`)).status).toBe(400);
    expect((await api.get(`/dataset/${id}/versions/1/download?redirect=maybe`)).status).toBe(400);
    expect((await api.get('/datasets?page=0')).status).toBe(400);
    expect((await api.get('/datasets?pageSize=101')).status).toBe(400);
    expect((await postForm('/dataset/not-a-guid/versions', LOG)).status).toBe(400);
    expect((await api.get(`/dataset/${id}/versions/9/download`)).status).toBe(404);
    expect(
      (await postForm(`/dataset/${'0'.repeat(8)}-0000-7000-8000-000000000000/versions`, LOG)).status,
    ).toBe(404);
  });

  it('answers 400 or 415 for broken bodies, never a 500', async () => {
    const broken = await api.raw('POST', '/dataset', '{"name": "x", "rows": [', {
      'content-type': 'application/json',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.Error).toBeTruthy();
    const noRows = await api.post('/dataset', { name: 'nothing' });
    expect(noRows.status).toBe(400);
    const both = await api.post('/dataset', {
      name: 'both',
      uploadId: '00000000-0000-7000-8000-000000000000',
      rows: [{ case_id: 'c', activity: 'a', timestamp: '2024-01-01' }],
    });
    expect(both.status).toBe(400);
    const boundary = 'cellwise-truncated';
    const truncated = await api.raw(
      'POST',
      '/dataset',
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="log.csv"\r\n\r\ncase_id,act`,
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
    );
    expect(truncated.status).toBe(400);
    const text = await api.raw('POST', '/dataset', 'case_id,activity,timestamp', {
      'content-type': 'text/csv',
    });
    expect(text.status).toBe(415);
    expect(
      (await api.get('/datasets?pageSize=100')).body.datasets.map((d: { name: string }) => d.name),
    ).not.toContain('x');
  });

  it('refuses a version whose body names another dataset than the path', async () => {
    const first = await postForm('/dataset', LOG, { name: 'first' });
    const second = await postForm('/dataset', LOG, { name: 'second' });
    const res = await postForm(`/dataset/${first.body.datasetId}/versions`, LOG, {
      datasetId: second.body.datasetId,
    });
    expect(res.status).toBe(400);
    expect(res.body.Details[0].path).toBe('datasetId');
    expect((await api.get(`/dataset/${first.body.datasetId}`)).body.currentVersion).toBe(1);
    expect((await api.get(`/dataset/${second.body.datasetId}`)).body.currentVersion).toBe(1);
  });

  it('keeps the datasets of two projects of one tenant apart', async () => {
    const owner = await newTenant({ projects: 2 });
    const first = client(owner);
    const second = client({ ...owner, base: `/api/${owner.tenantId}/${owner.projectIds[1]}` });
    const created = await first.raw('POST', '/dataset', form(LOG, { name: 'project one' }));
    const id = created.body.datasetId;
    expect((await second.get(`/dataset/${id}`)).status).toBe(404);
    expect((await second.raw('POST', `/dataset/${id}/versions`, form(LOG))).status).toBe(404);
    const bound = await second.post('/notebook', { name: 'cross', integration: { datasetBinding: id } });
    expect(bound.status).toBe(400);
    expect(bound.body.Details[0].path).toBe('body.integration.datasetBinding');
    // Every other place a request names a dataset: the same 400 naming the field.
    const upload = new FormData();
    upload.append('datasetBinding', id);
    upload.append('file', new Blob([JSON.stringify(notebookOf(['1']))]), 'n.ipynb');
    const uploaded = await second.raw('POST', '/notebook/upload', upload);
    expect(uploaded.status).toBe(400);
    expect(uploaded.body.Details[0].path).toBe('form.datasetBinding');
    const scheduled = await second.post('/notebook', {
      name: 'cross schedule',
      integration: { scheduleParameters: { dataset_id: id } },
    });
    expect(scheduled.status).toBe(400);
    expect(scheduled.body.Details[0].path).toBe('body.integration.scheduleParameters.dataset_id');
    const own = await second.post('/notebook', { name: 'own' });
    expect(own.status).toBe(201);
    const rescheduled = await second.put(`/notebook/${own.body.notebookId}`, {
      name: 'own',
      integration: { scheduleParameters: { dataset_id: id, period: 'Q1' } },
    });
    expect(rescheduled.status).toBe(400);
    expect(rescheduled.body.Details[0].path).toBe('body.integration.scheduleParameters.dataset_id');
    const run = await second.post(`/notebook/${own.body.notebookId}/execute`, {
      parameters: { dataset_id: id },
    });
    expect(run.status).toBe(400);
    expect(run.body.Details[0].path).toBe('body.parameters.dataset_id');
    // The owning project may name it anywhere.
    const fine = await first.post('/notebook', {
      name: 'own schedule',
      integration: { scheduleParameters: { dataset_id: id } },
    });
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
  });

  it('hides datasets from other tenants (404) and needs a token (401)', async () => {
    const created = await postForm('/dataset', LOG, { name: 'private' });
    const id = created.body.datasetId;
    const other = client(await newTenant());
    expect((await other.get(`/dataset/${id}`)).status).toBe(404);
    expect((await other.get(`/dataset/${id}/versions/1/download`)).status).toBe(404);
    expect((await other.del(`/dataset/${id}`)).status).toBe(404);
    const foreign = await call('POST', `${tenant.base}/dataset/${id}/versions`, { raw: form(LOG) });
    expect(foreign.status).toBe(401);
    const intruder = await newTenant();
    const crossed = await call('GET', `${tenant.base}/dataset/${id}`, { token: intruder.token });
    expect(crossed.status).toBe(404);
    expect(
      (
        await other.post('/dataset', {
          name: 'x',
          datasetId: id,
          rows: [{ case_id: 'c', activity: 'a', timestamp: '2024-01-01' }],
        })
      ).status,
    ).toBe(404);
    expect((await other.get('/datasets')).body.totalCount).toBe(0);
  });
});
