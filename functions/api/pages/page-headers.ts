/**
 * The pages' Content-Security-Policy: scripts and styles only from this origin (no inline
 * script, no eval), images only as data: URIs (notebook plots), requests only to this origin
 * and, for the viewer, to `storageOrigin` (where presigned content URLs of notebooks above the
 * inline limit point), no frames, no forms, no plugins, no <base>.
 */
export function pageCsp(storageOrigin?: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    'img-src data:',
    "font-src 'self'",
    storageOrigin ? `connect-src 'self' ${storageOrigin}` : "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The headers every page is served with. */
export function pageHeaders(storageOrigin?: string): Record<string, string> {
  return {
    'content-security-policy': pageCsp(storageOrigin),
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}

/** Escapes text for an HTML attribute or element. */
export const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
