/** The API docs page: Swagger UI, bundled and served from this origin, rendering `/api/openapi.json`. */
export function renderDocsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Cellwise API</title>
<link rel="stylesheet" href="/static/docs.css">
<script defer src="/static/docs.js"></script>
</head>
<body><header><strong>Cellwise</strong> · API reference (<a href="/api/openapi.json">openapi.json</a>)</header>
<div id="docs"></div>
</body></html>`;
}
