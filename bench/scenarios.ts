import type { CellwiseClient } from './cellwise-client.ts';
import type { JupyterLayout } from './jupyter-files.ts';
import type { RunningJupyter } from './jupyter-server.ts';

/** One load target: a base URL, fixed headers, and a path chosen per request. */
export interface Scenario {
  key: string;
  system: 'cellwise' | 'jupyter';
  label: string;
  baseUrl: string;
  headers: Record<string, string>;
  nextPath: () => string;
  note?: string;
}

const randomInt = (n: number) => Math.floor(Math.random() * n);

export function cellwiseScenarios(client: CellwiseClient, ids: string[], pageSize: number): Scenario[] {
  const base = { system: 'cellwise' as const, baseUrl: client.info.baseUrl, headers: client.headers };
  const pages = Math.ceil(ids.length / pageSize);
  return [
    {
      ...base,
      key: 'cellwise-get',
      label: 'Cellwise GET /notebook/{id} (random of all)',
      nextPath: () => `${client.prefix}/notebook/${ids[randomInt(ids.length)]}`,
    },
    {
      ...base,
      key: 'cellwise-list',
      label: `Cellwise GET /notebooks pageSize=${pageSize}, random page 1..${pages}`,
      nextPath: () => `${client.prefix}/notebooks?page=${1 + randomInt(pages)}&pageSize=${pageSize}`,
    },
    {
      ...base,
      key: 'cellwise-list-p1',
      label: `Cellwise GET /notebooks pageSize=${pageSize}, page 1 only`,
      nextPath: () => `${client.prefix}/notebooks?page=1&pageSize=${pageSize}`,
    },
  ];
}

export function jupyterScenarios(jupyter: RunningJupyter, ids: string[], layout: JupyterLayout): Scenario[] {
  const base = { system: 'jupyter' as const, baseUrl: jupyter.baseUrl, headers: jupyter.headers };
  return [
    {
      ...base,
      key: 'jupyter-get',
      label: 'Jupyter GET /api/contents/all/{id}.ipynb (random of all)',
      nextPath: () => `/api/contents/${layout.flatDir}/${ids[randomInt(ids.length)]}.ipynb`,
    },
    {
      ...base,
      key: 'jupyter-list-page',
      label: `Jupyter GET /api/contents/pages/pNNN?content=1 (100-entry dir, random 1..${layout.pages})`,
      nextPath: () => `/api/contents/${layout.pageDir(1 + randomInt(layout.pages))}?content=1`,
      note: 'fairer list: a directory of 100 notebooks, like one Cellwise page',
    },
    {
      ...base,
      key: 'jupyter-list-all',
      label: `Jupyter GET /api/contents/all?content=1 (all ${ids.length} entries, no pagination)`,
      nextPath: () => `/api/contents/${layout.flatDir}?content=1`,
      note: `Jupyter has no pagination: every request lists all ${ids.length} notebooks`,
    },
  ];
}

/** Which scenario is compared with which in the ratio table (cellwise / jupyter). */
export const COMPARISONS: { label: string; cellwise: string; jupyter: string }[] = [
  { label: 'GET notebook', cellwise: 'cellwise-get', jupyter: 'jupyter-get' },
  {
    label: 'list 100 (Cellwise random page vs Jupyter 100-entry dir)',
    cellwise: 'cellwise-list',
    jupyter: 'jupyter-list-page',
  },
  {
    label: 'list (Cellwise random page of 100 vs Jupyter whole dir)',
    cellwise: 'cellwise-list',
    jupyter: 'jupyter-list-all',
  },
  {
    label: 'list page 1 (Cellwise page 1 vs Jupyter 100-entry dir)',
    cellwise: 'cellwise-list-p1',
    jupyter: 'jupyter-list-page',
  },
];
