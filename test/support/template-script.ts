import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoLogCsv, generateLoanLog } from '../../functions/core/demo/loan-log.ts';
import { findTemplate } from '../../functions/core/templates.ts';

export const KERNEL_SDK_DIR = resolve(fileURLToPath(new URL('../../kernel-sdk', import.meta.url)));

/** A template's code cells as one Python script, `parameters` overriding the parameters cell. */
export function templateScript(slug: string, parameters: Record<string, string> = {}): string {
  const template = findTemplate(slug);
  if (!template) throw new Error(`no template ${slug}`);
  const parts: string[] = [];
  for (const cell of template.cells) {
    if (cell.cellType !== 'code') continue;
    parts.push(cell.source);
    if (cell.tags?.includes('parameters'))
      for (const [name, value] of Object.entries(parameters)) parts.push(`${name} = ${value}`);
  }
  return `${parts.join('\n\n')}\n`;
}

/**
 * A working directory staged the way a run stages its kernel's (`.cellwise/run.json`), with the
 * demo log staged beside it as the run's dataset version, read by the real SDK.
 */
export function stagedDemoDir(events = generateLoanLog()): string {
  const dir = mkdtempSync(join(tmpdir(), 'cellwise-template-'));
  mkdirSync(join(dir, '.cellwise', 'datasets'), { recursive: true });
  const file = '.cellwise/datasets/00000000-0000-4000-8000-000000000001-v1.csv';
  writeFileSync(join(dir, file), demoLogCsv(events));
  const dataset = {
    datasetId: '00000000-0000-4000-8000-000000000001',
    version: 1,
    name: 'Demo loan applications',
    caseIdColumn: 'case_id',
    activityColumn: 'activity',
    timestampColumn: 'timestamp',
    columns: Object.keys(events[0] ?? {}),
    recordCount: events.length,
    format: 'csv',
    file,
  };
  writeFileSync(
    join(dir, '.cellwise', 'run.json'),
    JSON.stringify({ executionId: 'local', dataset, enrichment: true }),
  );
  return dir;
}

/** Runs a Python script with Debian's python3 and the kernel SDK importable, in `cwd`. */
export function runPython(script: string, cwd: string) {
  const result = spawnSync('/usr/bin/python3', ['-'], {
    cwd,
    input: script,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      PATH: '/usr/bin:/bin',
      HOME: cwd,
      PYTHONPATH: KERNEL_SDK_DIR,
      PYTHONDONTWRITEBYTECODE: '1',
      MPLBACKEND: 'Agg',
      LANG: 'C.UTF-8',
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
