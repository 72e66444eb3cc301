import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { demoLogCsv, generateLoanLog } from '../functions/core/demo/loan-log.ts';
import { ServiceUnavailableError } from '../functions/core/errors.ts';
import type { Actor, Services } from '../functions/core/ports.ts';
import { createDataset } from '../functions/core/use-cases/create-dataset.ts';
import { createNotebook } from '../functions/core/use-cases/create-notebook.ts';
import type { SeedInfo } from './seed.ts';

/**
 * Retries while the kernel host cannot answer yet (503): on a fresh machine its first
 * environment probe (every interpreter, cold caches) can outlast the first ask.
 */
async function whileUnavailable<T>(work: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableError) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
    }
  }
}

export const DEMO_DATASET_NAME = 'Demo loan applications';
export const DEMO_NOTEBOOK_NAME = 'Demo: process mining starter';

export interface DemoInfo {
  datasetId: string;
  notebookId: string;
}

/**
 * The demo of `npm start`, once per data directory: the demo loan-application log uploaded as
 * the dataset "Demo loan applications" and a `process_mining_starter` notebook bound to it
 * (enrichment on, so a run publishes a new dataset version), in the seed tenant's project,
 * through the same use-cases as the API. Their ids are kept in `<data>/demo.json`: a restart
 * reuses them, and a demo the user deleted is not created again. CELLWISE_DEMO=off skips it.
 * Returns the demo's ids, or undefined when there is none.
 */
export async function seedDemo(
  services: Services,
  seed: SeedInfo,
  dataDir: string,
  env = process.env,
): Promise<DemoInfo | undefined> {
  if (['0', 'off', 'false', 'no'].includes((env.CELLWISE_DEMO ?? '').toLowerCase())) return undefined;
  const file = join(dataDir, 'demo.json');
  const saved = await readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as Partial<DemoInfo>)
    .catch(() => undefined);
  const actor: Actor = { tenantId: seed.tenantId, projectId: seed.projectId, principalId: 'local-demo' };
  let datasetId = saved?.datasetId;
  if (!datasetId) {
    const csv = Buffer.from(demoLogCsv(generateLoanLog()), 'utf8');
    async function* chunks() {
      yield new Uint8Array(csv);
    }
    const dataset = await createDataset(services, actor, {
      name: DEMO_DATASET_NAME,
      roles: {},
      source: { kind: 'file', chunks: chunks() },
    });
    datasetId = dataset.datasetId;
    await writeFile(file, JSON.stringify({ datasetId }, null, 2));
  }
  let notebookId = saved?.notebookId;
  if (!notebookId) {
    if (!(await services.datasets.get(actor, datasetId))) return undefined;
    const notebook = await whileUnavailable(() =>
      createNotebook(services, actor, {
        name: DEMO_NOTEBOOK_NAME,
        description: `The process-mining starter on the ${DEMO_DATASET_NAME} dataset`,
        template: 'process_mining_starter',
        integration: { datasetBinding: datasetId, enrichmentMode: true, outputFormat: 'enriched_dataframe' },
      }),
    );
    notebookId = notebook.notebookId;
    await writeFile(file, JSON.stringify({ datasetId, notebookId }, null, 2));
  }
  const [dataset, notebook] = await Promise.all([
    services.datasets.get(actor, datasetId),
    services.notebooks.get(actor, notebookId),
  ]);
  return dataset && notebook ? { datasetId, notebookId } : undefined;
}
