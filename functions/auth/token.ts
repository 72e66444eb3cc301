import { createHash, randomBytes } from 'node:crypto';

/** Tokens are 256 random bits; only their SHA-256 is stored (high entropy makes a slow hash unnecessary). */
export function newToken(): string {
  return `cw_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S{1,512})\s*$/i.exec(header ?? '');
  return match?.[1];
}
