import { runKeys } from '../content-keys.ts';
import type { KernelFile } from '../ports/kernel-ports.ts';
import type { Services } from '../ports.ts';
import type { KernelRef } from '../run/kernel.ts';
import {
  type PublishedFrame,
  type PublishedModel,
  pointerOf,
  type RunPublished,
  type RunRecord,
} from '../run/run.ts';
import { OUTBOX_DIR } from '../run/run-staging.ts';
import { enrichDataset } from './enrich-dataset.ts';

/** At most this many frames and this many models are collected from one run. */
export const MAX_PUBLISHED = 20;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
/** A manifest is a small JSON file; anything larger is not one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

interface Manifest {
  kind: 'frame' | 'model';
  name: string;
  file: string;
  recordCount?: unknown;
  columns?: unknown;
  modelType?: unknown;
  metrics?: unknown;
  features?: unknown;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** A manifest the SDK wrote (`<kind>-<name>.json` naming `<kind>-<name>.csv|pkl`), or why it is refused. */
function parseManifest(file: KernelFile, text: string): Manifest | string {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return `${file.name}: not JSON`;
  }
  const { kind, name } = body;
  if ((kind !== 'frame' && kind !== 'model') || typeof name !== 'string' || !NAME.test(name)) {
    return `${file.name}: not a manifest of a frame or model`;
  }
  const expected = `${kind}-${name}.${kind === 'frame' ? 'csv' : 'pkl'}`;
  if (body.file !== expected || file.name !== `${kind}-${name}.json`)
    return `${file.name}: names another file`;
  return { ...body, kind, name, file: expected } as Manifest;
}

/**
 * Collects what the run published through the SDK (`.cellwise/outbox/` in its kernel's
 * working directory, read through the kernel host as the kernel's own user: a link, a FIFO
 * or a hard link planted there is refused, never followed, and listed in `skipped` with the
 * reason): each frame and model is stored under the run's prefix; with enrichment (frozen at submission) and a Completed run, each frame also
 * becomes a new version of the run's dataset. The result is recorded on the run (`published`),
 * then the collected manifests are removed from the outbox (a kept kernel's next run does not
 * collect them again). Must run before the kernel ends
 * (that removes its directory). Problems are listed in `skipped`, never thrown: a run's end
 * does not fail for what it published.
 */
export async function collectPublished(
  services: Services,
  run: RunRecord,
  kernel: KernelRef,
  completed: boolean,
): Promise<RunPublished> {
  const published: RunPublished = { frames: [], models: [], skipped: [] };
  let listed: KernelFile[];
  try {
    const outbox = await services.kernelHost.files.list(kernel, OUTBOX_DIR);
    listed = outbox.files;
    for (const refused of outbox.refused)
      published.skipped.push(`${refused.name}: refused: ${refused.reason}`);
  } catch (error) {
    published.skipped.push(`the outbox could not be read: ${(error as Error).message}`);
    return published;
  }
  const byName = new Map(listed.map((f) => [f.name, f]));
  const manifests = listed
    .filter((f) => /^(frame|model)-.+\.json$/.test(f.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const keys = runKeys(run, run.notebookId, run.executionId);
  const limit = services.maxDatasetBytes;
  const base = run.dataset
    ? await services.datasets.getVersion(run, run.dataset.datasetId, run.dataset.version)
    : undefined;
  const baseColumns = new Set(base?.columns.map((c) => c.name) ?? []);
  let enrichments = 0;
  const collected: string[] = [];
  for (const file of manifests) {
    try {
      const manifest = parseManifest(
        file,
        new TextDecoder().decode(await services.kernelHost.files.get(kernel, file.path, MAX_MANIFEST_BYTES)),
      );
      if (typeof manifest === 'string') {
        published.skipped.push(manifest);
        continue;
      }
      const data = byName.get(manifest.file);
      const list = manifest.kind === 'frame' ? published.frames : published.models;
      if (!data) published.skipped.push(`${manifest.name}: ${manifest.file} is missing`);
      else if (data.bytes > limit) published.skipped.push(`${manifest.name}: larger than ${limit} bytes`);
      else if (list.length >= MAX_PUBLISHED)
        published.skipped.push(`${manifest.name}: more than ${MAX_PUBLISHED}`);
      else {
        const bytes = await services.kernelHost.files.get(kernel, data.path, limit);
        const objectKey = keys.published(manifest.file);
        if (manifest.kind === 'model') {
          await services.files.put(objectKey, bytes, 'application/octet-stream');
          published.models.push(modelOf(manifest, objectKey));
        } else {
          await services.files.put(objectKey, bytes, 'text/csv; charset=utf-8');
          const columns = strings(manifest.columns);
          const frame: PublishedFrame = {
            name: manifest.name,
            objectKey,
            recordCount: typeof manifest.recordCount === 'number' ? manifest.recordCount : 0,
            newColumns: columns.filter((c) => !baseColumns.has(c)),
            datasetId: null,
            version: null,
          };
          if (run.dataset?.enrich && completed && base) {
            const made = await enrichDataset(services, run, base, bytes, enrichments);
            if (typeof made === 'string') frame.enrichmentError = made;
            else {
              Object.assign(frame, made);
              enrichments++;
            }
          }
          published.frames.push(frame);
        }
      }
      collected.push(file.path);
    } catch (error) {
      published.skipped.push(`${file.name}: ${(error as Error).message}`);
    }
  }
  // Recorded before the manifests are removed: a retried Finalize skips what is recorded.
  await services.runs.update(pointerOf(run), { published });
  await Promise.all(
    collected.map((path) => services.kernelHost.files.delete(kernel, path).catch(() => undefined)),
  );
  return published;
}

function modelOf(manifest: Manifest, objectKey: string): PublishedModel {
  const metrics = manifest.metrics;
  return {
    name: manifest.name,
    objectKey,
    modelType: typeof manifest.modelType === 'string' ? manifest.modelType : 'unknown',
    metrics:
      typeof metrics === 'object' && metrics !== null && !Array.isArray(metrics)
        ? (metrics as Record<string, unknown>)
        : {},
    features: strings(manifest.features),
  };
}
