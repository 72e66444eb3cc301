import { describe, expect, it } from 'vitest';
import { isRawJson } from '../../functions/core/parameters.ts';
import { jsonBody } from '../../functions/http/body.ts';

const event = (body: string) =>
  ({ body, isBase64Encoded: false, headers: { 'content-type': 'application/json' } }) as never;

describe('jsonBody', () => {
  it('keeps the exact source of numbers under a lossless path and gives plain numbers elsewhere', () => {
    const text =
      '{"timeout": 1.0, "retry": {"maxAttempts": 2}, "parameters": {"big": 123456789012345678901, "f": 1.0, "l": [1.50, {"n": -0}]}}';
    const body = jsonBody(event(text), 1 << 20, [['parameters']]) as Record<string, any>;
    expect(body.timeout).toBe(1);
    expect(body.retry.maxAttempts).toBe(2);
    expect(isRawJson(body.parameters.big)).toBe(true);
    expect(JSON.stringify(body.parameters)).toBe('{"big":123456789012345678901,"f":1.0,"l":[1.50,{"n":-0}]}');
  });

  it('parses like JSON.parse when no path is lossless, and a nested path only where it is', () => {
    const text = '{"parameters": {"x": 1.0}, "integration": {"scheduleParameters": {"x": 2.0}, "n": 3}}';
    expect(jsonBody(event(text), 1 << 20)).toEqual(JSON.parse(text));
    const body = jsonBody(event(text), 1 << 20, [['integration', 'scheduleParameters']]) as Record<
      string,
      any
    >;
    expect(body.parameters.x).toBe(1);
    expect(body.integration.n).toBe(3);
    expect(JSON.stringify(body.integration.scheduleParameters)).toBe('{"x":2.0}');
  });

  it('gives a plain number where a lossless container is expected, so the schema refuses it', () => {
    const body = jsonBody(event('{"parameters": 42}'), 1 << 20, [['parameters']]) as Record<string, any>;
    expect(body.parameters).toBe(42);
  });

  it('keeps a member named __proto__ a member (no prototype is set through it)', () => {
    const body = jsonBody(event('{"__proto__": {"polluted": 1}, "parameters": {}}'), 1 << 20, [
      ['parameters'],
    ]) as Record<string, any>;
    expect(Object.keys(body)).toEqual(['__proto__', 'parameters']);
    expect(body.polluted).toBeUndefined();
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
  });

  it('answers a 400 with the position for text that is not JSON, lossless or not', () => {
    for (const paths of [[], [['parameters']]]) {
      expect(() => jsonBody(event('{"parameters": {"x": 1,}}'), 1 << 20, paths)).toThrow(/not valid JSON/);
    }
  });
});
