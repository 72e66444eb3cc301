import { createHash } from 'node:crypto';
import { joinSource, type NbOutput } from '../nbformat/types.ts';

/** A display's content per MIME type, as SHA-256 hex digests. */
export type Fingerprint = Record<string, string>;

/** Images whose content is base64: they are hashed by their decoded bytes. */
const BASE64_IMAGE = /^image\/(png|jpeg|gif|webp|bmp)$/;

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** JSON with every object's keys sorted, so key order does not change a hash. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${sortedJson(record[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The hash of one representation: base64 images by their decoded bytes (line breaks in the
 * base64 do not count), text by its joined lines, JSON by its sorted form.
 */
export function hashOf(mime: string, value: unknown): string {
  if (BASE64_IMAGE.test(mime) && (typeof value === 'string' || Array.isArray(value)))
    return sha256(Buffer.from(joinSource(value as string | string[]).replace(/\s+/g, ''), 'base64'));
  if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')))
    return sha256(joinSource(value as string | string[]));
  return sha256(sortedJson(value));
}

/** A display or result output's content hashes, by MIME type (streams and errors have none). */
export function fingerprintOf(output: NbOutput): Fingerprint | null {
  if (output.output_type !== 'display_data' && output.output_type !== 'execute_result') return null;
  const data = (output.data ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((mime) => [mime, hashOf(mime, data[mime])]),
  );
}

/** The text of a cell's streams of one name, in order. */
export function streamTextOf(outputs: NbOutput[], name: string): string {
  return outputs
    .filter((o) => o.output_type === 'stream' && String(o.name) === name)
    .map((o) => joinSource((o.text ?? '') as string | string[]))
    .join('');
}

/** Whether an output is what the SDK's `log_metrics` displays: `application/json` alone, an object. */
function isMetricsOutput(output: NbOutput): boolean {
  if (output.output_type !== 'display_data') return false;
  const data = (output.data ?? {}) as Record<string, unknown>;
  const keys = Object.keys(data);
  const value = data['application/json'];
  return (
    keys.length === 1 &&
    keys[0] === 'application/json' &&
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value)
  );
}

/**
 * The numbers a cell logged with `client.log_metrics({...})` (displayed as `application/json`
 * alone, without a text form), by name; a later log of a name wins. Values that are not
 * finite numbers are left out.
 */
export function metricsOf(outputs: NbOutput[]): Map<string, number> {
  const metrics = new Map<string, number>();
  for (const output of outputs.filter(isMetricsOutput)) {
    const value = ((output.data ?? {}) as Record<string, unknown>)['application/json'] as Record<
      string,
      unknown
    >;
    for (const [name, v] of Object.entries(value))
      if (typeof v === 'number' && Number.isFinite(v)) metrics.set(name, v);
  }
  return metrics;
}
