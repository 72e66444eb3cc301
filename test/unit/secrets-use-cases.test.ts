import { describe, expect, it } from 'vitest';
import { NotFoundError, StateConflictError, ValidationError } from '../../functions/core/errors.ts';
import type { Actor, Services } from '../../functions/core/ports.ts';
import { MAX_SECRETS_PER_PROJECT, secretInjection } from '../../functions/core/secrets/secret.ts';
import {
  checkRunSecrets,
  deleteSecret,
  listSecrets,
  putSecret,
} from '../../functions/core/use-cases/secrets.ts';
import { MemorySecretStore } from '../support/memory-secret-store.ts';

const actor: Actor = { tenantId: 't1', projectId: 'p1', principalId: 'tok' };
const otherProject: Actor = { ...actor, projectId: 'p2' };

function servicesWith(store = new MemorySecretStore()) {
  let clock = Date.parse('2026-12-07T10:00:00Z');
  return {
    store,
    services: {
      secrets: store,
      now: () => {
        clock += 1000;
        return new Date(clock);
      },
    } as unknown as Services,
  };
}

describe('unit: secrets use-cases', () => {
  it('creates, then replaces keeping the creation date, and answers no value', async () => {
    const { services } = servicesWith();
    const created = await putSecret(services, actor, 'DB_PASSWORD', 'first-value');
    expect(created.created).toBe(true);
    expect(created.secret).toEqual({
      name: 'DB_PASSWORD',
      createdAt: '2026-12-07T10:00:01.000Z',
      updatedAt: '2026-12-07T10:00:01.000Z',
    });
    const replaced = await putSecret(services, actor, 'DB_PASSWORD', 'second-value');
    expect(replaced.created).toBe(false);
    expect(replaced.secret.createdAt).toBe('2026-12-07T10:00:01.000Z');
    expect(replaced.secret.updatedAt).toBe('2026-12-07T10:00:02.000Z');
    expect(JSON.stringify([created, replaced])).not.toContain('value"');
    expect(JSON.stringify([created, replaced])).not.toContain('second');
  });

  it('lists by name, per project, and deletes (404 for a name it does not have)', async () => {
    const { services } = servicesWith();
    await putSecret(services, actor, 'ZETA', 'zeta-value');
    await putSecret(services, actor, 'ALPHA', 'alpha-value');
    await putSecret(services, otherProject, 'OTHER', 'other-value');
    expect((await listSecrets(services, actor)).secrets.map((s) => s.name)).toEqual(['ALPHA', 'ZETA']);
    await deleteSecret(services, actor, 'ZETA');
    await expect(deleteSecret(services, actor, 'ZETA')).rejects.toBeInstanceOf(NotFoundError);
    await expect(deleteSecret(services, actor, 'OTHER')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a new name past the per-project limit with 409 SecretLimitReached, but still replaces', async () => {
    const { services } = servicesWith();
    for (let i = 0; i < MAX_SECRETS_PER_PROJECT; i++) await putSecret(services, actor, `S${i}`, 'some-value');
    const refused = await putSecret(services, actor, 'ONE_MORE', 'some-value').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StateConflictError);
    expect((refused as StateConflictError).code).toBe('SecretLimitReached');
    expect((await putSecret(services, actor, 'S0', 'new-value')).created).toBe(false);
  });

  it('names each unknown secret of a run at its index, and refuses kernels it cannot set them in', async () => {
    const { services } = servicesWith();
    await putSecret(services, actor, 'KNOWN', 'known-value');
    await putSecret(services, otherProject, 'THEIRS', 'their-value');
    await checkRunSecrets(services, actor, 'python3', ['KNOWN'], 'body.secrets');
    await checkRunSecrets(services, actor, 'python3', undefined, 'body.secrets');
    const unknown = (await checkRunSecrets(
      services,
      actor,
      'python3',
      ['KNOWN', 'THEIRS', 'NOPE'],
      'body.secrets',
    ).catch((e: unknown) => e)) as ValidationError;
    expect(unknown.code).toBe('SecretNotFound');
    expect(unknown.details).toEqual([
      { path: 'body.secrets.1', message: 'no secret named THEIRS' },
      { path: 'body.secrets.2', message: 'no secret named NOPE' },
    ]);
    const kernel = (await checkRunSecrets(services, actor, 'julia', ['KNOWN'], 'body.secrets').catch(
      (e: unknown) => e,
    )) as ValidationError;
    expect(kernel).toBeInstanceOf(ValidationError);
    expect(kernel.details[0]!.path).toBe('body.secrets');
  });

  it('injects values as base64 only: no quote in a value can break out of the code', () => {
    const tricky = `a"b'c\\d\n"); import os; os.system("x`;
    for (const kernel of ['python3', 'r']) {
      const code = secretInjection(kernel, { TRICKY: tricky })!;
      expect(code).not.toContain(tricky);
      expect(code).not.toContain('os.system');
    }
    expect(secretInjection('julia', { A: 'abcd' })).toBeNull();
  });
});
