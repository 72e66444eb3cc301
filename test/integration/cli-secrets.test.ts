import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant, stack, type Tenant } from '../support/api.ts';
import { notebookOf, resultsOf, streamText, upload } from '../support/runs.ts';
import { tempDir } from '../support/temp-dirs.ts';

/** `cellwise secrets set|list|delete` and `cellwise run --secret`, as a script runs them (no terminal). */

const BIN = new URL('../../bin/cellwise.js', import.meta.url).pathname;
const VALUE = 'cli-Value/with spaces+42';

let tenant: Tenant;

function cellwise(args: string[], input = '') {
  const home = tempDir('cli-secrets-home-');
  const child = spawn(process.execPath, [BIN, ...args], {
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      CELLWISE_POLL_MS: '100',
      CELLWISE_URL: stack().baseUrl,
      CELLWISE_TENANT: tenant.tenantId,
      CELLWISE_PROJECT: tenant.projectId,
      CELLWISE_TOKEN: tenant.token,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => {
    stdout += c;
  });
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

beforeAll(async () => {
  tenant = await newTenant();
});

describe('cellwise secrets', () => {
  it('sets a secret from stdin, lists names only, runs with --secret and deletes it', async () => {
    const set = await cellwise(['secrets', 'set', 'CLI_TOKEN'], `${VALUE}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('Secret CLI_TOKEN created.');
    const again = await cellwise(['secrets', 'set', 'CLI_TOKEN'], VALUE);
    expect(again.stdout).toContain('Secret CLI_TOKEN updated.');

    const list = await cellwise(['secrets', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/NAME\s+CREATED\s+UPDATED/);
    expect(list.stdout).toContain('CLI_TOKEN');
    expect(list.stdout).not.toContain(VALUE);
    const json = await cellwise(['--json', 'secrets', 'list']);
    expect(JSON.parse(json.stdout).secrets.map((s: { name: string }) => s.name)).toEqual(['CLI_TOKEN']);

    const api = client(tenant);
    const notebookId = await upload(
      api,
      notebookOf([
        'import os\nprint(os.environ["CLI_TOKEN"] == ' +
          JSON.stringify(VALUE) +
          ')\nprint(os.environ["CLI_TOKEN"])',
      ]),
    );
    const run = await cellwise(['--json', 'run', notebookId, '--secret', 'CLI_TOKEN']);
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status.secrets).toEqual(['CLI_TOKEN']);
    // The notebook's own source holds the value (the user wrote it there); its output never does.
    const { executed } = await resultsOf(api, notebookId, status.executionId);
    expect(streamText(executed.cells[0])).toBe('True\n[secret:CLI_TOKEN]\n');

    const unknown = await cellwise(['run', notebookId, '--secret', 'NOT_THERE']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('SecretNotFound');

    const deleted = await cellwise(['secrets', 'delete', 'CLI_TOKEN']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await cellwise(['secrets', 'delete', 'CLI_TOKEN']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/not found/i);
  }, 90_000);

  it('refuses an empty value and a bad name', async () => {
    const empty = await cellwise(['secrets', 'set', 'EMPTY'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no value');
    const bad = await cellwise(['secrets', 'set', 'lower'], 'some value');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('environment variable name');
  });
});
