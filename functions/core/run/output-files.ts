import { joinSource, type NbOutput } from '../nbformat/types.ts';
import { isJsonType, isMediaType } from './output-sanitizer.ts';

/** The mime types a download prefers, richest first. */
const PREFERENCE = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/svg+xml',
  'text/html',
  'application/json',
  'text/markdown',
  'text/latex',
  'text/plain',
];

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
  'text/html': 'html',
  'application/json': 'json',
  'text/markdown': 'md',
  'text/latex': 'tex',
  'text/plain': 'txt',
};

const BASE64 = /^image\/(png|jpeg|gif)$/;

/** The mime type an output is downloaded as (streams and errors are text). */
export function primaryMimeType(output: NbOutput): string {
  if (output.output_type === 'stream' || output.output_type === 'error') return 'text/plain';
  return preferredMime(Object.keys((output.data ?? {}) as Record<string, unknown>));
}

/**
 * The representation an output is stored and downloaded as, among its mime types. Only a
 * valid media type (RFC 6838) is ever used as a Content-Type or to pick an extension: outputs
 * are sanitised when kept, and data stored before that is served as octet-stream.
 */
export function preferredMime(mimeTypes: readonly string[]): string {
  const valid = mimeTypes.filter(isMediaType);
  if (valid.length < mimeTypes.length && valid.length === 0) return 'application/octet-stream';
  return PREFERENCE.find((m) => valid.includes(m)) ?? valid[0] ?? 'text/plain';
}

export function extensionOf(mime: string): string {
  return EXTENSIONS[mime] ?? 'bin';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** The bytes of an output's download: decoded images, JSON as JSON, text as UTF-8. */
export function outputBody(output: NbOutput, mime = primaryMimeType(output)): Uint8Array | string {
  if (output.output_type === 'stream') return joinSource(output.text as string | string[]);
  if (output.output_type === 'error') {
    return `${(output.traceback as string[]).join('\n').replace(ANSI, '')}\n`;
  }
  const value = ((output.data ?? {}) as Record<string, unknown>)[mime];
  if (BASE64.test(mime) && typeof value === 'string') return Buffer.from(value.replace(/\s+/g, ''), 'base64');
  if (value === undefined) return '';
  if (isJsonType(mime)) return JSON.stringify(value, null, 2);
  if (typeof value === 'string' || Array.isArray(value)) return joinSource(value as string | string[]);
  return JSON.stringify(value, null, 2);
}

/** Width and height of a PNG, read from its IHDR chunk (null when the data is not a PNG). */
export function pngDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
