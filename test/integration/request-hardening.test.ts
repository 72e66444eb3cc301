import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../functions/core/json-limits.ts';
import { call, client, newTenant, type Tenant } from '../support/api.ts';
import { SANDBOX_MODES } from '../support/sandbox-modes.ts';

let tenant: Tenant;
let api: ReturnType<typeof client>;
let notebookId: string;

const JSON_TYPE = { 'content-type': 'application/json' };

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
  notebookId = (await api.post('/notebook', { notebookName: 'Target' })).body.notebookId;
});

/** `depth` arrays, one inside the other. */
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Bytes from text (UTF-8) and raw byte values, in order. */
const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))));

/** A multipart/form-data body built byte by byte (FormData cannot carry invalid UTF-8 in a field). */
function multipart(
  parts: Array<{ name: string; fileName?: Uint8Array | string; data: Uint8Array | string }>,
) {
  const boundary = 'cellwise-hardening-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`));
    if (part.fileName !== undefined) {
      chunks.push(Buffer.from('; filename="'), Buffer.from(part.fileName), Buffer.from('"'));
      chunks.push(Buffer.from('\r\nContent-Type: application/octet-stream'));
    }
    chunks.push(Buffer.from('\r\n\r\n'), Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    body: new Uint8Array(Buffer.concat(chunks)),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

const notebookText = (metadata: string) =>
  `{"nbformat":4,"nbformat_minor":5,"metadata":${metadata},"cells":[]}`;

function expectRefused(res: { status: number; body: any }, error: string, path: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ Error: error, Message: expect.any(String) });
  expect(res.body.Details.map((d: { path: string }) => d.path)).toContain(path);
}

