import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A random key generated once and kept in `<dataDir>/<file>` (owner-only), so it survives a restart. */
async function localKey(dataDir: string, file: string): Promise<string> {
  const path = join(dataDir, file);
  try {
    const key = (await readFile(path, 'utf8')).trim();
    if (key.length >= 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64url');
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * The local stack's notebook link signing key: generated once and kept in the data dir
 * (`<dataDir>/link-signing-key`, owner-only), so links survive a restart. In AWS the key is a
 * Secrets Manager secret (`CELLWISE_LINK_SIGNING_KEY_SECRET`).
 */
export function localLinkSigningKey(dataDir: string): Promise<string> {
  return localKey(dataDir, 'link-signing-key');
}

/**
 * The local stack's secrets master key (`<dataDir>/secrets-key`, owner-only): project secrets
 * are sealed under a key derived from it, so they open again after a restart and the data
 * dir's table files hold ciphertext only. In AWS: a Secrets Manager secret
 * (`CELLWISE_SECRETS_KEY_SECRET`).
 */
export function localSecretsKey(dataDir: string): Promise<string> {
  return localKey(dataDir, 'secrets-key');
}
