import type { CellwiseClient } from './cellwise-client.ts';
import { seedCells } from './notebook-content.ts';

interface Notebook {
  notebookId: string;
  name: string;
  description: string | null;
  notebookVersion: string;
  dateModified: string;
}

interface Conflict {
  Error?: string;
  CurrentDateModified?: string;
}

export interface ConcurrencyRound {
  round: number;
  notebookId: string;
  puts: number;
  ok: number;
  conflicts: number;
  other: Record<string, number>;
  failures: string[];
  pass: boolean;
  millis: number;
}

/**
 * Fires `puts` PUTs at once at a fresh notebook, all carrying the dateModified just read.
 * Exactly one may win (200) and every other must get 409 CONFLICT; the stored notebook
 * must then be the winner's write, bumped once, with exactly two versions in its history.
 */
export async function concurrencyRound(
  client: CellwiseClient,
  round: number,
  puts: number,
): Promise<ConcurrencyRound> {
  const created = await client.expect<Notebook>(201, 'POST', '/notebook', {
    notebookName: `Concurrency check ${round} ${Date.now()}`,
    kernelType: 'python3',
    initialCells: seedCells(round),
  });
  const id = created.notebookId;
  const read = await client.expect<Notebook>(200, 'GET', `/notebook/${id}`);
  const started = performance.now();
  const responses = await Promise.all(
    Array.from({ length: puts }, (_, i) =>
      client
        .request<Notebook & Conflict>('PUT', `/notebook/${id}`, {
          name: `Concurrent r${round} ${i}`,
          description: `written by writer ${i}`,
          dateModified: read.dateModified,
        })
        .then((res) => ({ ...res, writer: i })),
    ),
  );
  const millis = performance.now() - started;
  const failures: string[] = [];
  const winners = responses.filter((r) => r.status === 200);
  const conflicts = responses.filter((r) => r.status === 409);
  const other: Record<string, number> = {};
  for (const r of responses) {
    if (r.status === 200 || r.status === 409) continue;
    other[r.status] = (other[r.status] ?? 0) + 1;
    if (other[r.status] === 1) {
      failures.push(`writer ${r.writer} got ${r.status}: ${JSON.stringify(r.body).slice(0, 400)}`);
    }
  }
  if (winners.length !== 1) failures.push(`expected exactly one 200, got ${winners.length}`);
  if (conflicts.length !== puts - 1) failures.push(`expected ${puts - 1} 409s, got ${conflicts.length}`);
  const badBodies = conflicts.filter(
    (r) => r.body.Error !== 'CONFLICT' || typeof r.body.CurrentDateModified !== 'string',
  );
  if (badBodies.length)
    failures.push(`${badBodies.length} 409 bodies lack Error=CONFLICT/CurrentDateModified`);

  const stored = await client.expect<Notebook>(200, 'GET', `/notebook/${id}`);
  const versions = await client.expect<{ versions: { version: string }[] }>(
    200,
    'GET',
    `/notebook/${id}/versions`,
  );
  const winner = winners[0];
  if (winner) {
    const expectedName = `Concurrent r${round} ${winner.writer}`;
    if (stored.name !== expectedName)
      failures.push(`stored name '${stored.name}' != winner '${expectedName}'`);
    if (stored.description !== `written by writer ${winner.writer}`) {
      failures.push(`stored description '${stored.description}' is not the winner's`);
    }
    if (stored.dateModified !== winner.body.dateModified) {
      failures.push('stored dateModified differs from the winning response');
    }
    const stale = conflicts.filter((r) => r.body.CurrentDateModified !== stored.dateModified);
    if (stale.length)
      failures.push(`${stale.length} 409s report a CurrentDateModified other than the winner's`);
  }
  if (stored.notebookVersion !== '1.0.1') {
    failures.push(`notebookVersion ${stored.notebookVersion}, expected 1.0.1 (one bump from 1.0.0)`);
  }
  const listed = versions.versions.map((v) => v.version).sort();
  if (listed.join(',') !== '1.0.0,1.0.1')
    failures.push(`versions [${listed.join(', ')}], expected 1.0.0, 1.0.1`);
  return {
    round,
    notebookId: id,
    puts,
    ok: winners.length,
    conflicts: conflicts.length,
    other,
    failures,
    pass: failures.length === 0,
    millis,
  };
}
