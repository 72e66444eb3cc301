/**
 * Writes the demo event log (functions/core/demo/loan-log.ts) as CSV:
 *
 *   node --import tsx local-stack/demo-log.ts [file] [--seed N] [--cases N]
 *
 * Without a file it goes to stdout. The same seed gives the same file, byte for byte.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type DemoLogOptions, demoLogCsv, generateLoanLog } from '../functions/core/demo/loan-log.ts';

/** The demo log as CSV, written to `file`; returns its number of events. */
export async function writeDemoLog(file: string, options: DemoLogOptions = {}): Promise<number> {
  const events = generateLoanLog(options);
  await writeFile(file, demoLogCsv(events));
  return events.length;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { seed: { type: 'string' }, cases: { type: 'string' } },
  });
  const options: DemoLogOptions = {
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.cases ? { cases: Number(values.cases) } : {}),
  };
  const [file] = positionals;
  if (file) {
    const count = await writeDemoLog(file, options);
    console.error(`demo log: ${count} events written to ${file}`);
  } else process.stdout.write(demoLogCsv(generateLoanLog(options)));
}
