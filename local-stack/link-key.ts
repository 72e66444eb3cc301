import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local stack's notebook link signing key: generated once and kept in the data dir
 * (`<dataDir>/link-signing-key`, owner-only), so links survive a restart. In AWS the key is a
 * Secrets Manager secret (`CELLWISE_LINK_SIGNING_KEY_SECRET`).
 */
export async function localLinkSigningKey(dataDir: string): Promise<string> {
  const file = join(dataDir, 'link-signing-key');
  try {
    const key = (await readFile(file, 'utf8')).trim();
    if (key.length >= 32) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const key = randomBytes(32).toString('base64url');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
}
