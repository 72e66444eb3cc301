import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's Python, not whichever `python3` comes first on PATH. */
const PYTHON = '/usr/bin/python3';
const TRANSLATOR = fileURLToPath(new URL('../fixtures/papermill_translator.py', import.meta.url));

export interface PapermillAnswer {
  literals: string[];
  codify: string[];
  identifiers: boolean[];
}

/**
 * Runs papermill's vendored translator (test/fixtures/papermill_translator.py: its Python
 * translator, or its Scala one) on JSON source texts, parsed there by `json.loads`.
 */
export function papermill(
  request: { literals?: string[]; codify?: string[]; identifiers?: string[] },
  translator: 'python' | 'scala' = 'python',
): PapermillAnswer {
  const input = `{"translator": "${translator}", "literals": [${(request.literals ?? []).join(', ')}], "codify": [${(request.codify ?? []).join(', ')}], "identifiers": ${JSON.stringify(request.identifiers ?? [])}}`;
  const run = spawnSync(PYTHON, [TRANSLATOR], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0)
    throw new Error(`papermill translator failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout) as PapermillAnswer;
}
