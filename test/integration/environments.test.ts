import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, client, newTenant, type Tenant, uidOnlyStack } from '../support/api.ts';
import { execute, streamText, upload, waitForRun } from '../support/runs.ts';

/**
 * GET /environments lists what the kernel host really runs, and notebook requests are
 * checked against it; R notebooks run with parameters written as papermill's R translator
 * writes them.
 */

/** The project's set-up installs IRkernel (r-cran-irkernel): R is required, never skipped. */
const R_KERNELSPEC = '/usr/share/jupyter/kernels/ir/kernel.json';

let tenant: Tenant;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
});

async function environments() {
  const res = await api.get('/environments');
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.environments as {
    kernelType: string;
    displayName: string;
    language: string;
    languageVersion: string | null;
    packages: { name: string; version: string | null }[];
    customLibraries: { name: string; version: string | null }[];
  }[];
}

describe('GET /environments', () => {
  it('lists python3 with the real Python version, pandas and the SDK', async () => {
    const python = (await environments()).find((e) => e.kernelType === 'python3');
    expect(python).toBeDefined();
    const real = spawnSync('/usr/bin/python3', ['--version'], { encoding: 'utf8' }).stdout.trim();
    expect(`Python ${python!.languageVersion}`).toBe(real);
    expect(python!.language).toBe('python');
    const pandas = python!.packages.find((p) => p.name.toLowerCase() === 'pandas');
    expect(pandas?.version).toMatch(/^\d+\.\d+/);
    expect(python!.customLibraries.map((l) => l.name)).toEqual(
      expect.arrayContaining(['cellwise', 'process_mining_utils']),
    );
  });

  it('lists r with the real R version and IRkernel', async () => {
    expect(existsSync(R_KERNELSPEC), 'run scripts/setup.sh: it installs r-cran-irkernel').toBe(true);
    const r = (await environments()).find((e) => e.kernelType === 'r');
    expect(r).toBeDefined();
    const real = spawnSync('R', ['--version'], { encoding: 'utf8' }).stdout;
    expect(real).toContain(`R version ${r!.languageVersion} `);
    expect(r!.packages.map((p) => p.name)).toContain('IRkernel');
    expect(r!.customLibraries).toEqual([]);
  });

  it("answers 404 for another tenant's path and 401 without a token", async () => {
    const other = await newTenant();
    const res = await call('GET', `${tenant.base}/environments`, { token: other.token });
    expect(res.status).toBe(404);
    expect((await call('GET', `${tenant.base}/environments`)).status).toBe(401);
  });
});

