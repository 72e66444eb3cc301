import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a signed notebook link grants: read-only access to one notebook until `expiresAt`. */
export interface LinkClaims {
  tenantId: string;
  projectId: string;
  notebookId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const PREFIX = 'cwl_';
const ID = /^[0-9a-f-]{36}$/;

const mac = (key: string, payload: string) =>
  createHmac('sha256', key).update(`cellwise-link-v1\n${payload}`, 'utf8').digest();

/**
 * A link token: `cwl_<base64url(tenant:project:notebook:expiry)>.<base64url(HMAC-SHA256)>`,
 * keyed with the deployment's link signing key (which never leaves the server).
 */
export function signLink(key: string, claims: LinkClaims): string {
  const payload = `${claims.tenantId}:${claims.projectId}:${claims.notebookId}:${claims.expiresAt}`;
  return `${PREFIX}${Buffer.from(payload).toString('base64url')}.${mac(key, payload).toString('base64url')}`;
}

export const isLinkToken = (token: string) => token.startsWith(PREFIX);

/** The claims of a well-signed, unexpired link token; undefined for anything else. */
export function verifyLink(key: string, token: string, now: Date): LinkClaims | undefined {
  if (!isLinkToken(token)) return undefined;
  const [encoded, signature, extra] = token.slice(PREFIX.length).split('.');
  if (!encoded || !signature || extra !== undefined) return undefined;
  const payload = Buffer.from(encoded, 'base64url').toString('utf8');
  const expected = mac(key, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const [tenantId, projectId, notebookId, expiry, rest] = payload.split(':');
  if (!tenantId || !projectId || !notebookId || !expiry || rest !== undefined) return undefined;
  if (![tenantId, projectId, notebookId].every((id) => ID.test(id)) || !/^\d{1,12}$/.test(expiry)) {
    return undefined;
  }
  const expiresAt = Number(expiry);
  if (expiresAt * 1000 <= now.getTime()) return undefined;
  return { tenantId, projectId, notebookId, expiresAt };
}
