import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The browser bundles the pages load (all from this origin: the pages' CSP allows nothing else). */
export const ASSETS = {
  'viewer.js': 'application/javascript; charset=utf-8',
  'viewer.css': 'text/css; charset=utf-8',
  'docs.js': 'application/javascript; charset=utf-8',
  'docs.css': 'text/css; charset=utf-8',
} as const;

export type AssetName = keyof typeof ASSETS;
export const ASSET_NAMES = Object.keys(ASSETS) as [AssetName, ...AssetName[]];

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What each asset is bundled from (relative to the repository root). */
const ENTRIES: Record<AssetName, string> = {
  'viewer.js': 'web/viewer/main.ts',
  'viewer.css': 'web/viewer/style.css',
  'docs.js': 'web/docs/main.ts',
  'docs.css': 'web/docs/style.css',
};

/**
 * Bundles every asset with esbuild (npm dependencies: marked, DOMPurify, highlight.js, ansi_up,
 * Swagger UI) into memory. `scripts/build-static.ts` writes the same files for deployments.
 */
export async function bundleAssets(): Promise<Record<AssetName, string>> {
  const esbuild = await import('esbuild');
  const entries = Object.entries(ENTRIES) as [AssetName, string][];
  const built = await Promise.all(
    entries.map(async ([name, entry]) => {
      const result = await esbuild.build({
        entryPoints: [join(ROOT, entry)],
        bundle: true,
        minify: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        legalComments: 'none',
        outfile: join(ROOT, 'build/static', name),
      });
      const file = result.outputFiles.find((f) => f.path.endsWith(name.endsWith('.css') ? '.css' : '.js'));
      if (!file) throw new Error(`bundling ${entry} produced no ${name}`);
      return [name, file.text] as const;
    }),
  );
  return Object.fromEntries(built) as Record<AssetName, string>;
}

let loaded: Promise<Record<AssetName, string>> | undefined;

/**
 * The assets: prebuilt files in `CELLWISE_STATIC_DIR` when set (a deployment ships them with
 * the function), else bundled on first use from the sources (the local stack).
 */
export function loadAssets(): Promise<Record<AssetName, string>> {
  loaded ??= (async () => {
    const dir = process.env.CELLWISE_STATIC_DIR;
    if (!dir) return bundleAssets();
    const names = ASSET_NAMES;
    const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
    return Object.fromEntries(names.map((name, i) => [name, texts[i]])) as Record<AssetName, string>;
  })().catch((error) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
