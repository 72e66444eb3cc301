import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { notebookOf, streamText, upload, waitForRun } from '../support/runs.ts';

/**
 * Parameters end to end: the JSON text sent to route 12 reaches the kernel typed exactly as
 * papermill would write it for the same JSON (big integers exact, `1.0` a float, strings with
 * quotes, backslashes, newlines and unicode intact, nesting kept, null as None). The
 * reference is papermill's own translator (vendored) run by Debian's Python on the same text.
 */

const PARAMETERS = `{
  "big": 123456789012345678901234567890,
  "one_float": 1.0,
  "one_int": 1,
  "tiny": 1E-7,
  "huge": 1e400,
  "negative_zero": -0.0,
  "text": "say \\"hi\\"\\n\\tand it's a\\\\b — Grüße 😀",
  "nothing": null,
  "flag": false,
  "nested": {"list": [1, 2.50, {"k": "v"}, []], "empty": {}}
}`;

/** What the kernel sees: each parameter's type and repr. */
const INSPECT = `import json
print(json.dumps({name: [type(value).__name__, repr(value)] for name, value in [
    ("big", big), ("one_float", one_float), ("one_int", one_int), ("tiny", tiny), ("huge", huge),
    ("negative_zero", negative_zero), ("text", text), ("nothing", nothing), ("flag", flag), ("nested", nested)]}))`;

function papermill(parametersJson: string): { cell: string; seen: Record<string, [string, string]> } {
  const script = fileURLToPath(new URL('../fixtures/papermill_translator.py', import.meta.url));
  const translated = spawnSync('/usr/bin/python3', [script], {
    input: `{"codify": [${parametersJson}]}`,
    encoding: 'utf8',
  });
  expect(translated.status, translated.stderr).toBe(0);
  const cell = (JSON.parse(translated.stdout) as { codify: string[] }).codify[0]!;
  // Python's own view of the same JSON, as json.loads types it.
  const seen = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import json,sys; d=json.loads(sys.stdin.read()); print(json.dumps({k: [type(v).__name__, repr(v)] for k, v in d.items()}))',
    ],
    { input: parametersJson, encoding: 'utf8' },
  );
  return { cell, seen: JSON.parse(seen.stdout) };
}

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

describe('parameters (papermill typing)', () => {
  it('injects the JSON exactly as papermill writes it and the kernel gets the same values', async () => {
    const notebookId = await upload(
      api,
      notebookOf([{ source: 'big = 0\ntext = ""', tags: ['parameters'] }, INSPECT]),
    );
    const res = await api.raw('POST', `/notebook/${notebookId}/execute`, `{"parameters": ${PARAMETERS}}`, {
      'content-type': 'application/json',
    });
    expect(res.status, res.text).toBe(202);
    // The response echoes the parameters losslessly.
    expect(res.text).toContain('"big":123456789012345678901234567890');
    expect(res.text).toContain('"one_float":1.0');
    const status = await waitForRun(api, notebookId, res.body.executionId);
    expect(status.status).toBe('Completed');
    const results = (
      await api.get(`/notebook/${notebookId}/execution/${res.body.executionId}/results?format=download`)
    ).body;
    const executed: any = await fetch(results.executedNotebook.downloadUrl).then((r) => r.json());
    const reference = papermill(PARAMETERS);
    const injected = executed.cells[1];
    expect(injected.metadata.tags).toEqual(['injected-parameters']);
    expect(injected.source).toBe(reference.cell);
    expect(JSON.parse(streamText(executed.cells[2]))).toEqual(reference.seen);
  });

  it('places the injected cell first when no cell is tagged parameters, and replaces an earlier injected cell', async () => {
    const notebookId = await upload(
      api,
      notebookOf(['print(x)', { source: 'x = "stale"', tags: ['injected-parameters'] }, 'print("again", x)']),
    );
    const res = await api.post(`/notebook/${notebookId}/execute`, { parameters: { x: 'fresh' } });
    expect(res.status).toBe(202);
    const status = await waitForRun(api, notebookId, res.body.executionId);
    // papermill replaces the old injected cell in place: print(x) runs before it and fails.
    expect(status).toMatchObject({ status: 'Error', error: { errorType: 'CellError', cellId: 'c1' } });
    const first = await upload(api, notebookOf(['print(x)']));
    const ok = await api.post(`/notebook/${first}/execute`, { parameters: { x: 'fresh' } });
    const done = await waitForRun(api, first, ok.body.executionId);
    expect(done.status).toBe('Completed');
    expect(done.cellResults.map((c: any) => c.cellId)).toEqual(['injected-parameters', 'c1']);
  });
});
