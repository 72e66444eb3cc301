import type { NbOutput } from '../nbformat/types.ts';
import { bundleBytes } from './output-limits.ts';

/** RFC 6838 `restricted-name`: a letter or digit, then up to 126 of these characters. */
const RESTRICTED_NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const MEDIA_TYPE = new RegExp(`^${RESTRICTED_NAME}/${RESTRICTED_NAME}$`);
/** Longest media type accepted (type and subtype are 127 characters each at most). */
const MAX_MEDIA_TYPE = 255;

/**
 * Whether `value` is a media type by RFC 6838's syntax (`type/subtype`, restricted-name
 * characters, no parameters): the only MIME keys used as a Content-Type or to pick a file
 * extension. Rules out CR/LF and other control characters, spaces, quotes and huge keys.
 */
export function isMediaType(value: string): boolean {
  return value.length <= MAX_MEDIA_TYPE && MEDIA_TYPE.test(value);
}

/** Representations whose value is any JSON (nbformat: `application/json`, `*+json`). */
export const isJsonType = (mime: string) => /^application\/(.+\+)?json$/i.test(mime);
/** Representations stored as base64 text (decoded for downloads). */
export const BASE64_TYPES = /^image\/(png|jpeg|gif|webp)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Whether base64 text (whitespace aside) decodes strictly: only the alphabet, padded or not. */
export function isBase64(text: string): boolean {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return false;
  return compact.includes('=') ? compact.length % 4 === 0 : compact.length % 4 !== 1;
}

/** A key as a note may quote it: JSON-escaped, long ones cut, with their length. */
export function quoteKey(key: string): string {
  const cut = Array.from(key);
  if (cut.length <= 40) return JSON.stringify(key);
  return `${JSON.stringify(cut.slice(0, 40).join(''))}… (${cut.length} characters)`;
}

const describe = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'a list with non-text items' : `a ${typeof value}`;

/** The representation, or why it is skipped. */
function checkEntry(mime: string, value: unknown): { value: unknown } | { problem: string } {
  if (!isMediaType(mime)) return { problem: `MIME type ${quoteKey(mime)} is not a valid media type` };
  if (isJsonType(mime)) return value === undefined ? { problem: `${mime} has no value` } : { value };
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? value.join('')
        : null;
  if (text === null) return { problem: `${mime} is ${describe(value)}, not text` };
  if (BASE64_TYPES.test(mime) && !isBase64(text)) return { problem: `${mime} is not valid base64` };
  return { value };
}

/** A mime bundle with only valid representations, and what was skipped. */
export function sanitizeBundle(data: unknown): {
  data: Record<string, unknown>;
  skipped: string[];
  skippedBytes: number;
} {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { data: {}, skipped: [`the data is ${describe(data)}, not a mime bundle`], skippedBytes: 0 };
  }
  const kept: Record<string, unknown> = {};
  const skipped: string[] = [];
  let skippedBytes = 0;
  for (const [mime, value] of Object.entries(data as Record<string, unknown>)) {
    const checked = checkEntry(mime, value);
    if ('value' in checked) {
      kept[mime] = checked.value;
    } else {
      skipped.push(checked.problem);
      skippedBytes += Buffer.byteLength(mime, 'utf8') + bundleBytes({ v: value });
    }
  }
  return { data: kept, skipped, skippedBytes };
}

export interface SanitizedOutput {
  /** The output as it may be stored, or null when nothing of it is valid. */
  output: NbOutput | null;
  /** What was wrong (empty when the output was valid as sent). */
  problems: string[];
  /** Bytes of what was skipped. */
  skippedBytes: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * An output as it may be stored, served and written to files: display data and execute
 * results keep only representations whose MIME key is a valid media type and whose value
 * fits it (text for text types, strict base64 for images, any JSON for JSON types);
 * everything a later step relies on has the right type. Whatever is skipped is named.
 */
export function sanitizeOutput(output: NbOutput): SanitizedOutput {
  const problems: string[] = [];
  switch (output.output_type) {
    case 'stream':
      if (typeof output.text === 'string') return { output, problems, skippedBytes: 0 };
      return { output: null, problems: [`a stream whose text is ${describe(output.text)}`], skippedBytes: 0 };
    case 'error': {
      const traceback = Array.isArray(output.traceback) ? output.traceback.map(String) : [];
      return {
        output: { ...output, ename: String(output.ename), evalue: String(output.evalue), traceback },
        problems,
        skippedBytes: 0,
      };
    }
    default: {
      const { data, skipped, skippedBytes } = sanitizeBundle(output.data);
      problems.push(...skipped);
      const metadata = isObject(output.metadata) ? output.metadata : {};
      if (skipped.length > 0 && Object.keys(data).length === 0)
        return { output: null, problems, skippedBytes };
      const clean: NbOutput = { ...output, data, metadata };
      if (output.output_type === 'execute_result' && !Number.isInteger(output.execution_count))
        clean.execution_count = null;
      return { output: clean, problems, skippedBytes };
    }
  }
}
