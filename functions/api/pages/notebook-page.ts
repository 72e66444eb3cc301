import { escapeHtml } from './page-headers.ts';

/**
 * The read-only page behind a shareable URL: a static shell without inline script; the
 * bundled viewer (`/static/viewer.js`, sources in `web/viewer`) loads the notebook through
 * the JSON API with the reader's API token (kept in this tab's sessionStorage) or the signed
 * link token in the URL fragment, and follows a running execution live.
 */
export function renderNotebookPage(ids: {
  tenantId: string;
  projectId: string;
  investigationId: string;
  notebookId: string;
}): string {
  // The ids are GUIDs (the route validated them); escaped all the same.
  const api = `/api/${ids.tenantId}/${ids.projectId}/notebook/${ids.notebookId}`;
  const data = ` data-api="${escapeHtml(api)}" data-investigation-id="${escapeHtml(ids.investigationId)}"`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Notebook · Cellwise</title>
<link rel="stylesheet" href="/static/viewer.css">
<script defer src="/static/viewer.js"></script>
</head>
<body${data}><header><strong>Cellwise</strong><span id="title">Notebook</span>
<select id="version" aria-label="Version" hidden></select></header>
<main><p class="meta" id="meta">Loading…</p><p class="meta" id="version-note"></p>
<form id="login" hidden><label>API token <input id="token" type="password" autocomplete="off" size="50"></label>
<button>Open</button></form>
<div id="progress" hidden><span id="progress-text"></span><div id="progress-track"><div id="progress-bar"></div></div></div>
<section id="parameters" hidden></section>
<div id="cells"></div></main>
</body></html>`;
}
