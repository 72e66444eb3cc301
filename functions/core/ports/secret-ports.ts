import type { Scope } from '../notebook.ts';
import type { SecretInfo } from '../secrets/secret.ts';

/**
 * A project's secrets, stored encrypted (the adapter holds the key). Values go in with `put`
 * and come out only through `reveal`, which the task preparing a run's kernel calls; no other
 * method returns or logs a value.
 */
export interface SecretStore {
  /**
   * Writes the value (created, or updated in place); a project already holding `max` secrets
   * gets `limit` for a new name, and nothing is written.
   */
  put(
    scope: Scope,
    name: string,
    value: string,
    now: string,
    max: number,
  ): Promise<'created' | 'updated' | 'limit'>;
  /** The project's secrets by name (no values). */
  list(scope: Scope): Promise<SecretInfo[]>;
  /** Deletes a secret; false when there was none of that name. */
  delete(scope: Scope, name: string): Promise<boolean>;
  /** Which of `names` the project has no secret for (values are not read). */
  missing(scope: Scope, names: readonly string[]): Promise<string[]>;
  /** The decrypted values of `names` (a name without a secret is absent from the answer). */
  reveal(scope: Scope, names: readonly string[]): Promise<Record<string, string>>;
}
