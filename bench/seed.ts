import type { CellwiseClient } from './cellwise-client.ts';
import { mapPool } from './cellwise-client.ts';
import { notebookName, seedCells } from './notebook-content.ts';

export interface SeedResult {
  ids: string[];
  seconds: number;
  perSecond: number;
  method: string;
}

function progress(label: string, done: number, total: number, started: number) {
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${label}: ${done}/${total} (${(done / seconds).toFixed(0)}/s)`);
}

/** Creates `count` notebooks through `POST /notebook` of the real API, `concurrency` at a time. */
export async function seedNotebooks(
  client: CellwiseClient,
  count: number,
  concurrency: number,
): Promise<SeedResult> {
  const started = performance.now();
  let done = 0;
  const step = Math.max(1, Math.round(count / 10));
  const ids = await mapPool(count, concurrency, async (index) => {
    const created = await client.expect<{ notebookId: string }>(201, 'POST', '/notebook', {
      notebookName: notebookName(index + 1),
      notebookDescription: `Seeded by npm run bench (#${index + 1})`,
      kernelType: 'python3',
      initialCells: seedCells(index + 1),
    });
    if (++done % step === 0) progress('seeded', done, count, started);
    return created.notebookId;
  });
  const seconds = (performance.now() - started) / 1000;
  return { ids, seconds, perSecond: count / seconds, method: 'HTTP POST /notebook (real API)' };
}
