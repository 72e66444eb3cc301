import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { bigNotebookText } from '../../bench/bignb/generate-notebook.ts';
import { client, GUID, newTenant, stack, type Tenant } from '../support/api.ts';
import { tempDir } from '../support/temp-dirs.ts';

/*
 * Notebooks of any size against the real local stack (s3rver): a presigned PUT, then
 * `POST .../notebook/upload {uploadId, …}`; reads of a notebook above the inline limit
 * (5 MiB) answer with a presigned content URL.
 */

let tenant: Tenant;
let api: ReturnType<typeof client>;
let other: ReturnType<typeof client>;

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
  other = client(await newTenant());
});

/** A presigned upload of `text`: the slot, then the PUT. */
async function stage(text: string | Uint8Array, on = api) {
  const slot = await on.post('/notebook/uploads');
  expect(slot.status).toBe(201);
  const put = await fetch(slot.body.uploadUrl, { method: 'PUT', headers: slot.body.headers, body: text });
  expect(put.status).toBe(200);
  return slot.body.uploadId as string;
}

const small = {
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells: [{ cell_type: 'code', id: 'a', metadata: {}, execution_count: null, source: 'x = 1', outputs: [] }],
};

describe('presigned notebook uploads', () => {
  it('stores a 20 MB notebook and reads it back through route 3 and a content URL', {
    timeout: 120_000,
  }, async () => {
    const text = bigNotebookText(20 * 1024 * 1024);
    expect(text.length).toBeGreaterThan(20 * 1024 * 1024);
    const slot = await api.post('/notebook/uploads');
    expect(slot.body).toMatchObject({ method: 'PUT', maxBytes: 200 * 1024 * 1024 });
    expect(slot.body.uploadId).toMatch(GUID);
    const put = await fetch(slot.body.uploadUrl, { method: 'PUT', headers: slot.body.headers, body: text });
    expect(put.status).toBe(200);
    const res = await api.post('/notebook/upload', { uploadId: slot.body.uploadId, notebookName: 'plots' });
    expect(res.status).toBe(201);
    const cells = JSON.parse(text).cells.length;
    expect(res.body).toMatchObject({ name: 'plots', cellCount: cells, parseResult: { cellCount: cells } });

    const nb = await api.get(`/notebook/${res.body.notebookId}`);
    expect(nb.status).toBe(200);
    expect(nb.text.length).toBeLessThan(5 * 1024 * 1024);
    expect(nb.body.cells).toHaveLength(cells);
    expect(nb.body.cells[1]).toMatchObject({ cellId: 'plot-0', hasOutput: true });
    expect(nb.body.contentBytes).toBeGreaterThan(20 * 1024 * 1024);
    const viaRoute3 = await fetch(nb.body.contentUrl);
    expect(viaRoute3.status).toBe(200);
    expect(await viaRoute3.json()).toEqual(JSON.parse(text));

    const content = await api.get(`/notebook/${res.body.notebookId}/content`);
    expect(content.status).toBe(200);
    expect(Object.keys(content.body).sort()).toEqual(['bytes', 'contentUrl', 'expiresAt']);
    expect(content.body.bytes).toBe(nb.body.contentBytes);
    const file = await fetch(content.body.contentUrl);
    expect(Buffer.from(await file.arrayBuffer()).byteLength).toBe(content.body.bytes);

    // The staged object is gone once it is a notebook.
    const again = await api.post('/notebook/upload', { uploadId: slot.body.uploadId, notebookName: 'twice' });
    expect(again.status).toBe(404);
    expect(again.body.Error).toBe('Upload not found');
  });

  it('answers small notebooks inline, without content link fields', async () => {
    const uploadId = await stage(JSON.stringify(small));
    const res = await api.post('/notebook/upload', { uploadId, name: 'small one', description: 'd' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'small one', description: 'd', cellCount: 1 });
    const nb = await api.get(`/notebook/${res.body.notebookId}`);
    expect(nb.body).not.toHaveProperty('contentUrl');
    const content = await api.get(`/notebook/${res.body.notebookId}/content`);
    expect(content.body).toMatchObject({ nbformat: 4, cells: [{ id: 'a', source: 'x = 1' }] });
    const version = await api.get(`/notebook/${res.body.notebookId}/versions/1.0.0`);
    expect(version.body.content).toMatchObject({ nbformat: 4 });
  });

  it('refuses an invalid notebook with the same 400, line and column, as a multipart upload', async () => {
    const broken = '{\n "nbformat": 4,\n "cells": [\n  {"cell_type": "code",}\n ]\n}\n';
    const uploadId = await stage(broken);
    const staged = await api.post('/notebook/upload', { uploadId, notebookName: 'broken' });
    const form = new FormData();
    form.append('notebookName', 'broken');
    form.append('file', new Blob([broken]), 'broken.ipynb');
    const multipart = await api.raw('POST', '/notebook/upload', form);
    expect(staged.status).toBe(400);
    expect(multipart.status).toBe(400);
    expect(staged.body).toEqual(multipart.body);
    expect(staged.body).toMatchObject({ Error: 'InvalidNotebook', Line: 4, Column: 24 });
    const schema = await stage(JSON.stringify({ ...small, cells: [{ cell_type: 'code' }] }));
    const invalid = await api.post('/notebook/upload', { uploadId: schema, notebookName: 'schema' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.Error).toBe('InvalidNotebook');
  });

  it("answers 404 for another tenant's, an unknown and a never-PUT upload id", async () => {
    const theirs = await stage(JSON.stringify(small), other);
    const stolen = await api.post('/notebook/upload', { uploadId: theirs, notebookName: 'x' });
    expect(stolen.status).toBe(404);
    expect(stolen.body).toMatchObject({ Error: 'Upload not found', UploadId: theirs });
    const unknown = await api.post('/notebook/upload', {
      uploadId: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee',
      notebookName: 'x',
    });
    expect(unknown.status).toBe(404);
    const slot = await api.post('/notebook/uploads');
    const never = await api.post('/notebook/upload', { uploadId: slot.body.uploadId, notebookName: 'x' });
    expect(never.status).toBe(404);
    expect(never.body.Message).toMatch(/PUT/);
    // The owner can still use it.
    expect((await other.post('/notebook/upload', { uploadId: theirs, notebookName: 'x' })).status).toBe(201);
  });

  it('answers 415 for JSON without an uploadId and 400 for bad fields', async () => {
    const notebookJson = await api.post('/notebook/upload', small);
    expect(notebookJson.status).toBe(415);
    const uploadId = await stage(JSON.stringify(small));
    const cases: [object, string][] = [
      [{ uploadId: 'nope', notebookName: 'x' }, 'body.uploadId'],
      [{ uploadId }, 'body.notebookName'],
      [{ uploadId, notebookName: 'x', enrichmentMode: 'yes' }, 'body.enrichmentMode'],
      [{ uploadId, notebookName: 'x', investigationId: 'nope' }, 'body.investigationId'],
      [{ uploadId, notebookName: 'x', extra: 1 }, 'body'],
    ];
    for (const [body, path] of cases) {
      const res = await api.post('/notebook/upload', body);
      expect(res.status, path).toBe(400);
      expect(res.body.Details[0].path, path).toBe(path);
    }
    const unbound = await api.post('/notebook/upload', {
      uploadId,
      notebookName: 'x',
      datasetBinding: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee',
    });
    expect(unbound.status).toBe(400);
    expect(unbound.body.Details[0].path).toBe('body.datasetBinding');
  });

  it('makes the CLI upload a file above the inline limit through the presigned path', {
    timeout: 60_000,
  }, async () => {
    const dir = tempDir('bignb-cli-');
    // Larger than the test stack's multipart limit (4 MiB, a 413 there): only the presigned path takes it.
    const file = join(dir, 'cli-plots.ipynb');
    writeFileSync(file, bigNotebookText(6 * 1024 * 1024));
    const bin = new URL('../../bin/cellwise.js', import.meta.url).pathname;
    const env = {
      ...process.env,
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, '.config'),
      CELLWISE_URL: stack().baseUrl,
      CELLWISE_TENANT: tenant.tenantId,
      CELLWISE_PROJECT: tenant.projectId,
      CELLWISE_TOKEN: tenant.token,
    };
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--json', 'upload', file], { env });
    const uploaded = JSON.parse(stdout);
    expect(uploaded).toMatchObject({ name: 'cli-plots', parseResult: { nbformat: 4 } });
    const content = await api.get(`/notebook/${uploaded.notebookId}/content`);
    expect(content.body.bytes).toBeGreaterThan(6 * 1024 * 1024);
  });
});
