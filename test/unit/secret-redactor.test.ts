import { describe, expect, it } from 'vitest';
import { SecretRedactor } from '../../functions/core/run/secret-redactor.ts';
import { pythonSpellings as spellings } from '../support/secret-spellings.ts';

const VALUE = `p@ss w0rd/é"'\\&<>+=!*(~`;

/** Every spelling Python prints of the value, alone or inside a longer text. */
function pythonSpellings(value: string): Record<string, string> {
  const { forms, contained } = spellings(value);
  return { ...forms, ...contained };
}

describe('unit: secret redactor', () => {
  const redactor = new SecretRedactor({ DB_PASSWORD: VALUE });

  it.each(Object.entries(pythonSpellings(VALUE)))('replaces the %s spelling Python prints', (_, text) => {
    const printed = `before ${text} after`;
    const redacted = redactor.redact(printed);
    expect(redacted).toContain('[secret:DB_PASSWORD]');
    expect(redacted).not.toContain('p@ss');
    expect(redacted.startsWith('before ')).toBe(true);
    expect(redacted.endsWith(' after')).toBe(true);
  });

  it('leaves text without a value untouched', () => {
    expect(redactor.redact('nothing to see: p@ss w0r')).toBe('nothing to see: p@ss w0r');
  });

  it('prefers the longest value where two secrets overlap, and marks each by its own name', () => {
    const both = new SecretRedactor({ SHORT: 'password', LONG: 'password1234' });
    expect(both.redact('a password1234 b password c')).toBe('a [secret:LONG] b [secret:SHORT] c');
    const chained = new SecretRedactor({ A: 'abcdef', B: 'defghi' });
    expect(chained.redact('xabcdefghiy')).toBe('x[secret:A]ghiy');
  });

  it('redacts strings anywhere in JSON data, keys too', () => {
    expect(redactor.redactDeep({ [VALUE]: [VALUE, 1, { v: `=${VALUE}=` }] })).toEqual({
      '[secret:DB_PASSWORD]': ['[secret:DB_PASSWORD]', 1, { v: '=[secret:DB_PASSWORD]=' }],
    });
  });

  it('never releases a prefix of a value split across stream pieces, at any split position', () => {
    const simple = new SecretRedactor({ TOKEN: 's3cr3t-value' });
    const printed = 'line one\nthe token: s3cr3t-value and s3cr3t-val\n';
    const expected = simple.redact(printed);
    expect(expected).toBe('line one\nthe token: [secret:TOKEN] and s3cr3t-val\n');
    for (let i = 0; i <= printed.length; i++) {
      for (let j = i; j <= printed.length; j += 3) {
        const stream = simple.stream();
        let shown = '';
        for (const piece of [printed.slice(0, i), printed.slice(i, j), printed.slice(j)]) {
          shown += stream.push(piece);
          // What is shown is final: the start of the redacted text, never a part of the value.
          expect(expected.startsWith(shown)).toBe(true);
        }
        shown += stream.flush();
        expect(shown).toBe(expected);
      }
    }
  });

  it('splits every base64 and JSON spelling at every position without leaking', () => {
    const spellings = pythonSpellings(VALUE);
    for (const key of ['base64', 'json_doc', 'quote_plus', 'b64in2']) {
      const printed = `>> ${spellings[key]} <<`;
      const expected = redactor.redact(printed);
      expect(expected).toContain('[secret:DB_PASSWORD]');
      for (let i = 0; i <= printed.length; i++) {
        const stream = redactor.stream();
        const first = stream.push(printed.slice(0, i));
        expect(expected.startsWith(first)).toBe(true);
        expect(first + stream.push(printed.slice(i)) + stream.flush()).toBe(expected);
      }
    }
  });

  it('holds back the right tail of long prints against a long repetitive value (each form its own automaton)', () => {
    const value = `${'ab'.repeat(800)}END!`;
    const long = new SecretRedactor({ LONG: value });
    const printed = `${'ab'.repeat(1500)}x${value}${'ab'.repeat(700)}!`;
    const expected = long.redact(printed);
    expect(expected).toBe(`${'ab'.repeat(1500)}x[secret:LONG]${'ab'.repeat(700)}!`);
    for (let i = 0; i <= printed.length; i += 97) {
      for (const j of [i + 1, i + 1300, i + 2500]) {
        const stream = long.stream();
        let shown = '';
        for (const piece of [printed.slice(0, i), printed.slice(i, j), printed.slice(j)]) {
          shown += stream.push(piece);
          expect(expected.startsWith(shown), `split at ${i}, ${j}`).toBe(true);
        }
        expect(shown + stream.flush()).toBe(expected);
      }
    }
  });

  it('releases text at once when it cannot begin a value', () => {
    const stream = new SecretRedactor({ TOKEN: 'zzz-secret' }).stream();
    expect(stream.push('progress 50%\n')).toBe('progress 50%\n');
    expect(stream.push('waiting zz')).toBe('waiting ');
    expect(stream.push('top!')).toBe('zztop!');
  });
});
