/**
 * The read-only page behind a shareable URL. The shell is static and needs no token; the
 * page loads the notebook through the API with a token the user gives it (kept in this
 * tab's sessionStorage, or passed once as `#token=...`). Rich HTML outputs render in
 * sandboxed frames without scripts, so notebook output can never run on this origin.
 */
export function renderNotebookPage(ids: { tenantId: string; projectId: string; notebookId: string }): string {
  const api = `/api/${ids.tenantId}/${ids.projectId}/notebook/${ids.notebookId}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Notebook · Cellwise</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
header{background:#1d2330;color:#fff;padding:12px 24px}main{max-width:960px;margin:24px auto;padding:0 16px}
.cell{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:12px 0;overflow:hidden}
.src{margin:0;padding:10px 14px;background:#fafbfc;font:13px/1.45 ui-monospace,monospace;white-space:pre-wrap}
.md{padding:10px 14px;white-space:pre-wrap}.out{border-top:1px solid #eef0f4;padding:8px 14px;font:13px ui-monospace,monospace;white-space:pre-wrap}
.err{color:#b00020}.meta{color:#5b6475;font-size:13px}iframe{width:100%;border:0;min-height:120px}
form{background:#fff;padding:16px;border:1px solid #dde1e8;border-radius:6px}
</style></head>
<body><header><strong>Cellwise</strong> · <span id="title">Notebook</span></header>
<main><p class="meta" id="meta">Loading…</p>
<form id="login" hidden><label>API token <input id="token" type="password" autocomplete="off" size="50"></label>
<button>Open</button></form><div id="cells"></div></main>
<script>
const api = ${JSON.stringify(api)};
const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
const join = (s) => Array.isArray(s) ? s.join('') : (s ?? '');
function output(o) {
  if (o.output_type === 'stream') return el('div', 'out', join(o.text));
  if (o.output_type === 'error') return el('div', 'out err', o.ename + ': ' + o.evalue);
  const d = o.data || {};
  if (d['image/png']) { const i = el('img'); i.src = 'data:image/png;base64,' + join(d['image/png']); return i; }
  if (d['text/html']) { const f = el('iframe'); f.setAttribute('sandbox', ''); f.srcdoc = join(d['text/html']); return f; }
  return el('div', 'out', join(d['text/plain']));
}
async function load(token) {
  const h = { Authorization: 'Bearer ' + token };
  const [nb, doc] = await Promise.all([fetch(api, { headers: h }), fetch(api + '/content', { headers: h })]);
  if (nb.status === 401) { sessionStorage.removeItem('cellwise-token'); return ask('The token was not accepted.'); }
  if (!nb.ok) { document.getElementById('meta').textContent = 'Could not load the notebook (' + nb.status + ').'; return; }
  const meta = await nb.json(); const content = await doc.json();
  document.getElementById('title').textContent = meta.notebookName;
  document.title = meta.notebookName + ' · Cellwise';
  document.getElementById('meta').textContent = 'Version ' + meta.notebookVersion + ' · ' + meta.status + ' · ' + meta.cellCount + ' cells · modified ' + meta.dateModified;
  const cells = document.getElementById('cells'); cells.replaceChildren();
  for (const c of content.cells) {
    const box = el('section', 'cell'); box.dataset.cellId = c.id || '';
    box.append(el(c.cell_type === 'code' ? 'pre' : 'div', c.cell_type === 'code' ? 'src' : 'md', join(c.source)));
    for (const o of c.outputs || []) box.append(output(o));
    cells.append(box);
  }
}
function ask(message) {
  document.getElementById('meta').textContent = message;
  const f = document.getElementById('login'); f.hidden = false;
  f.onsubmit = (e) => { e.preventDefault(); const t = document.getElementById('token').value.trim(); sessionStorage.setItem('cellwise-token', t); f.hidden = true; load(t); };
}
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) { sessionStorage.setItem('cellwise-token', fromHash); history.replaceState(null, '', location.pathname); }
const saved = sessionStorage.getItem('cellwise-token');
saved ? load(saved) : ask('This notebook is private: enter an API token for its project.');
</script></body></html>`;
}
