import { link, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CellwiseClient } from './cellwise-client.ts';
import { mapPool } from './cellwise-client.ts';

/** Where the notebooks sit under Jupyter's root_dir. */
export interface JupyterLayout {
  /** All notebooks, flat: `all/<notebookId>.ipynb` (what Jupyter's directory listing must read). */
  flatDir: string;
  /** `pages/pNNN/` holds notebooks (NNN-1)*100+1..NNN*100 as hard links: a 100-entry directory per "page". */
  pageDir: (page: number) => string;
  pages: number;
  seconds: number;
  bytes: number;
}

export const pageFolder = (page: number) => `pages/p${String(page).padStart(3, '0')}`;

/**
 * Fetches every notebook's stored nbformat document through `GET /notebook/{id}/content`
 * and writes it byte for byte as `<root>/all/<notebookId>.ipynb`, so Jupyter serves exactly
 * the documents Cellwise serves. Pages of 100 are hard links (no extra bytes on disk).
 */
export async function writeJupyterRoot(
  client: CellwiseClient,
  root: string,
  ids: string[],
  pageSize: number,
  concurrency: number,
): Promise<JupyterLayout> {
  const started = performance.now();
  await mkdir(join(root, 'all'), { recursive: true });
  const pages = Math.ceil(ids.length / pageSize);
  for (let page = 1; page <= pages; page++) await mkdir(join(root, pageFolder(page)), { recursive: true });
  let bytes = 0;
  await mapPool(ids.length, concurrency, async (index) => {
    const id = ids[index]!;
    const res = await fetch(`${client.info.baseUrl}${client.prefix}/notebook/${id}/content`, {
      headers: client.headers,
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`GET content of ${id}: ${res.status} ${text.slice(0, 300)}`);
    JSON.parse(text); // must be a JSON document
    bytes += Buffer.byteLength(text);
    const file = join(root, 'all', `${id}.ipynb`);
    await writeFile(file, text);
    await link(file, join(root, pageFolder(Math.floor(index / pageSize) + 1), `${id}.ipynb`));
  });
  return {
    flatDir: 'all',
    pageDir: pageFolder,
    pages,
    seconds: (performance.now() - started) / 1000,
    bytes,
  };
}
