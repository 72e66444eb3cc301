import type { Scope } from '../../functions/core/notebook.ts';
import type { SecretStore } from '../../functions/core/ports.ts';
import type { SecretInfo } from '../../functions/core/secrets/secret.ts';

/** The SecretStore port in memory (unit tests of the use-cases): same outcomes as the DynamoDB adapter. */
export class MemorySecretStore implements SecretStore {
  readonly items = new Map<string, SecretInfo & { value: string }>();

  private key = (scope: Scope, name: string) => `${scope.tenantId}/${scope.projectId}/${name}`;
  private ofProject = (scope: Scope) =>
    [...this.items.entries()].filter(([k]) => k.startsWith(`${scope.tenantId}/${scope.projectId}/`));

  async put(scope: Scope, name: string, value: string, now: string, max: number) {
    const existing = this.items.get(this.key(scope, name));
    if (existing) {
      this.items.set(this.key(scope, name), { ...existing, value, updatedAt: now });
      return 'updated' as const;
    }
    if (this.ofProject(scope).length >= max) return 'limit' as const;
    this.items.set(this.key(scope, name), { name, value, createdAt: now, updatedAt: now });
    return 'created' as const;
  }

  async list(scope: Scope): Promise<SecretInfo[]> {
    return this.ofProject(scope).map(([, { name, createdAt, updatedAt }]) => ({
      name,
      createdAt,
      updatedAt,
    }));
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    return this.items.delete(this.key(scope, name));
  }

  async missing(scope: Scope, names: readonly string[]): Promise<string[]> {
    return names.filter((name) => !this.items.has(this.key(scope, name)));
  }

  async reveal(scope: Scope, names: readonly string[]): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const name of names) {
      const item = this.items.get(this.key(scope, name));
      if (item) values[name] = item.value;
    }
    return values;
  }
}
