/**
 * The notebook viewer. Data comes from the JSON API with either the API token the reader
 * entered (kept in this tab's sessionStorage, never in a URL) or the signed read-only link
 * token in the URL fragment (`#access=...`; fragments never reach a server or its logs).
 * A running execution is followed live: per-cell status, a progress bar, what the running
 * cell prints and displays as it does (the live output route), and each cell's stored outputs
 * as it ends.
 */
import { showParameters } from './parameters.ts';
import { cell, el, type Json, output } from './render.ts';

const TOKEN_KEY = 'cellwise-token';
const FINAL = new Set(['Completed', 'Error', 'Cancelled']);
const page = document.body.dataset;
const api = String(page.api);
const $ = (id: string) => document.getElementById(id) as HTMLElement;

const linkToken = new URLSearchParams(location.hash.slice(1)).get('access');
let credential = linkToken ?? sessionStorage.getItem(TOKEN_KEY);
let language = 'python';
let renderedVersion: string | null = null;

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

async function get(path: string): Promise<Json> {
  const res = await fetch(api + path, {
    headers: { authorization: `Bearer ${credential}` },
    cache: 'no-store',
  });
  if (!res.ok) throw new HttpError(res.status);
  return (await res.json()) as Json;
}

function message(text: string, kind = 'meta') {
  const meta = $('meta');
  meta.className = kind;
  meta.textContent = text;
}

function ask(text: string) {
  message(text, 'notice');
  const form = $('login') as HTMLFormElement;
  form.hidden = false;
  form.onsubmit = (event) => {
    event.preventDefault();
    const value = ($('token') as HTMLInputElement).value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    credential = value;
    form.hidden = true;
    void start();
  };
}

/**
 * A refused credential: 401 (none sent, or a route a link cannot use) and 403 (API Gateway's
 * answer when the authorizer does not know the token or the link has expired).
 */
const refused = (status: number) => status === 401 || status === 403;

function fail(error: unknown) {
  const status = error instanceof HttpError ? error.status : 0;
  $('cells').replaceChildren();
  if (linkToken) {
    message(
      refused(status)
        ? 'This link has expired or is not valid.'
        : `The notebook is not available (${status}).`,
      'notice',
    );
    return;
  }
  if (refused(status) || status === 404) {
    sessionStorage.removeItem(TOKEN_KEY);
    ask(
      refused(status)
        ? 'The token was not accepted.'
        : 'This token cannot see that notebook (or it does not exist).',
    );
    return;
  }
  message(`Could not load the notebook (${status || String(error)}).`, 'notice');
}

function renderCells(document: Json, statuses: Map<string, string>) {
  const cells = $('cells');
  cells.replaceChildren(...((document.cells ?? []) as Json[]).map((c) => cell(c, language)));
  for (const [cellId, status] of statuses) setStatus(cellId, status);
}

function setStatus(cellId: string, status: string | null) {
  const badge = document.querySelector(`section[data-cell-id="${CSS.escape(cellId)}"] .status`);
  if (!badge) return;
  badge.textContent = status ?? '';
  badge.className = `status ${status ? `status-${status.toLowerCase()}` : ''}`;
}

function setPrompt(cellId: string, count: number) {
  const prompt = document.querySelector(`section[data-cell-id="${CSS.escape(cellId)}"] .prompt`);
  if (prompt) prompt.textContent = `[${count}]:`;
}

/**
 * A notebook above the service's inline limit is answered as a presigned link (`contentUrl`):
 * fetched from storage, or, where the bucket does not allow this page's origin, a download link.
 */
async function linked(answer: Json): Promise<Json> {
  if (typeof answer.contentUrl !== 'string') return answer;
  try {
    const res = await fetch(answer.contentUrl, { cache: 'no-store' });
    if (res.ok) return (await res.json()) as Json;
  } catch {
    // not readable from this origin: offer the download instead
  }
  const link = document.createElement('a');
  link.href = answer.contentUrl;
  link.textContent = 'Download the .ipynb';
  $('meta').append(' This notebook is too large to show here. ', link);
  return { cells: [] };
}

/** A past version's document (`content`, or behind its `contentUrl` when large). */
async function versionContent(version: string): Promise<Json> {
  const entry = await get(`/versions/${version}`);
  return typeof entry.contentUrl === 'string' ? linked(entry) : (entry.content as Json);
}

async function showVersion(version: string, current: string) {
  const body = version === current ? await linked(await get('/content')) : await versionContent(version);
  renderedVersion = version;
  const statuses = new Map<string, string>();
  if (version === current) {
    const notebook = await get('');
    for (const c of (notebook.cells ?? []) as Json[]) {
      if (typeof c.cellId === 'string' && typeof c.executionStatus === 'string')
        statuses.set(c.cellId, c.executionStatus);
    }
  }
  renderCells(body, statuses);
  $('version-note').textContent =
    version === current ? '' : `Showing version ${version} (not the current one).`;
  if (version === current) await markChanges();
}

