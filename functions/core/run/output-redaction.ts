import { BASE64_TYPES } from './output-sanitizer.ts';
import type { SecretRedactor } from './secret-redactor.ts';

/**
 * A mime bundle with every text representation redacted (JSON ones at any depth, multi-line
 * lists as one text). Images stay as they are: a value cannot be told from their base64 bytes.
 */
export function redactBundle(
  redactor: SecretRedactor,
  data: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([mime, value]) => [
      mime,
      BASE64_TYPES.test(mime)
        ? value
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? redactor.redact(value.join(''))
          : redactor.redactDeep(value),
    ]),
  );
}

/**
 * A kernel message's content with every secret form replaced: its data bundle (`redactBundle`)
 * and every other text in it (error name, value and traceback, metadata); `transient` (the
 * display id) is kept as sent.
 */
export function redactContent(
  redactor: SecretRedactor,
  content: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(content).map(([key, value]) => {
      if (key === 'transient') return [key, value];
      if (key === 'data' && typeof value === 'object' && value !== null && !Array.isArray(value))
        return [key, redactBundle(redactor, value as Record<string, unknown>)];
      return [key, redactor.redactDeep(value)];
    }),
  );
}
