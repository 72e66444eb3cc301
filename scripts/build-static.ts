/**
 * Writes the pages' browser bundles (viewer and API docs, from `web/`) to a directory:
 * `node --import tsx scripts/build-static.ts <dir>`. CDK runs it after bundling the
 * `getStaticAsset` function, which then serves them from `CELLWISE_STATIC_DIR`; the local
 * stack bundles the same sources in memory instead.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleAssets } from '../functions/api/pages/static-assets.ts';

const dir = resolve(process.argv[2] ?? 'build/static');
await mkdir(dir, { recursive: true });
const assets = await bundleAssets();
for (const [name, text] of Object.entries(assets)) await writeFile(join(dir, name), text);
console.log(`build-static: ${Object.keys(assets).join(', ')} → ${dir}`);