/**
 * Marks the cells whose latest run differs from the notebook's last successful run: class
 * `changed` on the cell and a badge whose title says what changed (the run diff route). No
 * ended run, or nothing to compare with: nothing is marked; a failed read marks nothing either.
 */
async function markChanges() {
  try {
    const latest = ((await get('/executions?pageSize=1')).executions as Json[] | undefined)?.[0];
    if (!latest || !FINAL.has(String(latest.status))) return;
    const diff = await get(`/execution/${latest.executionId}/diff?against=lastSuccessful`);
    for (const c of (diff.cells ?? []) as Json[]) {
      if (c.change !== 'changed' && c.change !== 'added') continue;
      const section = document.querySelector(`section[data-cell-id="${CSS.escape(String(c.cellId))}"]`);
      const head = section?.querySelector('.status');
      if (!section || !head) continue;
      section.classList.add('changed');
      const what = ((c.changes ?? []) as string[]).join('; ');
      const badge = el('span', 'changed-badge', 'changed');
      badge.title = `Changed since the last successful run (${String(diff.againstExecutionId)}): ${what}`;
      head.before(badge);
    }
  } catch {
    // 404: no earlier successful run; 409: a run started meanwhile (the next view marks it).
  }
}

async function start() {
  if (!credential) return ask('This notebook is private: enter an API token for its project.');
  try {
    const [notebook, versions, declared] = await Promise.all([
      get(''),
      get('/versions'),
      get('/parameters').catch(() => null),
    ]);
    showParameters($('parameters'), declared);
    language = String(notebook.kernelType) === 'r' ? 'r' : String(notebook.kernelType);
    const name = String(notebook.notebookName ?? notebook.name ?? 'Notebook');
    $('title').textContent = name;
    document.title = `${name} · Cellwise`;
    message(
      `Version ${notebook.notebookVersion} · ${notebook.status} · ${notebook.cellCount} cells · modified ${notebook.dateModified}${linkToken ? ' · read-only link' : ''}`,
    );
    const current = String(notebook.notebookVersion);
    const picker = $('version') as HTMLSelectElement;
    picker.replaceChildren(
      ...((versions.versions ?? []) as Json[]).map((v) => {
        const option = el(
          'option',
          undefined,
          `${v.version} · ${v.change} · ${v.dateModified}`,
        ) as HTMLOptionElement;
        option.value = String(v.version);
        return option;
      }),
    );
    picker.value = current;
    picker.hidden = false;
    picker.onchange = () => void showVersion(picker.value, current).catch(fail);
    await showVersion(current, current);
    void watch(current);
  } catch (error) {
    fail(error);
  }
}

