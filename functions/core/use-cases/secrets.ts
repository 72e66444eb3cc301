import { NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import type { Actor, Services } from '../ports.ts';
import { MAX_SECRETS_PER_PROJECT, SECRET_LANGUAGES, type SecretInfo } from '../secrets/secret.ts';

/**
 * Creates or replaces a project secret (the name and value were checked by the route's
 * schema). The answer names the secret and its dates, never the value. Past the per-project
 * limit, a new name is a 409 `SecretLimitReached`.
 */
export async function putSecret(
  services: Services,
  actor: Actor,
  name: string,
  value: string,
): Promise<{ created: boolean; secret: SecretInfo }> {
  const outcome = await services.secrets.put(
    actor,
    name,
    value,
    services.now().toISOString(),
    MAX_SECRETS_PER_PROJECT,
  );
  if (outcome === 'limit') {
    throw new StateConflictError(
      'SecretLimitReached',
      `A project has at most ${MAX_SECRETS_PER_PROJECT} secrets; delete one first`,
      { Limit: MAX_SECRETS_PER_PROJECT },
    );
  }
  const secret = (await services.secrets.list(actor)).find((s) => s.name === name);
  if (!secret) throw new NotFoundError('Secret', { Name: name });
  return { created: outcome === 'created', secret };
}

/** The project's secrets by name, with their dates (never values). */
export async function listSecrets(services: Services, actor: Actor): Promise<{ secrets: SecretInfo[] }> {
  const secrets = await services.secrets.list(actor);
  return { secrets: secrets.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** Deletes a secret (404 when the project has none of that name). Runs already prepared keep theirs. */
export async function deleteSecret(services: Services, actor: Actor, name: string): Promise<void> {
  if (!(await services.secrets.delete(actor, name))) throw new NotFoundError('Secret', { Name: name });
}

/**
 * Checks the secrets a run asks for at submission: each must exist in the project (400
 * `SecretNotFound` naming the unknown ones at `path`) and the kernel must be one the service
 * can set them in (400 naming `path`).
 */
export async function checkRunSecrets(
  services: Services,
  actor: Actor,
  kernelType: string,
  names: readonly string[] | undefined,
  path: string,
): Promise<void> {
  if (!names || names.length === 0) return;
  if (!(SECRET_LANGUAGES as readonly string[]).includes(kernelType)) {
    throw new ValidationError(`Secrets cannot be set in a ${kernelType} kernel`, [
      { path, message: `supported for: ${SECRET_LANGUAGES.join(', ')}` },
    ]);
  }
  const missing = await services.secrets.missing(actor, names);
  if (missing.length > 0) {
    throw new ValidationError(
      `No secret named ${missing.join(', ')} in this project`,
      missing.map((name) => ({ path: `${path}.${names.indexOf(name)}`, message: `no secret named ${name}` })),
      'SecretNotFound',
    );
  }
}
