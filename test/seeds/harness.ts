import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoTenancyStore } from '../../functions/adapters/dynamo-tenancy-store.ts';
import { createProject } from '../../functions/core/use-cases/tenancy.ts';
import type { StackInfo } from '../../local-stack/spawn-stack.ts';
import { seedDataset } from '../support/seed-dataset.ts';

/** The dataset GUID the seeds' clients hard-code. */
export const SEED_DATASET_ID = '880e8400-e29b-41d4-a716-446655440000';
const SEED_EVENTS = [
  { case_id: 'c1', activity: 'Register', timestamp: '2024-01-01T08:00:00Z' },
  { case_id: 'c1', activity: 'Approve', timestamp: '2024-01-01T09:00:00Z' },
  { case_id: 'c2', activity: 'Register', timestamp: '2024-01-02T08:00:00Z' },
];

export const repoRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const fixturesDir = path.join(repoRoot, 'test/seeds/fixtures');
/** The seed documents live beside the repository (`shared/seeds`); a bare clone has none. */
export const seedsDir = path.resolve(repoRoot, '../shared/seeds');

export const fixture = (name: string) => readFileSync(path.join(fixturesDir, name), 'utf8');

/** Debian's interpreter: it has `requests` (python3-requests); a pyenv one first on PATH may not. */
export const PYTHON = '/usr/bin/python3';

export interface Substitution {
  /** The exact literal text of the seed that is replaced. */
  from: string;
  to: string;
  /** How often `from` must occur in the seed code: anything else means the seed changed. */
  count: number;
}

/**
 * Applies the only permitted edits (base URL, ids, token) as literal substitutions, checks
 * each occurs exactly as often as expected, and then checks that nothing else changed:
 * every line of the result, with the substitutions undone, is the seed's line.
 */
export function substitute(code: string, rules: Substitution[]): string {
  let out = code;
  for (const rule of rules) {
    const found = out.split(rule.from).length - 1;
    if (found !== rule.count) {
      throw new Error(`expected ${rule.count} occurrence(s) of ${JSON.stringify(rule.from)}, found ${found}`);
    }
    out = out.split(rule.from).join(rule.to);
  }
  const before = code.split('\n');
  const after = out.split('\n');
  if (before.length !== after.length) throw new Error('substitution changed the number of lines');
  after.forEach((line, i) => {
    let undone = line;
    for (const rule of [...rules].reverse()) undone = undone.split(rule.to).join(rule.from);
    if (undone !== before[i]) throw new Error(`line ${i + 1} changed beyond the permitted substitutions`);
  });
  return out;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion (bounded by `timeoutMs`) and returns its exit code and output. */
export function run(command: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONDONTWRITEBYTECODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Writes `code` to a fresh temp dir as `fileName`, runs it, removes the dir. */
export async function runScript(command: string, fileName: string, code: string): Promise<RunResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cellwise-seed-'));
  try {
    const file = path.join(dir, fileName);
    await writeFile(file, code);
    return await run(command, [file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The JSON a driver printed on its `DRIVER_RESULT ` line. */
export function driverResult<T = Record<string, unknown>>(stdout: string): T {
  const line = stdout.split('\n').find((l) => l.startsWith('DRIVER_RESULT '));
  if (!line) throw new Error(`no DRIVER_RESULT line in:\n${stdout}`);
  return JSON.parse(line.slice('DRIVER_RESULT '.length)) as T;
}

/** A small client for checking, from the test, what the seed clients did. */
export function api(stack: StackInfo, projectId = stack.projectId) {
  const base = `${stack.baseUrl}/api/${stack.tenantId}/${projectId}`;
  const call = async (method: string, route: string, json?: unknown) => {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.token}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await response.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    return { status: response.status, body };
  };
  return {
    get: (route: string) => call('GET', route),
    post: (route: string, json?: unknown) => call('POST', route, json),
    del: (route: string) => call('DELETE', route),
    async newInvestigation(name: string): Promise<string> {
      const res = await call('POST', '/investigation', { name, description: 'seed client test' });
      if (res.status !== 201)
        throw new Error(`POST /investigation: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.investigationId as string;
    },
  };
}

/**
 * A new project of the stack's seeded tenant (the seeded token covers all its projects),
 * made with the admin use-case against the stack's own DynamoDB.
 */
export async function newProject(stack: StackInfo): Promise<string> {
  const db = new DynamoDBClient({
    endpoint: stack.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const tenancy = new DynamoTenancyStore(db, stack.tableName);
    const { projectId } = await createProject(tenancy, {
      tenantId: stack.tenantId,
      name: 'seed client test',
    });
    // The seeds hard-code this dataset GUID (binding and `dataset_id`): it must name a
    // dataset of the project, so each seed project gets one under that id.
    await seedDataset(stack, { tenantId: stack.tenantId, projectId }, SEED_DATASET_ID, SEED_EVENTS);
    return projectId;
  } finally {
    db.destroy();
  }
}
