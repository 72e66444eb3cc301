import { describe, expect, it } from 'vitest';
import {
  extensionOf,
  outputBody,
  preferredMime,
  primaryMimeType,
} from '../../functions/core/run/output-files.ts';
import { isBase64, isMediaType, sanitizeOutput } from '../../functions/core/run/output-sanitizer.ts';

const display = (data: unknown, metadata: unknown = {}) => ({
  output_type: 'display_data' as const,
  data,
  metadata,
});

describe('unit: output sanitising (MIME keys become Content-Types and file names)', () => {
  it('accepts media types by RFC 6838 syntax, Jupyter vendor types included', () => {
    for (const mime of [
      'text/plain',
      'image/svg+xml',
      'application/vnd.jupyter.widget-view+json',
      'application/vnd.plotly.v1+json',
      'text/x-python',
      `a/${'b'.repeat(127)}`,
    ])
      expect(isMediaType(mime), mime).toBe(true);
  });

  it('refuses keys with CR/LF, control characters, spaces, parameters, no subtype or over 127 characters a name', () => {
    for (const mime of [
      'text/x\nY',
      'text/x\r\nSet-Cookie: a=b',
      'text/x\u0001',
      'text/\u007f',
      'text/plain; charset=utf-8',
      'text plain',
      'text',
      '/plain',
      'text/',
      '.text/plain',
      'tëxt/plain',
      `a/${'b'.repeat(128)}`,
      `a/${'b'.repeat(10_000)}`,
    ])
      expect(isMediaType(mime), JSON.stringify(mime)).toBe(false);
  });

  it('accepts strict base64 with or without padding and refuses anything else', () => {
    expect(isBase64('iVBORw0KGgo=')).toBe(true);
    expect(isBase64('iVBO\nRw0K\nGgo=')).toBe(true);
    expect(isBase64('aGk')).toBe(true);
    expect(isBase64('not base64!!')).toBe(false);
    expect(isBase64('a')).toBe(false);
    expect(isBase64('aGk=a')).toBe(false);
    expect(isBase64('')).toBe(false);
  });

  it('skips bad representations by name and keeps the good ones of the same output', () => {
    const { output, problems } = sanitizeOutput(
      display({
        'text/x\nY': 'v',
        'image/png': 'not base64!!',
        'text/html': 5,
        'text/plain': 'good',
        'application/json': { x: 'nan', n: [1, 2] },
      }),
    );
    expect(output).toEqual(display({ 'text/plain': 'good', 'application/json': { x: 'nan', n: [1, 2] } }));
    expect(problems).toEqual([
      'MIME type "text/x\\nY" is not a valid media type',
      'image/png is not valid base64',
      'text/html is a number, not text',
    ]);
  });

  it('drops an output none of whose representations is valid, and quotes a huge key short', () => {
    const huge = `a/${'b'.repeat(10_000)}`;
    const { output, problems, skippedBytes } = sanitizeOutput(display({ [huge]: 'v' }));
    expect(output).toBeNull();
    expect(problems[0]).toMatch(/^MIME type "a\/b{38}"… \(10002 characters\) is not a valid media type$/);
    expect(skippedBytes).toBe(10_003);
    expect(sanitizeOutput(display({ 'text/plain': 5 })).output).toBeNull();
    expect(sanitizeOutput(display('x')).problems).toEqual(['the data is a string, not a mime bundle']);
  });

  it('keeps an empty bundle and repairs what later steps rely on in errors, results and metadata', () => {
    expect(sanitizeOutput(display({})).output).toEqual(display({}));
    expect(sanitizeOutput(display({ 'text/plain': 'x' }, null)).output).toEqual(
      display({ 'text/plain': 'x' }),
    );
    const error = sanitizeOutput({ output_type: 'error', ename: 1, evalue: null, traceback: [2] });
    expect(error.output).toEqual({ output_type: 'error', ename: '1', evalue: 'null', traceback: ['2'] });
    const result = sanitizeOutput({
      output_type: 'execute_result',
      data: {},
      metadata: {},
      execution_count: 'x',
    });
    expect(result.output).toMatchObject({ execution_count: null });
  });

  it('never names a file or Content-Type after an invalid key, even in data stored before sanitising', () => {
    expect(preferredMime(['text/x\nY'])).toBe('application/octet-stream');
    expect(preferredMime(['text/x\nY', 'text/x-log'])).toBe('text/x-log');
    expect(preferredMime([])).toBe('text/plain');
    expect(primaryMimeType(display({ 'text/x\u0001': 'v' }))).toBe('application/octet-stream');
    expect(extensionOf('application/octet-stream')).toBe('bin');
  });

  it('writes JSON representations as JSON and an absent one as nothing', () => {
    expect(outputBody(display({ 'application/json': [1, 2] }), 'application/json')).toBe('[\n  1,\n  2\n]');
    expect(outputBody(display({}), 'text/plain')).toBe('');
  });
});
