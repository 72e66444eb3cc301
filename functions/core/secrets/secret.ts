/**
 * Project secrets: named values a run receives in its kernel's environment and never shows.
 * The rules here are the API's (the zod schemas use them) and the core's.
 */

/** Environment-variable style: an upper-case letter or `_`, then up to 127 of `A-Z0-9_`. */
export const SECRET_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;
/** Shorter values would be found everywhere (and their redaction would say little). */
export const MIN_SECRET_LENGTH = 4;
/** Bytes of UTF-8 a value may have (a certificate or a key file fits). */
export const MAX_SECRET_BYTES = 64 * 1024;
/** Secrets one project may hold. */
export const MAX_SECRETS_PER_PROJECT = 100;
/** Secrets one run may ask for. */
export const MAX_RUN_SECRETS = 20;

/** A secret as the API shows it: never its value. */
export interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** Kernel types whose environment the service can set (see `secretInjection`). */
export const SECRET_LANGUAGES = ['python3', 'r'] as const;

/**
 * The silent request that sets the values in a kernel's process environment, or null for a
 * kernel type the service cannot inject into. The values travel base64-encoded in one JSON
 * object, so no quoting of the value can break out of the literal; the code keeps no variable.
 */
export function secretInjection(kernelType: string, values: Readonly<Record<string, string>>): string | null {
  const payload = Buffer.from(JSON.stringify(values), 'utf8').toString('base64');
  if (kernelType === 'python3') {
    return `__import__("os").environ.update(__import__("json").loads(__import__("base64").b64decode("${payload}").decode("utf-8")))`;
  }
  if (kernelType === 'r') {
    // IRkernel depends on base64enc: each value is decoded from its own base64 string.
    const pairs = Object.entries(values)
      .map(([name, value]) => `${name} = "${Buffer.from(value, 'utf8').toString('base64')}"`)
      .join(', ');
    return `local({ .v <- lapply(list(${pairs}), function(s) { x <- rawToChar(base64enc::base64decode(s)); Encoding(x) <- "UTF-8"; x }); do.call(Sys.setenv, .v); invisible(NULL) })`;
  }
  return null;
}