describe('requests checked against the environments', () => {
  it('stores the real Python version and accepts installed packages with version specs', async () => {
    const python = (await environments()).find((e) => e.kernelType === 'python3')!;
    const res = await api.post('/notebook', {
      notebookName: 'env ok',
      kernelType: 'python3',
      environment: {
        pythonVersion: '2.7',
        packages: ['pandas', 'numpy>=1', 'Matplotlib'],
        customLibraries: ['process_mining_utils'],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.environment).toEqual({
      pythonVersion: python.languageVersion,
      packages: ['pandas', 'numpy>=1', 'Matplotlib'],
      customLibraries: ['process_mining_utils'],
    });
  });

  it('answers 400 naming kernelType and the available kernels for an unknown kernel', async () => {
    // The uid-only test stack offers python3 and scala, not r (test/support/global-setup.ts).
    const withoutR = client(await newTenant({ on: uidOnlyStack() }));
    const res = await withoutR.post('/notebook', { notebookName: 'env bad kernel', kernelType: 'r' });
    expect(res.status).toBe(400);
    expect(res.body.Error).toBe('KernelNotAvailable');
    expect(res.body.Message).toContain('python3, scala');
    expect(res.body.Details[0].path).toBe('kernelType');
  });

  it('answers 400 naming each unknown package and custom library, listing what is installed', async () => {
    const res = await api.post('/notebook', {
      notebookName: 'env bad packages',
      kernelType: 'python3',
      environment: {
        packages: ['pandas', 'no-such-package-xyz', 'pandas>=999'],
        customLibraries: ['nope_lib'],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.Error).toBe('EnvironmentNotAvailable');
    expect(res.body.Message).toContain('no-such-package-xyz');
    const paths = res.body.Details.map((d: { path: string }) => d.path);
    expect(paths).toEqual([
      'body.environment.packages[1]',
      'body.environment.packages[2]',
      'body.environment.customLibraries[0]',
    ]);
    expect(res.body.Details[0].message).toContain('pandas');
    expect(res.body.Details[2].message).toContain('cellwise');
  });

  it('checks updates and uploads too', async () => {
    const api = client(await newTenant({ on: uidOnlyStack() })); // no r there
    const created = await api.post('/notebook', { notebookName: 'env update', kernelType: 'python3' });
    expect(created.status).toBe(201);
    const id = created.body.notebookId;
    const bad = await api.put(`/notebook/${id}`, {
      name: 'env update',
      environment: { customLibraries: ['not_a_library'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.Details[0].path).toBe('body.environment.customLibraries[0]');
    const unknownKernel = await api.put(`/notebook/${id}`, { name: 'env update', kernelType: 'r' });
    expect(unknownKernel.status).toBe(400);
    const good = await api.put(`/notebook/${id}`, {
      name: 'env update',
      environment: { packages: ['scipy'] },
    });
    expect(good.status, JSON.stringify(good.body)).toBe(200);
    expect(good.body.environment.packages).toEqual(['scipy']);

    const form = new FormData();
    form.append('notebookName', 'env upload');
    const document = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'ir', display_name: 'R', language: 'R' } },
      cells: [],
    };
    form.append('file', new Blob([JSON.stringify(document)], { type: 'application/json' }), 'x.ipynb');
    const uploaded = await api.raw('POST', '/notebook/upload', form);
    expect(uploaded.status).toBe(400);
    expect(uploaded.body.Details[0].path).toBe('file.metadata.kernelspec.name');
  });
});

describe('R notebooks', () => {
  it('runs with parameters as R sees them', async () => {
    const document = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'ir', display_name: 'R', language: 'R' } },
      cells: [
        {
          id: 'p',
          cell_type: 'code',
          metadata: { tags: ['parameters'] },
          source: 'n <- 0\ns <- ""',
          execution_count: null,
          outputs: [],
        },
        {
          id: 'show',
          cell_type: 'code',
          metadata: {},
          source: [
            'cat("n:", n, class(n), "\\n")\n',
            'cat("x:", x, "\\n")\n',
            'cat("s:", s, "\\n")\n',
            'cat("flags:", isTRUE(flag), identical(off, FALSE), is.null(nothing), "\\n")\n',
            'cat("items:", deparse(items), "\\n")\n',
            'cat("under:", under, "\\n")\n',
          ].join(''),
          execution_count: null,
          outputs: [],
        },
      ],
    };
    const notebookId = await upload(api, document, 'r params');
    const nb = await api.get(`/notebook/${notebookId}`);
    expect(nb.body.kernelType).toBe('r');
    expect(nb.body.environment.pythonVersion).toBeNull();
    const started = await execute(api, notebookId, {
      parameters: {
        n: 42,
        x: 1.5,
        s: 'say "hi" \\ it\'s é',
        flag: true,
        off: false,
        nothing: null,
        items: [1, 'a', true, { k: 'v' }],
        _under: 7,
      },
    });
    const status = await waitForRun(api, notebookId, started.executionId, 90_000);
    expect(status.status, JSON.stringify(status)).toBe('Completed');
    const results = await api.get(
      `/notebook/${notebookId}/execution/${started.executionId}/results?format=detailed`,
    );
    const executed: any = await fetch(results.body.executedNotebook.downloadUrl).then((r) => r.json());
    const injected = executed.cells.find((c: any) => c.metadata?.tags?.includes('injected-parameters'));
    const source = Array.isArray(injected.source) ? injected.source.join('') : injected.source;
    expect(source).toBe(
      '# Parameters\nn = 42\nx = 1.5\ns = "say \\"hi\\" \\\\ it\'s \\u00e9"\nflag = TRUE\noff = FALSE\nnothing = NULL\nitems = list(1, "a", TRUE, list("k" = "v"))\nunder = 7\n',
    );
    const shown = executed.cells.find((c: any) => c.id === 'show');
    expect(streamText(shown)).toBe(
      [
        'n: 42 numeric \n',
        'x: 1.5 \n',
        's: say "hi" \\ it\'s é \n',
        'flags: TRUE TRUE TRUE \n',
        'items: list(1, "a", TRUE, list(k = "v")) \n',
        'under: 7 \n',
      ].join(''),
    );
  });

  it('answers 400 for parameter names R cannot assign', async () => {
    const document = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'ir', display_name: 'R', language: 'R' } },
      cells: [],
    };
    const notebookId = await upload(api, document, 'r bad names');
    const res = await api.post(`/notebook/${notebookId}/execute`, { parameters: { function: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.Details[0].path).toBe('body.parameters.function');
  });
});