describe('JSON nesting limit', () => {
  /** Each JSON route with a body nesting `inner` at some depth. */
  const routes: Array<[string, string, () => string, (inner: string) => string]> = [
    [
      'create notebook',
      'POST',
      () => '/notebook',
      (v) => `{"notebookName":"deep","integration":{"scheduleParameters":{"x":${v}}}}`,
    ],
    ['update notebook', 'PUT', () => `/notebook/${notebookId}`, (v) => `{"name":"Target","x":${v}}`],
    ['execute', 'POST', () => `/notebook/${notebookId}/execute`, (v) => `{"parameters":{"x":${v}}}`],
    ['dataset JSON upload', 'POST', () => '/dataset', (v) => `{"name":"deep","rows":[{"case_id":${v}}]}`],
    ['create investigation', 'POST', () => '/investigation', (v) => `{"name":${v}}`],
    ['create webhook', 'POST', () => '/webhooks', (v) => `{"url":"http://127.0.0.1/x","events":${v}}`],
  ];

  it.each(routes)(
    'answers 400 RequestTooDeep naming the limit to %s nesting 3,000 deep',
    async (_, method, path, body) => {
      const res = await api.raw(method, path(), body(nested(3000)), JSON_TYPE);
      expectRefused(res, 'RequestTooDeep', 'body');
      expect(res.body.Limit).toBe(MAX_JSON_DEPTH);
      expect(res.body.Message).toMatch(new RegExp(`deeper than ${MAX_JSON_DEPTH} levels`));
    },
  );

  it('reads a body nesting exactly the limit and refuses one level more', async () => {
    // body, integration and scheduleParameters are three levels; x adds the rest.
    const body = (depth: number) =>
      `{"notebookName":"at limit ${depth}","integration":{"scheduleParameters":{"x":${nested(depth - 3)}}}}`;
    const atLimit = await api.raw('POST', '/notebook', body(MAX_JSON_DEPTH), JSON_TYPE);
    expect(atLimit.status, atLimit.text).toBe(201);
    expectRefused(
      await api.raw('POST', '/notebook', body(MAX_JSON_DEPTH + 1), JSON_TYPE),
      'RequestTooDeep',
      'body',
    );
  });

  it('does not count brackets inside strings (escaped quotes included)', async () => {
    const description = `\\"${'[{'.repeat(1500)}\\\\`;
    const res = await api.raw(
      'POST',
      '/notebook',
      `{"notebookName":"brackets","description":"${description}"}`,
      JSON_TYPE,
    );
    expect(res.status, res.text).toBe(201);
    expect(res.body.description).toBe(`"${'[{'.repeat(1500)}\\`);
  });

  it('answers 400 RequestTooDeep naming the file for an .ipynb whose metadata nests 5,000 deep', async () => {
    const deep = `{"deep":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const form = multipart([{ name: 'file', fileName: 'deep.ipynb', data: notebookText(deep) }]);
    const res = await api.raw('POST', '/notebook/upload', form.body, form.headers);
    expectRefused(res, 'RequestTooDeep', 'file');
    expect(res.body.Limit).toBe(MAX_JSON_DEPTH);
  });

  it('stores an .ipynb nesting exactly the limit', async () => {
    // The document and its metadata are two levels.
    const form = multipart([
      { name: 'file', fileName: 'at-limit.ipynb', data: notebookText(`{"x":${nested(MAX_JSON_DEPTH - 2)}}`) },
    ]);
    const res = await api.raw('POST', '/notebook/upload', form.body, form.headers);
    expect(res.status, res.text).toBe(201);
  });
});

describe('invalid UTF-8', () => {
  const routes: Array<[string, string, () => string, Uint8Array]> = [
    ['create notebook', 'POST', () => '/notebook', bytes('{"notebookName":"bad', [0xff], 'name"}')],
    ['update notebook', 'PUT', () => `/notebook/${notebookId}`, bytes('{"name":"T', [0xc3, 0x28], '"}')],
    [
      'execute',
      'POST',
      () => `/notebook/${notebookId}/execute`,
      bytes('{"parameters":{"s":"', [0xed, 0xa0, 0x80], '"}}'), // an encoded surrogate
    ],
    [
      'dataset JSON upload',
      'POST',
      () => '/dataset',
      bytes(
        '{"name":"bad bytes","rows":[{"case_id":"c',
        [0xe2, 0x82],
        '","activity":"a","timestamp":"2024-01-01"}]}',
      ),
    ],
    ['create investigation', 'POST', () => '/investigation', bytes('{"name":"inv', [0x80], '"}')],
  ];

  it.each(routes)('answers 400 InvalidUtf8 to %s, storing nothing', async (_, method, path, body) => {
    const res = await api.raw(method, path(), body, JSON_TYPE);
    expectRefused(res, 'InvalidUtf8', 'body');
    expect(res.body.Message).toMatch(/not valid UTF-8 \(invalid bytes at byte \d+\)/);
  });

  it('stored none of those bodies with U+FFFD in their place', async () => {
    const everything = [
      (await api.get('/notebooks?pageSize=100')).text,
      (await api.get(`/notebook/${notebookId}`)).text,
      (await api.get('/datasets')).text,
      (await api.get('/investigation')).text,
    ].join('\n');
    expect(everything).not.toMatch(/\uFFFD|\\ufffd/i);
    expect((await api.get(`/notebook/${notebookId}/executions`)).body.totalCount).toBe(0);
  });

  it('answers 400 InvalidUtf8 naming the file for an .ipynb with invalid bytes', async () => {
    const file = bytes('{"nbformat":4,"nbformat_minor":5,"metadata":{"x":"', [0xff, 0xfe], '"},"cells":[]}');
    const form = multipart([{ name: 'file', fileName: 'bad.ipynb', data: file }]);
    expectRefused(await api.raw('POST', '/notebook/upload', form.body, form.headers), 'InvalidUtf8', 'file');
  });

  it('answers 400 InvalidUtf8 naming the form field with invalid bytes', async () => {
    const form = multipart([
      { name: 'notebookName', data: bytes('bad', [0xc0, 0xaf]) }, // an overlong '/'
      { name: 'file', fileName: 'ok.ipynb', data: notebookText('{}') },
    ]);
    const res = await api.raw('POST', '/notebook/upload', form.body, form.headers);
    expectRefused(res, 'InvalidUtf8', 'form.notebookName');
  });

  it('answers 400 InvalidCsv for a CSV dataset with invalid bytes', async () => {
    const csv = bytes('case_id,activity,timestamp\nc1,', [0xe9], 'tape,2024-01-01\n');
    const form = multipart([
      { name: 'name', data: 'latin-1 log' },
      { name: 'file', fileName: 'log.csv', data: csv },
    ]);
    const res = await api.raw('POST', '/dataset', form.body, form.headers);
    expectRefused(res, 'InvalidCsv', 'file');
    expect(res.body.Message).toMatch(/invalid bytes at byte 30/);
  });

  it('keeps valid UTF-8 exactly: names, descriptions, and a file name sent as raw UTF-8 bytes', async () => {
    const created = await api.raw(
      'POST',
      '/notebook',
      bytes('{"notebookName":"Grüße 🚀","description":"naïve"}'),
      JSON_TYPE,
    );
    expect(created.status, created.text).toBe(201);
    expect(created.body).toMatchObject({ name: 'Grüße 🚀', description: 'naïve' });
    const form = multipart([{ name: 'file', fileName: bytes('café.ipynb'), data: notebookText('{}') }]);
    const uploaded = await api.raw('POST', '/notebook/upload', form.body, form.headers);
    expect(uploaded.status, uploaded.text).toBe(201);
    expect(uploaded.body.name).toBe('café');
  });
});

describe.each(SANDBOX_MODES)('deep and invalid bodies on upload and execute ($name)', ({ info }) => {
  // The gateway and handlers refuse these before any kernel: the same on both test stacks.
  let on: ReturnType<typeof client>;
  let target: string;
  beforeAll(async () => {
    on = client(await newTenant({ on: info() }));
    target = (await on.post('/notebook', { notebookName: 'Target' })).body.notebookId;
  });

  it('refuses an .ipynb nesting 5,000 deep and one with invalid bytes', async () => {
    const deep = multipart([
      { name: 'file', fileName: 'deep.ipynb', data: notebookText(`{"x":${nested(5000)}}`) },
    ]);
    expectRefused(
      await on.raw('POST', '/notebook/upload', deep.body, deep.headers),
      'RequestTooDeep',
      'file',
    );
    const bad = multipart([
      { name: 'file', fileName: 'bad.ipynb', data: bytes('{"nbformat":4,"x":"', [0xff], '"}') },
    ]);
    expectRefused(await on.raw('POST', '/notebook/upload', bad.body, bad.headers), 'InvalidUtf8', 'file');
  });

  it('refuses execute parameters nesting 3,000 deep and parameters with invalid bytes, starting no run', async () => {
    const path = `/notebook/${target}/execute`;
    expectRefused(
      await on.raw('POST', path, `{"parameters":{"x":${nested(3000)}}}`, JSON_TYPE),
      'RequestTooDeep',
      'body',
    );
    expectRefused(
      await on.raw('POST', path, bytes('{"parameters":{"s":"', [0xc3, 0x28], '"}}'), JSON_TYPE),
      'InvalidUtf8',
      'body',
    );
    expect((await on.get(`/notebook/${target}/executions`)).body.totalCount).toBe(0);
  });
});

describe('numbers the store cannot hold', () => {
  it.each([
    ['1e16', 1e16],
    ['-1e16', -1e16],
    ['2^53 + 2', 2 ** 53 + 2],
    ['2^53', 2 ** 53],
    ['1e-131 (below DynamoDB’s smallest magnitude)', 1e-131],
  ])('answers 400 naming notebookOrder for %s', async (_, notebookOrder) => {
    const res = await api.put(`/notebook/${notebookId}`, { name: 'Target', notebookOrder });
    expectRefused(res, 'ValidationError', 'body.notebookOrder');
  });

  it.each([2 ** 53 - 1, -(2 ** 53 - 1), 1e-130, -1e-130, 0, 1.5])(
    'stores notebookOrder %s exactly',
    async (n) => {
      const res = await api.put(`/notebook/${notebookId}`, { name: 'Target', notebookOrder: n });
      expect(res.status, res.text).toBe(200);
      expect((await api.get(`/notebook/${notebookId}`)).body.notebookOrder).toBe(n);
    },
  );
});

describe('after all of it', () => {
  it('answers normally', async () => {
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await api.get(`/notebook/${notebookId}`)).status).toBe(200);
    const created = await api.post('/notebook', { notebookName: 'Afterwards' });
    expect(created.status, created.text).toBe(201);
    const order = await api.put(`/notebook/${created.body.notebookId}`, {
      name: 'Afterwards',
      notebookOrder: 2.5,
    });
    expect(order.status, order.text).toBe(200);
  });
});