/** Polls for the latest run; follows it live while it is Queued or Running. */
async function watch(current: string) {
  for (;;) {
    try {
      const list = await get('/executions?pageSize=1');
      const latest = ((list.executions ?? []) as Json[])[0];
      if (latest && !FINAL.has(String(latest.status)) && renderedVersion === current) {
        await follow(String(latest.executionId));
        const notebook = await get('');
        if (String(notebook.notebookVersion) !== current) return void start();
        await showVersion(current, current);
      }
    } catch (error) {
      if (error instanceof HttpError && (refused(error.status) || error.status === 404)) return fail(error);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function follow(executionId: string) {
  const bar = $('progress');
  bar.hidden = false;
  const shown = new Set<string>();
  const live = followLive(executionId, shown);
  try {
    await followStatus(executionId, shown);
  } finally {
    live.stop();
  }
  bar.hidden = true;
}

async function followStatus(executionId: string, shown: Set<string>) {
  const bar = $('progress');
  const withDisplays = new Set<string>();
  for (;;) {
    const run = await get(`/execution/${executionId}`);
    const progress = (run.progress ?? {}) as Json;
    const percent = Number(progress.percentComplete ?? 0);
    ($('progress-bar') as HTMLElement).style.width = `${percent}%`;
    $('progress-text').textContent =
      `Run ${run.status}: ${progress.completedCells ?? 0} of ${progress.totalCells ?? '?'} cells (${percent}%)`;
    bar.dataset.status = String(run.status);
    const ended: string[] = [];
    let updates = false;
    for (const r of (run.cellResults ?? []) as Json[]) {
      const cellId = String(r.cellId);
      setStatus(cellId, String(r.status));
      if (typeof r.executionCount === 'number') setPrompt(cellId, r.executionCount);
      if (r.status !== 'Running' && r.status !== 'Queued' && r.status !== 'Pending' && !shown.has(cellId)) {
        ended.push(cellId);
        if (r.updatesDisplays === true) updates = true;
      }
    }
    // A cell that updated displays changed outputs of cells shown before: those are fetched again.
    const again = updates ? [...withDisplays].filter((id) => !ended.includes(id)) : [];
    if (ended.length > 0) await showOutputs(executionId, [...again, ...ended], shown, withDisplays);
    if (FINAL.has(String(run.status))) break;
    await new Promise((r) => setTimeout(r, 700));
  }
}

/**
 * Shows the outputs of running cells as they come (`/outputs`, long polls from cursor to
 * cursor): stream text appended, displays added, clears and display updates applied. A cell's
 * stored outputs replace them when it ends (`showOutputs`); chunks of such a cell are ignored.
 */
function followLive(executionId: string, shown: Set<string>): { stop(): void } {
  let stopped = false;
  void (async () => {
    let after = '';
    while (!stopped) {
      let answer: Json;
      try {
        answer = await get(
          `/execution/${executionId}/outputs?waitSeconds=10${after ? `&after=${after}` : ''}`,
        );
      } catch {
        await new Promise((r) => setTimeout(r, 2000));
        continue;
      }
      if (stopped) return;
      for (const chunk of (answer.chunks ?? []) as Json[]) showChunk(chunk, shown);
      after = typeof answer.nextCursor === 'string' ? answer.nextCursor : after;
      if (answer.ended) return;
    }
  })();
  return {
    stop: () => {
      stopped = true;
    },
  };
}

function showChunk(chunk: Json, shown: Set<string>) {
  const cellId = String(chunk.cellId);
  if (chunk.type === 'update') {
    // A display shown live in any cell still running or shown live before.
    for (const old of document.querySelectorAll<HTMLElement>('[data-live-display]')) {
      if (old.dataset.liveDisplay !== chunk.displayId) continue;
      const updated = output({ output_type: 'display_data', data: chunk.data, metadata: chunk.metadata });
      updated.dataset.liveDisplay = String(chunk.displayId);
      old.replaceWith(updated);
    }
  }
  if (shown.has(cellId)) return;
  const box = document.querySelector(`section[data-cell-id="${CSS.escape(cellId)}"] .outputs`);
  if (!box) return;
  if (!box.hasAttribute('data-live')) {
    box.setAttribute('data-live', '');
    box.replaceChildren(); // the previous run's outputs
  }
  if (chunk.type === 'clear') box.replaceChildren();
  else if (chunk.type === 'stream') {
    const last = box.lastElementChild as HTMLElement | null;
    if (last?.dataset.liveStream === chunk.name) last!.textContent += String(chunk.text);
    else {
      const block = output({ output_type: 'stream', name: chunk.name, text: chunk.text });
      block.dataset.liveStream = String(chunk.name);
      box.append(block);
    }
  } else if (chunk.type === 'output') {
    const block = chunk.output
      ? output(chunk.output as Json)
      : output({
          output_type: 'stream',
          text: `(an output of ${chunk.bytes} bytes: shown when the cell ends)`,
        });
    if (typeof chunk.displayId === 'string') block.dataset.liveDisplay = chunk.displayId;
    box.append(block);
  }
}

/** Above this many cells ended since the last poll, one request for all outputs is cheaper. */
const PER_CELL_FETCHES = 4;

/**
 * The outputs of cells that just ended, as the results route gives them (format=detailed):
 * only those cells' (`cellId=`), so a long run does not refetch every earlier output; and
 * again those of earlier cells with displays when an ended cell updated displays (nbclient's
 * updates reach outputs of earlier cells). `withDisplays` collects the cells with displays.
 */
async function showOutputs(
  executionId: string,
  cellIds: string[],
  shown: Set<string>,
  withDisplays: Set<string>,
) {
  const path = `/execution/${executionId}/results?format=detailed`;
  const pages = (
    cellIds.length > PER_CELL_FETCHES
      ? [await allPages(path)]
      : await Promise.all(cellIds.map((id) => allPages(`${path}&cellId=${encodeURIComponent(id)}`)))
  ).flat();
  const byCell = new Map<string, Json[]>();
  for (const o of pages.flatMap((page) => (page.outputs ?? []) as Json[])) {
    const list = byCell.get(String(o.cellId)) ?? [];
    list.push(o);
    byCell.set(String(o.cellId), list);
  }
  for (const cellId of cellIds) {
    shown.add(cellId);
    const outputs = byCell.get(cellId) ?? [];
    if (outputs.some((o) => o.outputType === 'display_data' || o.outputType === 'execute_result'))
      withDisplays.add(cellId);
    const box = document.querySelector(`section[data-cell-id="${CSS.escape(cellId)}"] .outputs`);
    if (!box) continue;
    box.removeAttribute('data-live');
    box.replaceChildren(...outputs.map((o) => output(asNbOutput(o))));
  }
}

/** Every page of a results listing (outputs come a page at a time; the last ones may be notes). */
async function allPages(path: string): Promise<Json[]> {
  const pages: Json[] = [];
  for (let page = 1; ; page++) {
    const answer = await get(`${path}&page=${page}`);
    pages.push(answer);
    if (!answer.hasNextPage) return pages;
  }
}

function asNbOutput(o: Json): Json {
  const content = o.content;
  if (o.outputType === 'stream')
    return { output_type: 'stream', name: o.name ?? 'stdout', text: content ?? '' };
  if (o.outputType === 'error') return { output_type: 'error', traceback: [String(content ?? '')] };
  if (content === null || content === undefined)
    return { output_type: 'stream', text: '(output too large to show)' };
  return { output_type: o.outputType, data: { [String(o.contentType)]: content } };
}

void start();
